"""The one place the payments and dues rules send e-mail from: the outbox."""

from __future__ import annotations

from rankfile.outbox.services import outbox_enqueue, outbox_render


def member_mail(*, to: str, subject: str, template: str, context: dict[str, object],
                purpose: str, key: str) -> None:
    """Queue an e-mail rendered from ``template`` in the outbox, in the caller's transaction.

    Args:
        to: the address.
        subject: after the organisation's name ("Rank & File: ...").
        template: a plain-text template; ``ORGANISATION_NAME`` and ``SITE_URL`` are given.
        purpose: what kind of e-mail it is ("dues_reminder", "refund", ...).
        key: the same key is one e-mail: queueing it again sends nothing more.
    """
    rendered = outbox_render(template=template, context=context, subject=subject)
    outbox_enqueue(to=to, subject=rendered.subject, body=rendered.body,
                   html_body=rendered.html_body, purpose=purpose, key=key)
