"""E-mail preferences, a branch's e-mails to its members, and one-click unsubscribe.

A secretary's e-mail to their branch (``branch_mail_send``) is written as a
``BranchMailing`` and queued by a job (``tasks.queue_branch_mailing``) that
addresses one message to each member in good standing of the body (supporters
included) who has not turned branch mail off, through the outbox. Each
message carries its own unsubscribe link, also as ``List-Unsubscribe`` with
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), so a mail
program can unsubscribe with one POST and no login. The link is signed; it
names the person and the version of their preferences it was made for, so a
forged link does nothing and an old link cannot undo a later choice. An
unsubscription is honoured at once: a mailing queued afterwards leaves the
person out (one already queued is not recalled).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.accounts.roles import bodies_within
from rankfile.branches.models import Body
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.mailings.access import bodies_to_mail
from rankfile.mailings.models import BranchMailing, MailPreferences
from rankfile.membership.models import GOOD_STANDING, Membership
from rankfile.outbox.services import Draft, outbox_enqueue_many, outbox_render

SUBJECT_MAX_LENGTH = 150
BODY_MAX_LENGTH = 20_000
UNSUBSCRIBE_SALT = "rankfile.mailings.unsubscribe"
PURPOSE = "branch_mail"
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")


# -- preferences ------------------------------------------------------------------------------


def preferences_of(user: User) -> MailPreferences:
    """``user``'s preferences (the defaults, unsaved, if they never chose)."""
    found = MailPreferences.objects.filter(user=user).first()
    return found if found is not None else MailPreferences(user=user)


def preferences_change(*, user: User, by: Actor, branch_mail: bool,
                       via: str = "page") -> MailPreferences:
    """Record ``user``'s choice about branch mail.

    Raises:
        PermissionRefused: ``by`` is not ``user``: only people choose what they receive.
    """
    if getattr(by, "pk", None) != user.pk:
        raise PermissionRefused("Only you can change what e-mail you receive.",
                                code="not_your_account")
    with transaction.atomic():
        prefs, _ = MailPreferences.objects.select_for_update().get_or_create(user=user)
        if prefs.branch_mail != branch_mail:
            prefs.branch_mail = branch_mail
            prefs.version += 1
            prefs.changed_at = timezone.now()
            prefs.changed_via = via
            prefs.save(update_fields=("branch_mail", "version", "changed_at", "changed_via"))
    return prefs


# -- unsubscribe links ------------------------------------------------------------------------


def unsubscribe_token(user_id: int, version: int) -> str:
    return signing.dumps([user_id, version], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user_id: int, version: int) -> str:
    return settings.SITE_URL + reverse("mailings:unsubscribe",
                                       args=[unsubscribe_token(user_id, version)])


def _bad_link() -> Refusal:
    return Refusal("This unsubscribe link is not valid or is out of date. Change what you "
                   "receive on your page instead.", code="bad_unsubscribe_link")


def _read(token: str) -> tuple[int, int]:
    try:
        user_id, version = signing.loads((token or "")[:500], salt=UNSUBSCRIBE_SALT)
        return int(user_id), int(version)
    except (signing.BadSignature, TypeError, ValueError):
        raise _bad_link() from None


def unsubscribe_check(token: str) -> bool:
    """Whether ``token`` would unsubscribe someone still subscribed (False: already off).

    Raises:
        Refusal: a forged link, or one made before a later choice.
    """
    user_id, version = _read(token)
    prefs = MailPreferences.objects.filter(user_id=user_id).first()
    if prefs is not None and not prefs.branch_mail:
        return False
    if (prefs.version if prefs else 0) != version or not User.objects.filter(
            pk=user_id, is_active=True).exists():
        raise _bad_link()
    return True


def unsubscribe(*, token: str) -> bool:
    """Turn branch mail off for the person ``token`` names, at once; no login needed.

    Returns:
        True if it was on and is now off, False if it was already off (a link
        used twice, or a mail program's one-click POST followed by a visit).

    Raises:
        Refusal: as ``unsubscribe_check``. Nothing is changed.
    """
    user_id, version = _read(token)
    with transaction.atomic():
        if not unsubscribe_check(token):
            return False
        user = User.objects.get(pk=user_id)
        prefs, _ = MailPreferences.objects.select_for_update().get_or_create(user=user)
        if not prefs.branch_mail:
            return False
        if prefs.version != version:
            raise _bad_link()
        preferences_change(user=user, by=user, branch_mail=False, via="link")
    return True


# -- branch mailings --------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    body: Body
    subject: str
    text: str
    recipients: int


