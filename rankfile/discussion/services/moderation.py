"""Moderation: removing and approving comments, spam and abuse controls, erasure.

Every moderation action and every refused spam or abuse attempt is written
to ``ModerationLog``. Refusals are logged in their own (autocommit) write
before the ``Refusal`` is raised, so the record survives the refusal.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TypedDict, Unpack

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from rankfile.accounts.http import Actor, AnyUser
from rankfile.accounts.models import User
from rankfile.accounts.services import email_is_verified
from rankfile.core.errors import PermissionRefused, RateLimited, Refusal
from rankfile.core.net import client_ip, rate_limit
from rankfile.discussion.access import can_erase_commenter_emails, can_moderate
from rankfile.discussion.markdown import count_links
from rankfile.discussion.models import (
    ApprovedCommenter,
    Article,
    BlockedTerm,
    Comment,
    CommentReport,
    ModerationLog,
)
from rankfile.outbox.services import outbox_enqueue

MAX_LINKS = 2
ERASE_SALT = "rankfile.discussion.erase-email"
ERASE_LINK_DAYS = 7

Action = ModerationLog.Action


class Who(TypedDict):
    """Who attempted something, for the log of a refusal."""

    actor: User | None
    ip: str | None
    article: Article | None


def log(action: str, *, code: str = "", actor: Actor = None, ip: str | None = None,
        article: Article | None = None, comment: Comment | None = None,
        reason: str = "") -> ModerationLog:
    actor = actor if (actor is not None and actor.is_authenticated) else None
    return ModerationLog.objects.create(
        at=timezone.now(), action=action, code=code, actor=actor, ip=ip or None,
        article=article, comment=comment, reason=reason[:1000],
    )


def refuse(refusal: Refusal, *, actor: AnyUser | None, ip: str | None, article: Article | None,
           comment: Comment | None = None, detail: str = "") -> Refusal:
    """Log a spam or abuse refusal and hand it back for raising."""
    log(Action.REFUSE, code=refusal.code, actor=actor, ip=ip, article=article, comment=comment,
        reason=detail or refusal.message)
    return refusal


def check_links(text: str, **who: Unpack[Who]) -> None:
    found = count_links(text)
    if found > MAX_LINKS:
        raise refuse(Refusal(
            f"A comment may contain at most {MAX_LINKS} links; yours has {found}. "
            "Remove some links and try again.", code="too_many_links", field="text"), **who)


def check_blocked(*, text: str, name: str = "", email: str = "", ip: str | None = None,
                  actor: User | None = None, article: Article | None = None) -> None:
    """Refuse text or names with a blocked word, and blocked e-mail or IP addresses."""
    terms = list(BlockedTerm.objects.values_list("kind", "value"))
    if not terms:
        return
    words = " ".join((name, text)).casefold()
    email = email.strip().lower()
    for kind, value in terms:
        value = value.strip()
        if not value:
            continue
        hit = False
        if kind == BlockedTerm.Kind.WORD:
            hit = re.search(rf"(?<!\w){re.escape(value.casefold())}(?!\w)", words) is not None
        elif kind == BlockedTerm.Kind.EMAIL and email:
            value = value.lower()
            hit = email == value or (value.startswith("@") and email.endswith(value))
        elif kind == BlockedTerm.Kind.IP and ip:
            hit = ip == value
        if hit:
            field = "text" if kind == BlockedTerm.Kind.WORD else None
            raise refuse(Refusal(
                "Your comment could not be posted: it contains words, or comes from an "
                "address, that this site does not accept. If you think this is a mistake, "
                "contact the organisation.", code="blocked", field=field),
                detail=f"blocked {kind}: {value}", ip=ip, actor=actor, article=article)


def check_rate(request: HttpRequest | None, *, what: str, user: AnyUser | None, limits: tuple,
               article: Article | None = None) -> None:
    """Count one attempt per address and per account; refuse past the limits.

    ``limits`` is ``((count, seconds), ...)``. Without a request (commands, the
    demo loader) nothing is limited.
    """
    if request is None:
        return
    ip = client_ip(request)
    account = getattr(user, "pk", None) if (user is not None and user.is_authenticated) else None
    for count, seconds in limits:
        try:
            rate_limit(request, scope=f"discussion-{what}-ip-{seconds}", limit=count,
                       per_seconds=seconds)
            if account:
                rate_limit(request, scope=f"discussion-{what}-user-{seconds}", limit=count,
                           per_seconds=seconds, key=f"user-{account}")
        except RateLimited:
            minutes = max(1, seconds // 60)
            raise refuse(RateLimited(
                f"You have sent too many {what}s in a short time. Please wait {minutes} "
                f"minute{'s' if minutes != 1 else ''} and try again."),
                actor=user, ip=ip, article=article) from None


def is_approved(*, article: Article, user: AnyUser | None, email: str = "") -> bool:
    """Approved commenters skip pre-moderation, and only under a *verified* e-mail
    address: a login whose address is verified, approved by account or by that
    address. A visitor's typed address proves nothing (anyone can type an approved
    commenter's address), so a visitor is never approved; ``email`` is ignored."""
    if not (user is not None and user.is_authenticated):
        return False
    if can_moderate(user, article.body):
        return True
    if not email_is_verified(user):
        return False
    return ApprovedCommenter.objects.filter(
        Q(user=user) | Q(email=user.email.strip().lower())).exists()


