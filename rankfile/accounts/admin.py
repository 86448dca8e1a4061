"""Admin for logins, roles and API tokens.

Roles are granted, changed and deleted through ``accounts.services``. Logins
are read here: people become users by joining, change their own name and
password on the site, and gain rights only through roles (Django's groups and
model permissions are not used, so their admin is removed).
"""

from __future__ import annotations

from typing import Any

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from rankfile.accounts.access import can_write_in_admin
from rankfile.accounts.models import ApiToken, Role, User
from rankfile.accounts.services import api_token_revoke, role_delete, role_grant, role_update
from rankfile.core.admin_base import ReadOnlyAdmin, ServiceAdmin, call_service

admin.site.unregister(Group)
admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    """Read only: rights come from roles (below), never from these flags."""

    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "last_login")
    search_fields = ("email", "first_name", "last_name")
    fields = ("email", "first_name", "last_name", "is_active", "last_login", "date_joined")


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyAdmin):
    """Read only: people add and verify their own addresses on the site."""

    list_display = AllauthEmailAddressAdmin.list_display
    list_filter = AllauthEmailAddressAdmin.list_filter
    search_fields = ("email", "user__email")
    fields = ("user", "email", "verified", "primary")


@admin.register(Role)
class RoleAdmin(ServiceAdmin):
    """Granted, changed (its end and note) and deleted through the role services."""

    list_display = ("user", "kind", "body", "starts_on", "ends_on")
    list_filter = ("kind",)
    search_fields = ("user__email", "body__name")
    autocomplete_fields = ("user", "body")
    fields = ("user", "kind", "body", "starts_on", "ends_on", "note", "granted_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Role | None = None) -> Any:
        # Who, what and where never change: end the role and grant another.
        if obj is None:
            return ("granted_by",)
        return ("user", "kind", "body", "starts_on", "granted_by")

    def save_by(self, obj: Role, *, form: ModelForm, change: bool, by: User) -> None:
        data = form.cleaned_data
        if change:
            role_update(role=obj, by=by, ends_on=data.get("ends_on"), note=data.get("note", ""))
        else:
            saved = role_grant(user=data["user"], kind=data["kind"], body=data["body"], by=by,
                               starts_on=data["starts_on"], ends_on=data.get("ends_on"),
                               note=data.get("note", ""))
            obj.pk = saved.pk

    def delete_by(self, obj: Role, *, by: User) -> None:
        role_delete(role=obj, by=by)


@admin.action(description="Revoke the selected tokens", permissions=["revoke"])
def revoke_tokens(modeladmin: ApiTokenAdmin, request: HttpRequest,
                  queryset: QuerySet[ApiToken]) -> None:
    for token in queryset:
        call_service(request, api_token_revoke, token=token, by=request.user)
    modeladmin.message_user(request, f"Revoked {len(queryset)} token(s).")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Created by their owner on the site (the secret is shown only to them);
    staff revoke a token here with the action."""

    list_display = ("name", "user", "role", "prefix", "created_at", "last_used_at",
                    "revoked_at")
    list_select_related = ("user", "role", "role__body")
    search_fields = ("user__email", "name", "prefix")
    fields = ("user", "role", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = [revoke_tokens]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return can_write_in_admin(request.user)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Who has two-factor set up, and when it was last used: read only, and never the
    secret (allauth's own admin shows its data and lets it be edited)."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
