"""Reading articles and comments: lists, pages of a thread, the moderation queue.

A page of comments costs the same few queries whatever the size of the
thread: one count, one page of rows in reading order (``path``), one for the
commenters' badges.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from rankfile.accounts.http import AnyUser
from rankfile.accounts.roles import bodies_with_role, bodies_within
from rankfile.branches.models import Body
from rankfile.discussion.access import MODERATORS, badges_for, readable_articles
from rankfile.discussion.models import Article, Comment, CommentReport

COMMENTS_PER_PAGE = 50
ARTICLES_PER_PAGE = 20

S = Comment.Status


def article_list(*, user: AnyUser | None, tag: str = "", author: str = "",
                 body: Body | None = None) -> QuerySet[Article]:
    """Published articles ``user`` may read, newest first, filtered by tag slug,
    author name and body (with the bodies below it)."""
    qs = Article.objects.filter(readable_articles(user))
    if tag:
        qs = qs.filter(tags__slug=tag)
    if author:
        qs = qs.filter(authors__name__iexact=author)
    if body is not None:
        qs = qs.filter(body_id__in=bodies_within([body]))
    return (
        qs.distinct()
        .select_related("body")
        .prefetch_related("tags", "authors__affiliation")
        .order_by("-published_at", "-pk")
    )


def shown_comments(*, article: Article, user: AnyUser | None, secret_hash: str = "",
                   moderator: bool = False) -> QuerySet[Comment]:
    """The comments of ``article`` that ``user`` sees, in reading order.

    Everyone sees visible, removed and withdrawn comments (the last two as
    placeholders); a comment awaiting moderation is seen by its author and
    the moderators only.
    """
    q = Q(status__in=(S.VISIBLE, S.HIDDEN, S.WITHDRAWN))
    if moderator:
        q |= Q(status=S.PENDING)
    else:
        if (user is not None and user.is_authenticated):
            q |= Q(status=S.PENDING, author=user)
        if secret_hash:
            q |= Q(status=S.PENDING, secret_hash=secret_hash)
    return (
        Comment.objects.filter(article=article)
        .filter(q)
        .only("number", "thread", "depth", "path", "author_id", "name", "html", "status",
              "created_at", "edited_at", "secret_hash", "article_id", "text",
              "moderation_reason")
        .order_by("path")
    )


def comment_page(*, article: Article, user: AnyUser | None, page: int | str | None = 1, secret_hash: str = "",
                 moderator: bool = False) -> Page:
    """One page of ``article``'s thread, each comment with its ``badge`` set."""
    qs = shown_comments(article=article, user=user, secret_hash=secret_hash, moderator=moderator)
    found = Paginator(qs, COMMENTS_PER_PAGE).get_page(page)
    comments = list(found.object_list)
    badges = badges_for(c.author_id for c in comments)
    on_page = {c.number for c in comments}
    for c in comments:
        c.article = article
        c.badge = badges.get(c.author_id, "") if c.author_id is not None else ""
        c.parent_on_page = c.parent_number in on_page
        # Indentation stops growing at 6 levels (3 on a phone, in CSS); "in reply to #n" says the rest.
        c.indent = min(c.depth, 6)
    found.object_list = comments
    return found


def comment_page_number(*, comment: Comment, user: AnyUser | None, secret_hash: str = "",
                        moderator: bool = False) -> int:
    """The page of the thread on which ``comment`` appears for ``user``."""
    before = shown_comments(article=comment.article, user=user, secret_hash=secret_hash,
                            moderator=moderator).filter(path__lt=comment.path).count()
    return before // COMMENTS_PER_PAGE + 1


def moderation_queue(*, user: AnyUser | None) -> QuerySet[Comment]:
    """Comments awaiting moderation or with open reports, on the articles of the
    bodies where ``user`` moderates, oldest first."""
    bodies = bodies_with_role(user, MODERATORS)
    if not bodies:
        return Comment.objects.none()
    open_reports = CommentReport.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
    return (
        Comment.objects.filter(article__body_id__in=bodies_within(bodies))
        .annotate(reported=Exists(open_reports))
        .filter(Q(status=S.PENDING) | Q(reported=True, status=S.VISIBLE))
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .select_related("article")
        .prefetch_related("reports")
        .order_by("created_at")
    )


def articles_in_review(*, user: AnyUser | None) -> QuerySet[Article]:
    bodies = bodies_with_role(user, MODERATORS)
    if not bodies:
        return Article.objects.none()
    return (Article.objects.filter(state=Article.State.IN_REVIEW,
                                   body_id__in=bodies_within(bodies))
            .select_related("body").order_by("submitted_at"))


def articles_by(*, user: AnyUser | None) -> QuerySet[Article]:
    """The articles ``user`` wrote or co-wrote, in any state."""
    if not (user is not None and user.is_authenticated):
        return Article.objects.none()
    return (Article.objects.filter(Q(created_by=user) | Q(authors__user=user)).distinct()
            .select_related("body").order_by("-updated_at"))
