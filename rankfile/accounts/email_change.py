"""A person moves their login to a new e-mail address, confirmed from that address.

``email_change_request`` e-mails a signed link to the new address; the old
address stays the login (and receives the mail) until ``email_change_confirm``
is called with that link's token. The link holds the old address too, so it
works once: after the change (or any other change of address) it is refused.

Nothing the requester sees tells whether another account holds the new
address: the answer is the same, and a mail goes to the new address either way
(for a held address, a notice to its owner that nothing was changed).
"""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.outbox.services import outbox_enqueue, outbox_render

SALT = "rankfile.accounts.email_change"
# The link works for three days: long enough to find it, short enough to forget it.
MAX_AGE_SECONDS = 3 * 24 * 3600


def _clean_new(raw: str) -> str:
    email = (raw or "").strip()
    if not email:
        raise Refusal("Enter your new e-mail address.", code="required", field="email")
    if len(email) > 254 or "\0" in email:
        raise Refusal("Enter an e-mail address like name@example.org.",
                      code="invalid_email", field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise Refusal("Enter an e-mail address like name@example.org.",
                      code="invalid_email", field="email") from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _held_by_another(email: str, user: User) -> bool:
    return (User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
            or EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists())


def email_change_token(user: User, new: str) -> str:
    return signing.dumps({"u": user.pk, "old": user.email.lower(), "new": new}, salt=SALT,
                         compress=True)


def email_change_request(*, user: User, new_email: str, by: User) -> str:
    """Send the link that confirms ``new_email`` to that address; returns it, tidied.

    Raises:
        PermissionRefused: ``by`` is not ``user`` (staff change no one's login).
        Refusal: the address is missing, malformed or already this login's.
    """
    if getattr(by, "pk", None) != user.pk:
        raise PermissionRefused("Only you can change the e-mail address you log in with.",
                                code="not_your_account")
    new = _clean_new(new_email)
    if new.lower() == user.email.lower():
        raise Refusal("That is already your e-mail address.", code="same_email", field="email")
    if _held_by_another(new, user):
        rendered = outbox_render(template="emails/email_change_held.txt",
                                 subject="your e-mail address was not changed", context={
                                     "login_link": settings.SITE_URL + settings.LOGIN_URL})
        purpose = "email_change_held"
    else:
        link = settings.SITE_URL + reverse("accounts:email_confirm",
                                           args=[email_change_token(user, new)])
        rendered = outbox_render(template="emails/email_change.txt",
                                 subject="confirm your new e-mail address",
                                 context={"link": link, "days": MAX_AGE_SECONDS // 86400})
        purpose = "email_change"
    with transaction.atomic():
        outbox_enqueue(to=new, subject=rendered.subject, body=rendered.body,
                       html_body=rendered.html_body, purpose=purpose,
                       key=f"{purpose}:{user.pk}:{secrets.token_hex(8)}")
    return new


def _refuse_link() -> Refusal:
    return Refusal("This link cannot be used: it was used already, is out of date or was "
                   "copied wrongly. Ask for a new one from your page.", code="bad_link",
                   http_status=400)


def email_change_peek(token: str) -> str:
    """The new address a valid link would set (to show it before confirming).

    Raises:
        Refusal: the link is forged, expired or used.
    """
    user, new = _read(token)
    return new


def _read(token: str) -> tuple[User, str]:
    try:
        data = signing.loads((token or "")[:2000], salt=SALT, max_age=MAX_AGE_SECONDS)
        user = User.objects.get(pk=int(data["u"]), is_active=True)
        old, new = str(data["old"]), str(data["new"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise _refuse_link() from None
    if user.email.lower() != old:
        raise _refuse_link()
    return user, new


def email_change_confirm(*, token: str) -> User:
    """Make the address in ``token`` the login's only (verified, primary) address.

    The token alone is the proof: it came to the new address, signed for this
    login and its address at the time.

    Raises:
        Refusal: the link is forged, expired or used, or another account took
            the address meanwhile (answered as a used link). Nothing is changed.
    """
    user, new = _read(token)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.email.lower() != user.email.lower() or _held_by_another(new, locked):
            raise _refuse_link()
        locked.email = new
        locked.save(update_fields=("email",))
        EmailAddress.objects.filter(user=locked).delete()
        EmailAddress.objects.create(user=locked, email=new, verified=True, primary=True)
    return locked
