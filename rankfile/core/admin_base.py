"""Shapes of ModelAdmin that every app's admin uses, so that the admin writes
only through services.

Who enters the admin and who may write there comes from roles
(``accounts.access``, through ``User.has_perm``). On top of that:

- ``ReadOnlyAdmin``: read here, changed elsewhere (a page, a command, an
  action that calls a service). Say where in the class's docstring.
- ``ServiceAdmin``: the add, change and delete forms call the app's services
  (``save_by``, ``delete_by``), which check again who may; a refusal changes
  nothing and is shown at the top of the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from rankfile.core.errors import PermissionRefused, Refusal


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to staff and auditors; nobody adds, changes or deletes it here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def call_service(request: HttpRequest, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a service for the admin: a permission refusal is a 403, another refusal
    is shown to the person (by ``ServiceAdmin``) with nothing saved."""
    try:
        return fn(*args, **kwargs)
    except PermissionRefused as e:
        raise PermissionDenied(e.message) from None
    except Refusal as e:
        raise _Refused(e) from None


class ServiceAdmin(admin.ModelAdmin):
    """Adds, changes and deletions go through the app's services.

    Subclasses implement ``save_by`` and ``delete_by`` (and ``save_inline_by``,
    ``delete_inline_by`` when they have editable inlines) by calling a service
    with ``by`` as the acting user.
    """

    def save_by(self, obj: Any, *, form: ModelForm, change: bool, by: Any) -> None:
        raise NotImplementedError

    def delete_by(self, obj: Any, *, by: Any) -> None:
        raise NotImplementedError

    def save_inline_by(self, obj: Any, *, by: Any) -> None:
        raise NotImplementedError

    def delete_inline_by(self, obj: Any, *, by: Any) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        call_service(request, self.save_by, obj, form=form, change=change, by=request.user)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any,
                     change: bool) -> None:
        # The object's own many-to-many fields are the service's to save (save_by).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: ModelForm,
                     formset: BaseModelFormSet, change: bool) -> None:
        for obj in formset.save(commit=False):
            call_service(request, self.save_inline_by, obj, by=request.user)
        for obj in formset.deleted_objects:
            call_service(request, self.delete_inline_by, obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        call_service(request, self.delete_by, obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            call_service(request, self.delete_by, obj, by=request.user)

    def _refused(self, request: HttpRequest, e: _Refused) -> HttpResponse:
        # The view's transaction was rolled back: nothing was saved.
        self.message_user(request, f"Nothing was saved. {e.refusal.message}", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: dict[str, Any] | None = None
                        ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as e:
            return self._refused(request, e)

    def delete_view(self, request: HttpRequest, object_id: str,
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except _Refused as e:
            return self._refused(request, e)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None
                        ) -> HttpResponse:
        # "Delete selected" runs here, outside any transaction of the admin's own.
        from django.db import transaction

        try:
            with transaction.atomic():
                return super().changelist_view(request, extra_context)
        except _Refused as e:
            return self._refused(request, e)
