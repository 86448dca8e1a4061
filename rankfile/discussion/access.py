"""Who may read, write, publish, comment on and moderate articles.

Every answer comes from ``accounts.roles.has_role`` (roles in the article's
body or a body above it) and from the reader's current membership; there is
no second permission mechanism.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from rankfile.accounts.http import Actor
from rankfile.accounts.models import Role
from rankfile.accounts.roles import bodies_with_role, bodies_within, has_role, is_national_staff
from rankfile.branches.models import Body
from rankfile.core.actors import is_system
from rankfile.core.errors import NotFound
from rankfile.discussion.models import Article, BodyDiscussionSettings, CommentPolicy
from rankfile.membership.models import GOOD_STANDING, Membership

MODERATORS = (Role.Kind.MODERATOR, Role.Kind.STAFF)
PUBLISHERS = (Role.Kind.MODERATOR, Role.Kind.STAFF)
AUTHORS = (Role.Kind.AUTHOR,)


def current_membership(user: Actor) -> Membership | None:
    """The user's membership in good standing, if any (the newest one)."""
    if not (user is not None and user.is_authenticated):
        return None
    return (
        Membership.objects.filter(user=user, status__in=GOOD_STANDING)
        .select_related("category", "branch", "constituency")
        .order_by("-applied_at")
        .first()
    )


def badges_for(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Each user's badge (their current membership's category name), in one query."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = (
        Membership.objects.filter(user_id__in=ids, status__in=GOOD_STANDING)
        .order_by("user_id", "applied_at")
        .values_list("user_id", "category__name")
    )
    return dict(rows)  # the newest membership of each user wins


def reader_body_ids(user: Actor) -> set[int]:
    """Bodies whose body-only articles ``user`` may read: their branch and
    constituency and every body above, and every body they hold a role in or below."""
    if not (user is not None and user.is_authenticated):
        return set()
    found: set[int] = set()
    membership = current_membership(user)
    if membership is not None:
        for body in (membership.branch, membership.constituency):
            if body is not None:
                found |= {body.pk, *(b.pk for b in body.ancestors())}
    roles = bodies_with_role(user, [*MODERATORS, *AUTHORS, Role.Kind.SECRETARY, Role.Kind.CHAIR])
    if roles:
        found |= bodies_within(roles)
    return found


def is_member(user: Actor) -> bool:
    return current_membership(user) is not None


def can_write(user: Actor, body: Body) -> bool:
    return has_role(user, AUTHORS, body)


def can_moderate(user: Actor, body: Body) -> bool:
    return has_role(user, MODERATORS, body)


def can_publish(user: Actor, body: Body) -> bool:
    return has_role(user, PUBLISHERS, body)


def can_delete_article(user: Actor, article: Article) -> bool:
    """Moderators and staff of its body or above (who may also withdraw it)."""
    return can_publish(user, article.body)


def can_erase_commenter_emails(user: Actor) -> bool:
    """National staff, handling a data-protection request. (A commenter erases their
    own address with the signed link e-mailed to it: ``commenter_erase_by_link``.)"""
    return is_system(user) or is_national_staff(user)


def can_configure_discussion(user: Actor) -> bool:
    """Tags, blocked terms, approved commenters and bodies' comment policies: national
    staff (in the admin) and the system."""
    return is_system(user) or is_national_staff(user)


def is_article_author(user: Actor, article: Article) -> bool:
    if not (user is not None and user.is_authenticated):
        return False
    return article.created_by_id == user.pk or article.authors.filter(user=user).exists()


def can_edit_article(user: Actor, article: Article) -> bool:
    """Its authors while they hold the author role and it is unpublished; moderators always."""
    if can_moderate(user, article.body):
        return True
    return (
        not article.is_published
        and is_article_author(user, article)
        and can_write(user, article.body)
    )


def can_read(user: Actor, article: Article) -> bool:
    """Published and visible to ``user``; unpublished only to its authors and moderators."""
    if not article.is_published:
        return is_article_author(user, article) or can_moderate(user, article.body)
    if article.visibility == Article.Visibility.PUBLIC:
        return True
    if article.visibility == Article.Visibility.MEMBERS:
        return is_member(user) or bool(reader_body_ids(user))
    return article.body_id in reader_body_ids(user)


def readable_articles(user: Actor) -> Q:
    """A filter for the published articles ``user`` may read."""
    q = Q(state=Article.State.PUBLISHED) & Q(visibility=Article.Visibility.PUBLIC)
    if (user is not None and user.is_authenticated):
        bodies = reader_body_ids(user)
        if bodies or is_member(user):
            q |= Q(state=Article.State.PUBLISHED, visibility=Article.Visibility.MEMBERS)
        if bodies:
            q |= Q(state=Article.State.PUBLISHED, visibility=Article.Visibility.BODY,
                   body_id__in=bodies)
    return q


def access_article(user: Actor, slug: str) -> Article:
    """The article at ``slug`` if ``user`` may read it.

    Raises:
        NotFound: no such article, or not one ``user`` may read (the same
            answer, so that unpublished titles do not leak).
    """
    article = Article.objects.select_related("body").filter(slug=slug).first()
    if article is None or not can_read(user, article):
        raise NotFound("There is no article at this address, or you may not read it.")
    return article


def comment_policy_of(article: Article) -> str:
    """The article's own policy, else the nearest body's with settings, else open."""
    if article.comment_policy:
        return article.comment_policy
    chain = [article.body, *article.body.ancestors()]
    found = {
        s.body_id: s.comment_policy
        for s in BodyDiscussionSettings.objects.filter(body_id__in=[b.pk for b in chain])
    }
    for body in chain:
        if body.pk in found:
            return found[body.pk]
    return CommentPolicy.OPEN
