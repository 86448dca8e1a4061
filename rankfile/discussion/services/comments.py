"""Posting, editing, withdrawing and reporting comments."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from rankfile.accounts.http import AnyUser
from rankfile.accounts.models import User
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.core.net import client_ip
from rankfile.discussion.access import can_moderate, can_read, comment_policy_of, current_membership
from rankfile.discussion.markdown import render_comment
from rankfile.discussion.models import (
    MAX_DEPTH,
    PATH_WIDTH,
    Article,
    Comment,
    CommentPolicy,
    CommentReport,
)
from rankfile.discussion.services.moderation import (
    Action,
    Who,
    check_blocked,
    check_links,
    check_rate,
    is_approved,
    log,
    refuse,
)

EDIT_MINUTES = 15
MAX_TEXT = 5000
MAX_NAME = 80
# Per address and per account: a person typing replies stays well under these.
POST_LIMITS = ((5, 60), (40, 3600))
REPORT_LIMITS = ((10, 600),)

S = Comment.Status


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest() if secret else ""


def display_name(user: User) -> str:
    """A member's public name: their membership's, else their account's; never the e-mail."""
    membership = current_membership(user)
    if membership is not None:
        return membership.full_name
    full = user.get_full_name().strip()
    return full or "Member"


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise Refusal("Please enter your comment", code="required", field="text")
    if len(text) > MAX_TEXT:
        raise Refusal(f"Your comment is too long: keep it under {MAX_TEXT:,} characters "
                      f"(it has {len(text):,}).", code="too_long", field="text")
    return text