def _clean(subject: str, text: str) -> tuple[str, str]:
    subject = " ".join((subject or "").split())
    text = (text or "").replace("\r\n", "\n").strip()
    if not subject:
        raise Refusal("Enter a subject.", code="required", field="subject")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise Refusal(f"Shorten the subject to {SUBJECT_MAX_LENGTH} characters or fewer.",
                      code="too_long", field="subject")
    if not text:
        raise Refusal("Write the message.", code="required", field="message")
    if len(text) > BODY_MAX_LENGTH:
        raise Refusal(f"Shorten the message to {BODY_MAX_LENGTH} characters or fewer.",
                      code="too_long", field="message")
    for value, field, label in ((subject, "subject", "subject"), (text, "message", "message")):
        if "\ufffd" in value or any(
                (unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\n\t")
                or c in BIDI_CONTROLS for c in value):
            raise Refusal(f"The {label} contains characters that cannot be read. Type it again.",
                          code="unreadable", field=field)
    return subject, text


def _check_sender(by: Actor, body: Body) -> None:
    if body not in bodies_to_mail(by):
        raise PermissionRefused("Only a branch's secretary can e-mail its members.",
                                code="not_a_secretary")


def recipients_of(body: Body) -> QuerySet[User]:
    """The people a mailing to ``body`` reaches: its members in good standing (any
    category), one message each, without those who turned branch mail off."""
    within = bodies_within([body])
    members = Membership.objects.filter(status__in=GOOD_STANDING, branch_id__in=within)
    return (User.objects.filter(is_active=True, pk__in=members.values("user_id"))
            .exclude(mail_preferences__branch_mail=False).order_by("pk"))


def branch_mail_preview(*, body: Body, subject: str, text: str, by: Actor) -> Preview:
    """What ``branch_mail_send`` would send, and to how many, without sending it.

    Raises:
        PermissionRefused: ``by`` is not the body's secretary.
        Refusal: a missing or too long subject or message, or unreadable characters.
    """
    _check_sender(by, body)
    subject, text = _clean(subject, text)
    return Preview(body=body, subject=subject, text=text,
                   recipients=recipients_of(body).count())


def branch_mail_send(*, body: Body, subject: str, text: str, by: Actor) -> BranchMailing:
    """Record the mailing and queue the job that addresses it (module docstring).

    Raises:
        PermissionRefused, Refusal: as ``branch_mail_preview``. Nothing is sent.
    """
    from rankfile.mailings.tasks import queue_branch_mailing

    _check_sender(by, body)
    subject, text = _clean(subject, text)
    with transaction.atomic():
        mailing = BranchMailing.objects.create(
            branch=body, subject=subject, body=text, created_at=timezone.now(),
            sent_by=by if isinstance(by, User) else None)
        queue_branch_mailing.enqueue(mailing_id=mailing.pk)
    return mailing


def branch_mailing_queue(*, mailing_id: int) -> int:
    """Address ``mailing`` to its recipients through the outbox; returns how many.

    Safe to run twice: each message's key names the mailing and the person, so
    the outbox queues it once, and the count is recorded by the first run only.
    """
    with transaction.atomic():
        mailing = BranchMailing.objects.select_for_update().select_related("branch").get(
            pk=mailing_id)
        people = list(recipients_of(mailing.branch).values_list("pk", "email"))
        versions = dict(MailPreferences.objects.filter(user_id__in=[p for p, _ in people])
                        .values_list("user_id", "version"))
        drafts = []
        for user_id, email in people:
            link = unsubscribe_url(user_id, versions.get(user_id, 0))
            rendered = outbox_render(template="emails/branch_mail.txt", subject=mailing.subject,
                                     context={"mailing": mailing, "unsubscribe": link,
                                              "preferences": settings.SITE_URL
                                              + reverse("mailings:preferences")})
            drafts.append(Draft(
                to=email, subject=rendered.subject, body=rendered.body, purpose=PURPOSE,
                key=f"{PURPOSE}:{mailing.pk}:{user_id}",
                headers={"List-Unsubscribe": f"<{link}>",
                         "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}))
        outbox_enqueue_many(drafts)
        if mailing.queued_at is None:
            mailing.queued_at = timezone.now()
            mailing.recipients = len(drafts)
            mailing.save(update_fields=("queued_at", "recipients"))
    return len(drafts)


def branch_mailing_list(*, by: Actor, body: Body, limit: int = 50) -> list[BranchMailing]:
    """The mailings to ``body``, newest first.

    Raises:
        PermissionRefused: ``by`` is not the body's secretary.
    """
    _check_sender(by, body)
    return list(BranchMailing.objects.filter(branch=body).select_related("sent_by")[:limit])