def comment_moderate(*, comment: Comment, moderator: User, action: str, reason: str,
                     now: dt.datetime | None = None) -> Comment:
    """Remove (``"hide"``) or approve (``"approve"``) a comment, with a reason.

    Removing keeps the comment's place in its thread ("removed by moderators").
    Approving a comment awaiting moderation shows it and approves its
    commenter; approving a reported or removed comment shows it again. Either
    closes the open reports on it.

    Raises:
        PermissionRefused: ``moderator`` holds no moderator role in the
            article's body or above it.
        Refusal: no reason, or an action that does not apply.
    """
    article = comment.article
    if not can_moderate(moderator, article.body):
        raise PermissionRefused(
            "You can only moderate articles of the branches or constituencies where you are "
            "a moderator.")
    reason = (reason or "").strip()
    if not reason:
        raise Refusal("Give a reason for your decision.", code="reason_required", field="reason")
    if len(reason) > 500:
        raise Refusal("Keep the reason under 500 characters.", code="too_long", field="reason")
    if action not in ("hide", "approve"):
        raise Refusal("Choose to remove or approve the comment.", code="bad_action")
    if comment.status == Comment.Status.WITHDRAWN:
        raise Refusal("This comment was withdrawn by its author.", code="withdrawn")
    now = now or timezone.now()
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment.article = article
        was = comment.status
        comment.status = Comment.Status.HIDDEN if action == "hide" else Comment.Status.VISIBLE
        comment.moderated_at, comment.moderated_by, comment.moderation_reason = (
            now, moderator, reason)
        comment.save(update_fields=("status", "moderated_at", "moderated_by",
                                    "moderation_reason"))
        if action == "approve" and was == Comment.Status.PENDING:
            _approve_commenter(comment, by=moderator, now=now)
        CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=moderator)
        log(Action.HIDE if action == "hide" else Action.APPROVE, actor=moderator,
            article=article, comment=comment, reason=reason)
    return comment


def _approve_commenter(comment: Comment, *, by: User, now: dt.datetime) -> None:
    # A member's account (skipping moderation once its address is verified: see
    # is_approved); never a visitor's typed address, which anyone could type again.
    if comment.author_id:
        ApprovedCommenter.objects.get_or_create(
            user_id=comment.author_id, defaults={"approved_at": now, "approved_by": by})


def erase_token(email: str) -> str:
    return signing.dumps(email.strip().lower(), salt=ERASE_SALT, compress=True)


def email_from_erase_token(token: str) -> str:
    """The e-mail address a signed erase link was made for.

    Raises:
        Refusal: the link is altered or older than ``ERASE_LINK_DAYS``.
    """
    try:
        return str(signing.loads(token, salt=ERASE_SALT, max_age=dt.timedelta(days=ERASE_LINK_DAYS)))
    except signing.SignatureExpired:
        raise Refusal("This link has expired. Ask for a new one.", code="expired") from None
    except signing.BadSignature:
        raise Refusal("This link is not valid. Ask for a new one.", code="bad_link") from None


def commenter_erase_request(*, email: str, request: HttpRequest | None = None) -> None:
    """E-mail a signed link that erases ``email`` from every comment.

    The request does the same work, and gets the same answer, whether or not
    any comment carries the address, so neither the page nor its timing
    reveals who commented: it queues a job, and the job
    (``commenter_erase_link_send``) mails the link only if there is something
    to erase.
    """
    from rankfile.discussion.tasks import send_erase_link

    email = (email or "").strip().lower()
    if not email:
        raise Refusal("Please enter your e-mail address.", code="required", field="email")
    check_rate(request, what="erasure request", user=None, limits=((5, 3600),))
    with transaction.atomic():
        send_erase_link.enqueue(email=email)


def commenter_erase_link_send(*, email: str, key: str) -> bool:
    """Queue the erasure link for ``email`` if a comment or an approval carries it.

    For the job that ``commenter_erase_request`` queues; ``key`` names the
    message (the job's id), so a job run twice mails once. Returns whether a
    link was queued.
    """
    email = email.strip().lower()
    if not (Comment.objects.filter(email__iexact=email).exists()
            or ApprovedCommenter.objects.filter(email=email).exists()):
        return False
    url = settings.SITE_URL + reverse("discussion:erase_confirm", args=[erase_token(email)])
    outbox_enqueue(
        to=email, purpose="comment_erase_link", key=f"comment_erase_link:{key}",
        subject=f"{settings.ORGANISATION_NAME}: erase your e-mail address from your comments",
        body=("Someone, probably you, asked us to erase this e-mail address from the "
              "comments posted with it.\n\n"
              f"To erase it, open this link within {ERASE_LINK_DAYS} days and confirm:\n"
              f"{url}\n\nIf you did not ask, ignore this message: nothing changes."),
    )
    return True


def commenter_erase_email(*, email: str, by: Actor) -> int:
    """Erase ``email`` from every comment and from the approved commenters, for staff
    handling a request. Returns the number of comments changed; the log records the
    count, not the address.

    Raises:
        PermissionRefused: ``by`` is not national staff (nor the system).
    """
    if not can_erase_commenter_emails(by):
        raise PermissionRefused("Only membership staff can erase a commenter's address.",
                                code="not_staff")
    return _erase(email, by=by)


def commenter_erase_by_link(*, token: str) -> int:
    """Erase the address a signed erase link was e-mailed to: holding the link is the
    right to erase it. Returns the number of comments changed.

    Raises:
        Refusal: the link is altered or older than ``ERASE_LINK_DAYS``.
    """
    return _erase(email_from_erase_token(token), by=None)


def _erase(email: str, *, by: Actor) -> int:
    email = (email or "").strip().lower()
    if not email:
        return 0
    with transaction.atomic():
        changed = Comment.objects.filter(email__iexact=email).update(email="")
        ApprovedCommenter.objects.filter(Q(email=email)).delete()
        log(Action.ERASE_EMAIL, actor=by, reason=f"Erased an e-mail address from {changed} "
            f"comment{'s' if changed != 1 else ''}.")
    return changed
