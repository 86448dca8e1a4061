"""django-allauth's hooks: no open sign-up, and every e-mail through the outbox."""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from rankfile.outbox.services import outbox_enqueue

# Set by a job that sends allauth's mail: its messages' outbox keys then derive
# from it, so that the job run twice queues each message once.
_outbox_key: ContextVar[str | None] = ContextVar("outbox_key", default=None)


class _SiteRequest(HttpRequest):
    def __init__(self, scheme: str) -> None:
        super().__init__()
        self._site_scheme = scheme

    def _get_scheme(self) -> str:
        return self._site_scheme


def site_request() -> HttpRequest:
    """A request as if made to ``SITE_URL``, for rendering allauth's mail in a job.

    Links in those mails then point at ``SITE_URL``, never at whatever Host a
    visitor sent.
    """
    url = urlsplit(settings.SITE_URL)
    request = _SiteRequest(url.scheme or "https")
    request.META = {"SERVER_NAME": url.hostname or "localhost",
                    "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
                    "HTTP_HOST": url.netloc, "REMOTE_ADDR": "127.0.0.1"}
    return request


@contextlib.contextmanager
def mail_from_job(key: str) -> Iterator[None]:
    """Inside a job: allauth's mail is rendered for ``SITE_URL`` and keyed by ``key``."""
    token = _outbox_key.set(key)
    try:
        with allauth_context.request_context(site_request()):
            yield
    finally:
        _outbox_key.reset(token)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People become users by joining (membership app), never through a bare sign-up.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Queue the mail in the outbox (allauth would send it during the request)."""
        request = allauth_context.request
        message = self.render_mail(template_prefix, email, {
            "request": request, "email": email, "current_site": get_current_site(request),
            **context,
        })
        name = template_prefix.rsplit("/", 1)[-1]
        base = _outbox_key.get()
        if base is None:
            key = f"account:{name}:{uuid.uuid4().hex}"
        else:
            key = f"{base}:{name}:{hashlib.sha256(email.lower().encode()).hexdigest()[:16]}"
        html = next((content for content, mimetype in getattr(message, "alternatives", [])
                     if mimetype == "text/html"), None)
        outbox_enqueue(to=email, subject=message.subject, body=message.body,
                       html_body=str(html) if html is not None else None,
                       purpose=f"account_{name}"[:64], key=key[:200],
                       headers=dict(message.extra_headers) or None)
