"""Admin for the discussion. Articles are changed and deleted through the article
services (the HTML is rendered again and the moderation log records it);
comments, reports and the log are read here, moderated on the site's
moderation page; settings go through ``services.settings``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from rankfile.accounts.access import can_write_in_admin
from rankfile.accounts.models import User
from rankfile.core.admin_base import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin, call_service
from rankfile.core.errors import Refusal
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
from rankfile.discussion.services.articles import article_check, article_delete, article_update
from rankfile.discussion.services.moderation import commenter_erase_email
from rankfile.discussion.services.settings import (
    discussion_setting_delete,
    discussion_setting_save,
)

ARTICLE_FIELDS = ("title", "standfirst", "markdown", "visibility", "comment_policy",
                  "image_alt", "image_caption", "image_credit", "link_kind", "link_url",
                  "link_label")


class ArticleAuthorInline(ReadOnlyInline):
    model = ArticleAuthor
    fields = ("position", "name", "affiliation", "user")
    readonly_fields = fields


class ArticleAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            article_check(article=self.instance,
                          **{f: data.get(f) or "" for f in ARTICLE_FIELDS})
        except Refusal as e:
            self.add_error(e.field if e.field in self.fields else None, e.message)
        return data


@admin.register(Article)
class ArticleAdmin(ServiceAdmin):
    """Changed with ``article_update`` and deleted with ``article_delete``; written,
    submitted and published on the site (/articles/write/, the article's page)."""

    form = ArticleAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "body", "state", "visibility", "published_at")
    list_filter = ("state", "visibility", "body__kind")
    search_fields = ("title", "standfirst", "slug")
    inlines = (ArticleAuthorInline,)
    filter_horizontal = ("tags",)
    fields = ("body", "slug", "state", *ARTICLE_FIELDS[:3], "tags", *ARTICLE_FIELDS[3:],
              "created_by", "created_at", "updated_at", "submitted_at", "published_at",
              "published_by")
    readonly_fields = ("body", "slug", "state", "created_by", "created_at", "updated_at",
                       "submitted_at", "published_at", "published_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # authors write on the site, at /articles/write/

    def save_by(self, obj: Article, *, form: ModelForm, change: bool, by: User) -> None:
        data = form.cleaned_data
        fields: dict[str, Any] = {f: data.get(f) or "" for f in ARTICLE_FIELDS}
        article_update(article=obj, by=by, tags=[t.name for t in data["tags"]], **fields)

    def delete_by(self, obj: Article, *, by: User) -> None:
        article_delete(article=obj, by=by, reason="Deleted in the admin")

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # Its comments, reports and authors go with it under article_delete's own rule,
        # though they are read-only here.
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected


@admin.register(Tag)
class TagAdmin(ServiceAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)

    def save_by(self, obj: Tag, *, form: ModelForm, change: bool, by: User) -> None:
        discussion_setting_save(instance=obj, by=by)

    def delete_by(self, obj: Tag, *, by: User) -> None:
        discussion_setting_delete(instance=obj, by=by)


@admin.action(description="Erase the e-mail address of these comments' commenters "
                          "(from all their comments)", permissions=["erase"])
def erase_emails(modeladmin: CommentAdmin, request: HttpRequest,
                 queryset: QuerySet[Comment]) -> None:
    emails = {e for e in queryset.values_list("email", flat=True) if e}
    changed = sum(call_service(request, commenter_erase_email, email=e, by=request.user)
                  for e in emails)
    modeladmin.message_user(request, f"Erased {len(emails)} address(es) from {changed} "
                                     "comment(s).")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """Read only: removal and approval go through the moderation queue, which logs them;
    staff erase commenters' addresses with the action."""

    list_display = ("number", "article", "name", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "text", "article__title")
    list_select_related = ("article",)
    fields = ("article", "number", "parent", "thread", "depth", "author", "name", "text",
              "created_at", "edited_at", "ip", "status", "moderated_at", "moderated_by",
              "moderation_reason")
    actions = [erase_emails]

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return can_write_in_admin(request.user)


@admin.register(CommentReport)
class CommentReportAdmin(ReadOnlyAdmin):
    """Read only: a moderator's decision on the comment resolves its reports."""

    list_display = ("comment", "reason", "created_at", "resolved_at")
    list_filter = ("reason",)


class SettingsAdmin(ServiceAdmin):
    """Saved and deleted through ``discussion_setting_save`` and ``_delete``."""

    def save_by(self, obj: Any, *, form: ModelForm, change: bool, by: User) -> None:
        discussion_setting_save(instance=obj, by=by)

    def delete_by(self, obj: Any, *, by: User) -> None:
        discussion_setting_delete(instance=obj, by=by)


@admin.register(BlockedTerm)
class BlockedTermAdmin(SettingsAdmin):
    list_display = ("kind", "value", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("value", "note")
    fields = ("kind", "value", "note", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "code", "actor", "ip", "article", "reason")
    list_filter = ("action", "code")
    search_fields = ("reason", "ip")


@admin.register(ApprovedCommenter)
class ApprovedCommenterAdmin(SettingsAdmin):
    list_display = ("user", "email", "approved_at", "approved_by")
    raw_id_fields = ("user",)
    search_fields = ("email",)
    fields = ("user", "email", "approved_at", "approved_by")
    readonly_fields = ("approved_at", "approved_by")


@admin.register(BodyDiscussionSettings)
class BodyDiscussionSettingsAdmin(SettingsAdmin):
    list_display = ("body", "comment_policy")
