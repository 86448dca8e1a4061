from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from rankfile.accounts.http import request_user
from rankfile.discussion.models import (
    ApprovedCommenter,
    Article,
    ArticleAuthor,
    BlockedTerm,
    BodyDiscussionSettings,
    Comment,
    CommentReport,
    ModerationLog,
    Tag,
)
from rankfile.discussion.services.moderation import commenter_erase_email


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "body", "state", "visibility", "published_at")
    list_filter = ("state", "visibility", "body__kind")
    search_fields = ("title", "standfirst", "slug")
    inlines = (ArticleAuthorInline,)
    filter_horizontal = ("tags",)
    readonly_fields = ("html", "last_comment_number", "created_at", "updated_at",
                       "submitted_at", "published_at", "published_by")
    raw_id_fields = ("created_by",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Read-mostly: removal and approval go through the moderation queue, which logs them."""

    list_display = ("number", "article", "name", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "text", "article__title")
    list_select_related = ("article",)
    raw_id_fields = ("article", "parent", "author", "moderated_by")
    readonly_fields = ("article", "number", "parent", "thread", "depth", "path", "author",
                       "html", "created_at", "edited_at", "ip", "secret_hash", "status",
                       "moderated_at", "moderated_by", "moderation_reason")
    exclude = ("email",)
    actions = ("erase_emails",)

    @admin.action(description="Erase the e-mail address of these comments' commenters "
                              "(from all their comments)")
    def erase_emails(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        emails = {e for e in queryset.values_list("email", flat=True) if e}
        by = request_user(request)
        changed = sum(commenter_erase_email(email=e, by=by) for e in emails)
        self.message_user(request, f"Erased {len(emails)} address(es) from {changed} comment(s).")


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ("comment", "reason", "created_at", "resolved_at")
    list_filter = ("reason",)
    raw_id_fields = ("comment", "reporter", "resolved_by")


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "note")
    exclude = ("created_by",)

    def save_model(self, request: HttpRequest, obj: BlockedTerm, form: ModelForm,
                   change: bool) -> None:
        if not change:
            obj.created_by = request_user(request)
        super().save_model(request, obj, form, change)


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "code", "actor", "ip", "article", "reason")
    list_filter = ("action", "code")
    search_fields = ("reason", "ip")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ApprovedCommenter)
class ApprovedCommenterAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "approved_at", "approved_by")
    raw_id_fields = ("user", "approved_by")
    search_fields = ("email",)


@admin.register(BodyDiscussionSettings)
class BodyDiscussionSettingsAdmin(admin.ModelAdmin):
    list_display = ("body", "comment_policy")
