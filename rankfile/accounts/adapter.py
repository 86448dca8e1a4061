"""How django-allauth behaves here: no bare sign-up, and its e-mails in our voice."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People become users by joining (membership app), never through a bare sign-up.
        return False

    def format_email_subject(self, subject: str) -> str:
        """"Rank & File: choose a new password", as the site's own e-mails, never the
        request's host ("[127.0.0.1:8101] …")."""
        return f"{settings.ORGANISATION_NAME}: {subject}"

    def render_mail(self, template_prefix: str, email: str | list[str], context: dict[str, Any],
                    headers: dict[str, str] | None = None) -> EmailMessage:
        # The organisation's name and address, also when a job renders the e-mail
        # without a request (and so without the context processors).
        context = {"ORGANISATION_NAME": settings.ORGANISATION_NAME,
                   "SITE_URL": settings.SITE_URL, **context}
        return super().render_mail(template_prefix, email, context, headers)
