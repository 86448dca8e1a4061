"""Background jobs of the discussion app (Django's Tasks API)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_erase_link(*, email: str, url: str) -> None:
    """E-mail a commenter the signed link that erases their address from their comments."""
    send_mail(
        subject=f"{settings.ORGANISATION_NAME}: erase your e-mail address from your comments",
        message=(
            "Someone, probably you, asked us to erase this e-mail address from the comments "
            "posted with it.\n\n"
            f"To erase it, open this link within 7 days and confirm:\n{url}\n\n"
            "If you did not ask, ignore this message: nothing changes."
        ),
        from_email=None,
        recipient_list=[email],
    )
