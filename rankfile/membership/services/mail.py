"""The one place the payments and dues rules send e-mail from.

Until the outbox (``rankfile/outbox/``, issue 7 §3) is on main, an e-mail is a
``send_email`` job enqueued in the caller's transaction; then this function
becomes a call to ``outbox_enqueue`` with the same arguments, which it already
takes (``purpose`` and ``key`` are what the outbox files and deduplicates by).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def member_mail(*, to: str, subject: str, template: str, context: dict[str, object],
                purpose: str, key: str) -> None:
    """Queue an e-mail rendered from ``template``, to go when the caller's transaction commits.

    Args:
        to: the address.
        subject: after the organisation's name ("Rank & File: ...").
        template: a plain-text template; ``ORGANISATION_NAME`` and ``SITE_URL`` are given.
        purpose: what kind of e-mail it is ("dues_reminder", "refund", ...).
        key: the same key is one e-mail (the callers already make sure of it
            with their own unique rows; the outbox will check it as well).
    """
    from rankfile.membership.tasks import send_email

    body = render_to_string(template, {"ORGANISATION_NAME": settings.ORGANISATION_NAME,
                                       "SITE_URL": settings.SITE_URL, **context})
    send_email.enqueue(to=to, subject=f"{settings.ORGANISATION_NAME}: {subject}", body=body,
                       purpose=purpose, key=key)
