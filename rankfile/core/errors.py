"""Refusals: the errors a person sees.

Services raise a ``Refusal`` (never a bare ``Exception``) when a rule says no.
Views turn it into a form error or a message, the API into
``{"error": {"code", "message", "field"}}``, commands into ``CommandError``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model


class Refusal(Exception):
    """A rule refused an action; ``message`` says why and what to do instead.

    Attributes:
        code: stable machine-readable code, e.g. ``"unknown_postcode"``.
        message: plain-language sentence for the person.
        field: the input field at fault, if any.
        http_status: the status an API answers with.
    """

    code = "refused"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        if http_status is not None:
            self.http_status = http_status

    def as_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class NotFound(Refusal):
    code = "not_found"
    http_status = 404


class PermissionRefused(Refusal):
    code = "permission_denied"
    http_status = 403


class Conflict(Refusal):
    code = "conflict"
    http_status = 409


class RateLimited(Refusal):
    code = "rate_limited"
    http_status = 429


def full_clean_or_refuse(instance: Model, *, exclude: list[str] | None = None) -> None:
    """``instance.full_clean()``, its first error raised as a ``Refusal`` naming the field.

    For services saving a model that a form (the admin's) filled in: the form has
    shown the same errors already, so this is a guard, not the usual path.
    """
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as e:
        field, messages = next(iter(e.message_dict.items()))
        raise Refusal(messages[0], code="invalid",
                      field=None if field == "__all__" else field) from None
