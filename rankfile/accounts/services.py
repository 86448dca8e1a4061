"""Account services: roles in bodies, API tokens for officers' programs, and password
resets.

Each that acts for someone checks who may do it (``accounts.access``) before
writing anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rankfile.accounts.access import (
    API_ROLE_KINDS,
    api_token_roles,
    can_create_api_token,
    can_manage_roles,
    can_revoke_api_token,
)
from rankfile.accounts.http import Actor
from rankfile.accounts.models import ApiToken, Role, User
from rankfile.branches.models import Body
from rankfile.core.errors import PermissionRefused, Refusal, full_clean_or_refuse

__all__ = [
    "API_ROLE_KINDS",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "password_reset_request",
    "role_delete",
    "role_end",
    "role_grant",
    "role_update",
]

TOKEN_PREFIX = "rf_"
# Writing last_used_at on every request would turn each API read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 20
NOTE_MAX_LENGTH = 300


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# -- roles ------------------------------------------------------------------------------------


def _refuse_roles(body: Body) -> PermissionRefused:
    return PermissionRefused(
        f"Only membership staff of {body.name} or a body above it can grant or end roles "
        "there.", code="not_role_granter",
    )


def _clean_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX_LENGTH:
        raise Refusal(f"Shorten the note to {NOTE_MAX_LENGTH} characters or fewer.",
                      code="too_long", field="note")
    return note


def _check_dates(starts_on: dt.date, ends_on: dt.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise Refusal("A role cannot end before it starts. Check the end date.",
                      code="ends_before_start", field="ends_on")


def role_grant(*, user: User, kind: str, body: Body, by: Actor,
               starts_on: dt.date | None = None, ends_on: dt.date | None = None,
               note: str = "") -> Role:
    """Give ``user`` the role ``kind`` in ``body`` from ``starts_on`` (today by default).

    Raises:
        PermissionRefused: ``by`` is neither the system nor staff of ``body`` or above.
        Refusal: an unknown kind, an end before the start, or an over-long note.
    """
    if not can_manage_roles(by, body):
        raise _refuse_roles(body)
    if kind not in Role.Kind.values:
        raise Refusal("Choose one of the roles in the list.", code="unknown_role", field="kind")
    starts_on = starts_on or timezone.localdate()
    _check_dates(starts_on, ends_on)
    role = Role(user=user, kind=kind, body=body, starts_on=starts_on, ends_on=ends_on,
                granted_by=by if isinstance(by, User) else None,
                note=_clean_note(note))
    full_clean_or_refuse(role)
    role.save()
    return role


def role_update(*, role: Role, by: Actor, ends_on: dt.date | None, note: str) -> Role:
    """Change when ``role`` ends and its note. Who holds it, what and where never change:
    end it and grant another instead.

    Ending a role on or before today revokes the tokens created under it.

    Raises:
        PermissionRefused: ``by`` may not manage roles in the role's body.
        Refusal: an end before the start, or an over-long note.
    """
    if not can_manage_roles(by, role.body):
        raise _refuse_roles(role.body)
    _check_dates(role.starts_on, ends_on)
    note = _clean_note(note)
    with transaction.atomic():
        role.ends_on, role.note = ends_on, note
        role.save(update_fields=["ends_on", "note"])
        if ends_on is not None and ends_on <= timezone.localdate():
            _revoke_tokens_of(role)
    return role


def role_end(*, role: Role, by: Actor, on: dt.date | None = None) -> Role:
    """End ``role`` on ``on`` (today by default): it holds through that day, not after,
    but the tokens created under it stop at once.

    Raises:
        PermissionRefused: ``by`` may not manage roles in the role's body.
        Refusal: ``on`` is before the role started.
    """
    return role_update(role=role, by=by, ends_on=on or timezone.localdate(), note=role.note)


def role_delete(*, role: Role, by: Actor) -> None:
    """Delete ``role`` as if it had never been granted (a mistake); its tokens die with it.

    Raises:
        PermissionRefused: ``by`` may not manage roles in the role's body.
    """
    if not can_manage_roles(by, role.body):
        raise _refuse_roles(role.body)
    with transaction.atomic():
        _revoke_tokens_of(role)
        role.delete()


def _revoke_tokens_of(role: Role) -> None:
    ApiToken.objects.filter(role=role, revoked_at__isnull=True).update(revoked_at=timezone.now())


# -- API tokens -------------------------------------------------------------------------------


def api_token_create(*, user: User, name: str, role: Role | None = None) -> tuple[ApiToken, str]:
    """Create an API token for ``user`` named ``name``, acting under ``role`` only.

    ``role`` may be left out when ``user`` holds exactly one role a token can
    act under. The token dies with its role: when the role ends or is deleted.

    Returns:
        The token and its secret. Show the secret once and never store it: only
        its hash is kept, so it cannot be shown again.

    Raises:
        PermissionRefused: ``user`` holds no staff, auditor or secretary role,
            or ``role`` is not a current one of theirs.
        Refusal: no role chosen among several, the name is missing or too long,
            or ``user`` has too many tokens.
    """
    if role is None:
        held = list(api_token_roles(user)[:2])
        if not held:
            raise PermissionRefused(
                "Only membership staff, auditors and branch secretaries can create API tokens.",
                code="not_an_officer",
            )
        if len(held) > 1:
            raise Refusal("Choose the role the token acts under.", code="role_required",
                          field="role")
        role = held[0]
    elif not can_create_api_token(user, role):
        raise PermissionRefused("You can create a token only under a role you hold today.",
                                code="not_your_role", field="role")
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
    token = ApiToken(user=user, role=role, name=name, prefix=raw[:8], token_hash=_hash(raw),
                     created_at=timezone.now())
    token.full_clean()
    token.save()
    return token, raw


def api_token_revoke(*, token: ApiToken, by: Actor) -> ApiToken:
    """Revoke ``token`` so it no longer authenticates. Revoking twice changes nothing.

    Raises:
        PermissionRefused: ``by`` neither owns the token nor is national staff.
    """
    if not can_revoke_api_token(by, token):
        raise PermissionRefused("You can revoke only your own tokens.", code="not_your_token")
    with transaction.atomic():
        # Keep the first revocation time if two requests race.
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=("revoked_at",))
    return token


def api_token_authenticate(raw: str | None, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token whose secret ``raw`` is, with its ``user`` and ``role``; or None.

    The lookup is by the secret's hash, so no stored secret is compared byte by
    byte. A token works only while its holder is active and the role it was
    created under is current (not ended, not deleted). ``last_used_at`` is
    written at most once a minute per token.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    now = now or timezone.now()
    day = timezone.localdate(now)
    token = (
        ApiToken.objects.select_related("user", "role", "role__body")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True, role__isnull=False,
                role__kind__in=API_ROLE_KINDS, role__starts_on__lte=day)
        .filter(Q(role__ends_on__isnull=True) | Q(role__ends_on__gte=day))
        .first()
    )
    if token is None or not token.user.is_active or token.role.user_id != token.user_id:  # type: ignore[union-attr]
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def password_reset_request(*, email: str) -> None:
    """Queue a password reset for ``email``, whether or not an account has it.

    The request does the same work, in the same time, for a known and an
    unknown address; the job (``accounts.tasks.send_password_reset``) looks
    the address up and mails only an account's owner.
    """
    from rankfile.accounts.tasks import send_password_reset

    with transaction.atomic():
        send_password_reset.enqueue(email=email.strip().lower())


def email_is_verified(user: User) -> bool:
    """Whether ``user`` proved they receive mail at their login address."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email,
                                       verified=True).exists()