def _clean_visitor(name: str, email: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise Refusal("Please enter your name", code="required", field="name")
    if len(name) > MAX_NAME:
        raise Refusal(f"Your name is too long: keep it under {MAX_NAME} characters.",
                      code="too_long", field="name")
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Refusal("Enter your e-mail address like name@example.org, or leave it empty.",
                          code="invalid", field="email") from None
    return name, email


def can_post(*, article: Article, user: AnyUser | None) -> tuple[bool, str]:
    """Whether ``user`` may comment on ``article``, and if not, why (a sentence)."""
    if not article.is_published:
        return False, "Comments open when the article is published."
    policy = comment_policy_of(article)
    if policy == CommentPolicy.CLOSED:
        return False, "Comments are closed on this article."
    if policy == CommentPolicy.MEMBERS and current_membership(user) is None and not (
            can_moderate(user, article.body)):
        return False, "Only members may comment on this article. Log in to comment."
    return True, ""


def comment_post(*, article: Article, text: str, user: AnyUser | None = None, name: str = "",
                 email: str = "", parent_number: int | None = None, secret: str = "",
                 honeypot: str = "", request: HttpRequest | None = None,
                 ip: str | None = None, now: dt.datetime | None = None) -> Comment:
    """Post a comment on ``article``, or a reply to its comment ``parent_number``.

    A member (``user`` logged in) posts under their own name; a visitor gives
    ``name`` and optionally ``email`` (never shown). ``secret`` is the visitor's
    browser secret, of which only a hash is stored, so that they can edit or
    withdraw it later. ``request`` gives the address for the rate limits; without
    one (commands, the demo) nothing is limited.

    Returns the comment, visible or awaiting moderation as the policy says.

    Raises:
        Refusal: a missing or over-long field, a reply to a comment not on this
            article or removed, comments closed or members only, the honeypot
            filled, too many links, a blocked word or address (field set where
            one is at fault).
        RateLimited: too many comments from this address or account.
    """
    member = user if (user is not None and user.is_authenticated) else None
    ip = client_ip(request) if request is not None else ip
    who: Who = {"actor": member, "ip": ip, "article": article}
    if honeypot:
        raise refuse(Refusal("Your comment could not be posted.", code="honeypot"), **who)
    text = _clean_text(text)
    if member is None:
        name, email = _clean_visitor(name, email)
    if not can_read(member, article):
        raise NotFound("There is no article at this address, or you may not read it.")
    allowed, why = can_post(article=article, user=member)
    if not allowed:
        raise Refusal(why, code="comments_not_open")
    parent = None
    if parent_number is not None:
        parent = Comment.objects.filter(article=article, number=parent_number).first()
        if parent is None or parent.status == S.PENDING:
            raise Refusal("The comment you are replying to is not on this article.",
                          code="bad_parent", field="parent")
        if parent.status == S.HIDDEN:
            raise Refusal("You cannot reply to a comment removed by moderators.",
                          code="parent_removed", field="parent")
        if parent.status == S.WITHDRAWN:
            raise Refusal("You cannot reply to a comment withdrawn by its author.",
                          code="parent_withdrawn", field="parent")
        if parent.depth >= MAX_DEPTH:
            raise Refusal("This thread is too deep to reply to; reply to an earlier comment.",
                          code="too_deep", field="parent")
    check_links(text, **who)
    check_blocked(text=text, name=name if member is None else "", email=email,
                  actor=member, ip=ip, article=article)
    check_rate(request, what="comment", user=member, limits=POST_LIMITS, article=article)

    if member is not None:
        name, email = display_name(member), ""
    pending = comment_policy_of(article) == CommentPolicy.PREMODERATED and not is_approved(
        article=article, user=member, email=email)
    now = now or timezone.now()
    with transaction.atomic():
        # The row lock hands out numbers one at a time (SQLite: the write lock).
        Article.objects.select_for_update().filter(pk=article.pk).update(
            last_comment_number=F("last_comment_number") + 1)
        number = Article.objects.values_list("last_comment_number", flat=True).get(pk=article.pk)
        own = f"{number:0{PATH_WIDTH}d}"
        comment = Comment(
            article=article, number=number, parent=parent,
            thread=parent.thread if parent else number,
            depth=parent.depth + 1 if parent else 0,
            path=f"{parent.path}.{own}" if parent else own,
            author=member, name=name, email=email, text=text, html=render_comment(text),
            status=S.PENDING if pending else S.VISIBLE, created_at=now, ip=ip or None,
            secret_hash=secret_hash(secret) if member is None else "",
        )
        comment.save()
    article.last_comment_number = number
    return comment


def is_comment_owner(comment: Comment, *, user: AnyUser | None, secret: str) -> bool:
    """The member who posted it, or the browser holding the visitor's secret."""
    if comment.author_id:
        return (user is not None and user.is_authenticated) and comment.author_id == user.pk
    return bool(comment.secret_hash and secret) and hmac.compare_digest(
        comment.secret_hash, secret_hash(secret))


def can_edit(comment: Comment, *, user: AnyUser | None, secret: str,
             now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (comment.status in (S.VISIBLE, S.PENDING)
            and now - comment.created_at <= dt.timedelta(minutes=EDIT_MINUTES)
            and is_comment_owner(comment, user=user, secret=secret))


def comment_edit(*, comment: Comment, text: str, user: AnyUser | None = None, secret: str = "",
                 request: HttpRequest | None = None, now: dt.datetime | None = None) -> Comment:
    """Change a comment's text within ``EDIT_MINUTES`` of posting; it shows as edited.

    A moderator approved the words they read, not new ones: an edited comment
    that a moderator approved, or that shows on a pre-moderated article without
    its author being approved now, goes back to the moderation queue.

    Raises:
        PermissionRefused: not its author (account or browser secret).
        Refusal: the window has passed, the comment is removed or withdrawn, or
            the new text is refused as a new comment's would be.
    """
    now = now or timezone.now()
    if not is_comment_owner(comment, user=user, secret=secret):
        raise PermissionRefused("Only the person who posted a comment can change it.")
    if comment.status not in (S.VISIBLE, S.PENDING):
        raise Refusal("This comment can no longer be changed.", code="not_editable")
    if now - comment.created_at > dt.timedelta(minutes=EDIT_MINUTES):
        raise Refusal(f"Comments can only be edited for {EDIT_MINUTES} minutes after posting.",
                      code="edit_window_closed")
    text = _clean_text(text)
    member = user if (user is not None and user.is_authenticated) else None
    ip = client_ip(request) if request is not None else None
    who: Who = {"actor": member, "ip": ip, "article": comment.article}
    check_links(text, **who)
    check_blocked(text=text, **who)
    article = comment.article
    back_to_queue = comment.status == S.VISIBLE and (
        comment.moderated_at is not None
        or (comment_policy_of(article) == CommentPolicy.PREMODERATED
            and not is_approved(article=article, user=member)))
    comment.text, comment.html, comment.edited_at = text, render_comment(text), now
    fields = ["text", "html", "edited_at"]
    if back_to_queue:
        comment.status = S.PENDING
        fields.append("status")
    comment.save(update_fields=fields)
    return comment


def comment_withdraw(*, comment: Comment, user: AnyUser | None = None, secret: str = "",
                     now: dt.datetime | None = None) -> Comment:
    """Withdraw a comment: its words are erased, its place in the thread is kept.

    Raises:
        PermissionRefused: not its author (account or browser secret).
        Refusal: already withdrawn or removed by moderators.
    """
    if not is_comment_owner(comment, user=user, secret=secret):
        raise PermissionRefused("Only the person who posted a comment can withdraw it.")
    if comment.status not in (S.VISIBLE, S.PENDING):
        raise Refusal("This comment has already been withdrawn or removed.", code="not_editable")
    now = now or timezone.now()
    with transaction.atomic():
        comment.status, comment.text, comment.html, comment.email = S.WITHDRAWN, "", "", ""
        comment.save(update_fields=("status", "text", "html", "email"))
        CommentReport.objects.filter(comment=comment, resolved_at__isnull=True).update(
            resolved_at=now)
    return comment


def comment_report(*, comment: Comment, reason: str, detail: str = "", user: AnyUser | None = None,
                   request: HttpRequest | None = None,
                   now: dt.datetime | None = None) -> CommentReport:
    """Report a comment to the moderators of its article's body.

    Raises:
        NotFound: the comment is on an article ``user`` may not read.
        Refusal: no reason, or the comment is not shown.
        Conflict: this account has already reported it.
        RateLimited: too many reports from this address or account.
    """
    from rankfile.core.errors import Conflict

    member = user if (user is not None and user.is_authenticated) else None
    if not can_read(member, comment.article):
        raise NotFound("There is no article at this address, or you may not read it.")
    if comment.status != S.VISIBLE:
        raise Refusal("This comment is no longer shown.", code="not_visible")
    if reason not in CommentReport.Reason.values:
        raise Refusal("Choose why you are reporting this comment.", code="required",
                      field="reason")
    detail = (detail or "").strip()
    if len(detail) > 1000:
        raise Refusal("Keep the details under 1,000 characters.", code="too_long",
                      field="detail")
    if member is not None and CommentReport.objects.filter(
            comment=comment, reporter=member, resolved_at__isnull=True).exists():
        raise Conflict("You have already reported this comment; the moderators will look at it.")
    check_rate(request, what="report", user=member, limits=REPORT_LIMITS, article=comment.article)
    ip = client_ip(request) if request is not None else None
    with transaction.atomic():
        report = CommentReport.objects.create(
            comment=comment, reason=reason, detail=detail, reporter=member,
            reporter_ip=ip or None, created_at=now or timezone.now())
        log(Action.REPORT, actor=member, ip=ip, article=comment.article, comment=comment,
            reason=f"{report.get_reason_display()}: {detail}".rstrip(": "))
    return report
