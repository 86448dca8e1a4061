"""Admin for membership staff: categories, windows and unions are edited here;
memberships and payments are read here and changed only through the services
(the status action asks for a reason and writes the history)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from rankfile.accounts.http import request_user
from rankfile.core.errors import Refusal
from rankfile.membership.models import (
    AffiliatedUnion,
    BankLine,
    BankStatement,
    Category,
    JoiningWindow,
    Membership,
    Payment,
    Rate,
    Refund,
    StatusChange,
    StripeEvent,
)
from rankfile.membership.services.joining import joining_offers_forget
from rankfile.membership.services.status import membership_change_status


class OffersAdmin(admin.ModelAdmin):
    """Joining pages cache the offers for a few seconds: drop the cache after an edit."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        transaction.on_commit(joining_offers_forget)

    def save_related(self, request: HttpRequest, form: ModelForm,
                     formsets: list[BaseFormSet], change: bool) -> None:
        super().save_related(request, form, formsets, change)
        transaction.on_commit(joining_offers_forget)


class RateInline(admin.TabularInline):
    model = Rate
    extra = 0


class WindowInline(admin.TabularInline):
    model = JoiningWindow
    extra = 0


@admin.register(Category)
class CategoryAdmin(OffersAdmin):
    list_display = ("name", "kind", "minimum_age", "needs_window")
    inlines = [RateInline, WindowInline]


@admin.register(JoiningWindow)
class JoiningWindowAdmin(OffersAdmin):
    list_display = ("name", "category", "opens_at", "closes_at", "fee_pence")
    list_filter = ("category",)


@admin.register(AffiliatedUnion)
class AffiliatedUnionAdmin(OffersAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class HistoryInline(ReadOnlyInline):
    model = StatusChange
    fields = ("at", "from_status", "to_status", "by", "reason")
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("reference", "amount_pence", "periods", "status", "provider", "method", "paid_at",
              "receipt_number")
    readonly_fields = fields


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Membership.Status.choices)
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 60}))


@admin.action(description="Change the status of the selected memberships…")
def change_status(modeladmin: admin.ModelAdmin, request: HttpRequest,
                  queryset: QuerySet[Membership]) -> HttpResponse | None:
    form = StatusForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        changed = 0
        for membership in queryset.order_by("pk"):
            try:
                membership_change_status(membership=membership, by=request_user(request),
                                         status=form.cleaned_data["status"],
                                         reason=form.cleaned_data["reason"])
            except Refusal as e:
                modeladmin.message_user(request, f"{membership.reference}: {e.message}",
                                        messages.ERROR)
            else:
                changed += 1
        modeladmin.message_user(request, f"Changed the status of {changed} membership(s).")
        return None
    return TemplateResponse(request, "membership/admin_change_status.html", {
        **modeladmin.admin_site.each_context(request),
        "title": "Change status", "form": form, "memberships": queryset,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, "opts": Membership._meta,
    })


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("reference", "full_name", "category", "status", "branch", "applied_at",
                    "needs_placement")
    list_filter = ("status", "category", "needs_placement", "window")
    search_fields = ("reference", "last_name", "first_name", "user__email", "postcode")
    date_hierarchy = "applied_at"
    list_select_related = ("category", "branch")
    inlines = [HistoryInline, PaymentInline]
    actions = [change_status]
    readonly_fields = [f.name for f in Membership._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("reference", "membership", "amount_pence", "status", "method", "paid_at",
                    "receipt_number")
    list_filter = ("status", "method", "provider")
    search_fields = ("reference", "receipt_number", "membership__reference", "external_id",
                     "card_fingerprint")
    list_select_related = ("membership",)
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the services write (refunds, webhook events, statements): read, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("payment", "amount_pence", "provider", "status", "requested_by",
                    "requested_at", "completed_at")
    list_filter = ("status", "provider")
    search_fields = ("payment__reference", "external_id")
    list_select_related = ("payment", "requested_by")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "received_at", "livemode", "outcome")
    list_filter = ("type", "livemode")
    search_fields = ("event_id", "outcome")


class BankLineInline(ReadOnlyInline):
    model = BankLine
    fields = ("row", "date", "description", "amount_pence", "outcome", "note", "payment")
    readonly_fields = fields


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    list_display = ("filename", "imported_at", "imported_by", "rows")
    inlines = [BankLineInline]
