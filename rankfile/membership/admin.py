"""Admin for membership staff: categories, windows and unions are edited here
(through ``services.offers``); memberships and payments are read here and
changed only through the services (the status action asks for a reason and
writes the history). Auditors read everything and change nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from rankfile.accounts.access import can_write_in_admin
from rankfile.accounts.http import request_user
from rankfile.accounts.models import User
from rankfile.core.admin_base import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin
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
    RecordAccess,
    Refund,
    RepeatApplication,
    StatusChange,
    StripeEvent,
)
from rankfile.membership.services.offers import joining_offer_delete, joining_offer_save
from rankfile.membership.services.records import record_access_log
from rankfile.membership.services.status import membership_change_status


class OffersAdmin(ServiceAdmin):
    """Saved and deleted through ``joining_offer_save`` and ``joining_offer_delete``, which
    also drop the joining pages' cache of the offers."""

    def save_by(self, obj: Any, *, form: ModelForm, change: bool, by: User) -> None:
        joining_offer_save(instance=obj, by=by)

    def delete_by(self, obj: Any, *, by: User) -> None:
        joining_offer_delete(instance=obj, by=by)

    def save_inline_by(self, obj: Any, *, by: User) -> None:
        joining_offer_save(instance=obj, by=by)

    def delete_inline_by(self, obj: Any, *, by: User) -> None:
        joining_offer_delete(instance=obj, by=by)


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


@admin.action(description="Change the status of the selected memberships…",
              permissions=["set_status"])
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
class MembershipAdmin(ReadOnlyAdmin):
    """Read only; the status changes through the action (``membership_set_status``),
    an address on the member's page, a placement on the staff placements page."""

    list_display = ("reference", "full_name", "category", "status", "branch", "applied_at",
                    "needs_placement")
    list_filter = ("status", "category", "needs_placement", "window")
    search_fields = ("reference", "last_name", "first_name", "user__email", "postcode")
    date_hierarchy = "applied_at"
    list_select_related = ("category", "branch")
    inlines = [HistoryInline, PaymentInline]
    actions = [change_status]
    readonly_fields = [f.name for f in Membership._meta.fields]

    def has_set_status_permission(self, request: HttpRequest) -> bool:
        # The service checks again, for each membership, that they are staff over it.
        return can_write_in_admin(request.user)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """A member's record in the admin is a look like any other: written to the log."""
        response = super().change_view(request, object_id, form_url, extra_context)
        membership = self.get_object(request, object_id) if response.status_code == 200 \
            else None
        if membership is not None:
            record_access_log(by=request_user(request), action=RecordAccess.Action.VIEW,
                              purpose="Admin: member's record", allowed=True,
                              reference=membership.reference, membership_id=membership.pk)
        return response


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Read only; payments are recorded on the staff payments page (``payment_record``)."""

    list_display = ("reference", "membership", "amount_pence", "status", "method", "paid_at",
                    "receipt_number")
    list_filter = ("status", "method", "provider")
    search_fields = ("reference", "receipt_number", "membership__reference", "external_id",
                     "card_fingerprint")
    list_select_related = ("membership",)
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Read only: staff refund a payment on the staff payments page (``payment_refund``)."""

    list_display = ("payment", "amount_pence", "provider", "status", "requested_by",
                    "requested_at", "completed_at")
    list_filter = ("status", "provider")
    search_fields = ("payment__reference", "external_id")
    list_select_related = ("payment", "requested_by")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    """Read only: written by the Stripe webhook, each event once."""

    list_display = ("event_id", "type", "received_at", "livemode", "outcome")
    list_filter = ("type", "livemode")
    search_fields = ("event_id", "outcome")


@admin.register(RepeatApplication)
class RepeatApplicationAdmin(ReadOnlyAdmin):
    """Read only: applications made with an address that already had a login. The
    person applying saw these references as any applicant would: find them here."""

    list_display = ("reference", "payment_reference", "user", "category", "status",
                    "amount_pence", "applied_at")
    list_filter = ("category", "status")
    list_select_related = ("user", "category")
    search_fields = ("reference", "payment_reference", "user__email")


class BankLineInline(ReadOnlyInline):
    model = BankLine
    fields = ("row", "date", "description", "amount_pence", "outcome", "note", "payment")
    readonly_fields = fields


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    """Read only: imported on the staff statements page."""

    list_display = ("filename", "imported_at", "imported_by", "rows")
    inlines = [BankLineInline]