def email_address_confirm(*, user: User) -> EmailAddress:
    """Record that ``user`` receives mail at their login address, as a link only that
    address received proved (the joining confirmation): allauth's list of addresses
    then shows it verified and primary, as if allauth had sent the link itself."""
    with transaction.atomic():
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            address = EmailAddress(user=user, email=user.email)
        EmailAddress.objects.filter(user=user, primary=True).exclude(
            pk=address.pk).update(primary=False)
        address.verified = address.primary = True
        address.save()
    return address


def email_address_make_primary(*, by: User, email: str) -> EmailAddress:
    """Make one of ``by``'s own addresses the one they log in with and receive mail at.

    Only a verified address can be made primary: an address one merely typed
    would otherwise be taken from its owner. Adding an address answers alike
    whether or not another account holds it (allauth mails the link to the
    address); only the address's owner can verify it, so only they can learn
    here that it is another account's login.

    Raises:
        Refusal: not one of ``by``'s addresses, not verified yet, or the login of
            another account. Nothing is changed.
    """
    address = EmailAddress.objects.filter(user=by, email__iexact=(email or "").strip()).first()
    if address is None:
        raise Refusal("Choose one of the addresses listed on this page.",
                      code="unknown_address", field="email")
    if not address.verified:
        raise Refusal(f"Confirm {address.email} before making it your primary address: open "
                      "the link we sent to it, or press “Re-send verification”.",
                      code="unverified_email", field="email")
    taken = Refusal(f"{address.email} is the login of another account, so it cannot be the "
                    "primary address of this one. Log in to that account, or remove the "
                    "address here.", code="email_taken", field="email")
    if User.objects.filter(email__iexact=address.email).exclude(pk=by.pk).exists():
        raise taken
    try:
        with transaction.atomic():
            address.set_as_primary()
    except IntegrityError:  # the other account took it meanwhile
        raise taken from None
    return address
