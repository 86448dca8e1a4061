"""Account services: API tokens for officers' programs, and password resets."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.models import ApiToken, Role, User
from rankfile.accounts.roles import bodies_with_role
from rankfile.core.errors import PermissionRefused, Refusal

TOKEN_PREFIX = "rf_"
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 20
API_ROLE_KINDS = (Role.Kind.STAFF, Role.Kind.SECRETARY)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token for ``user`` named ``name``.

    Returns:
        The token and its secret. Show the secret once and never store it: only
        its hash is kept, so it cannot be shown again.

    Raises:
        PermissionRefused: ``user`` holds no staff or secretary role.
        Refusal: the name is missing or too long, or ``user`` has too many tokens.
    """
    if not bodies_with_role(user, API_ROLE_KINDS):
        raise PermissionRefused(
            "Only membership staff and branch secretaries can create API tokens.",
            code="not_an_officer",
        )
    name = " ".join((name or "").split())
    if not name:
        raise Refusal("Give the token a name, such as the program that will use it.",
                      code="name_required", field="name")
    if len(name) > 100:
        raise Refusal("Shorten the name to 100 characters or fewer.", code="name_too_long",
                      field="name")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise Refusal(
            f"You have {MAX_ACTIVE_TOKENS} tokens already. Revoke one you no longer use first.",
            code="too_many_tokens",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=raw[:8], token_hash=_hash(raw),
                     created_at=timezone.now())
    token.full_clean()
    token.save()
    return token, raw


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke ``token`` so it no longer authenticates. Revoking twice changes nothing.

    Raises:
        PermissionRefused: ``by`` does not own the token.
    """
    if getattr(by, "pk", None) != token.user_id:
        raise PermissionRefused("You can revoke only your own tokens.", code="not_your_token")
    with transaction.atomic():
        # Keep the first revocation time if two requests race.
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=("revoked_at",))
    return token


def api_token_authenticate(raw: str | None, *, now: dt.datetime | None = None) -> User | None:
    """The active user whose live token ``raw`` is, or None.

    The lookup is by the secret's hash, so no stored secret is compared byte by
    byte. A token stops working when its holder no longer holds an officer role
    (staff or secretary) that could have created it. ``last_used_at`` is written
    at most once a minute per token.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = now or timezone.now()
    if not Role.objects.current(timezone.localdate(now)).filter(
            user=token.user, kind__in=API_ROLE_KINDS).exists():
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def password_reset_request(*, email: str) -> None:
    """Queue a password reset for ``email``, whether or not an account has it.

    The request does the same work, in the same time, for a known and an
    unknown address; the job (``accounts.tasks.send_password_reset``) looks
    the address up and mails only an account's owner.
    """
    from rankfile.accounts.tasks import send_password_reset

    with transaction.atomic():
        send_password_reset.enqueue(email=email.strip().lower())
