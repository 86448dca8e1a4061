"""Discussion personas, on top of the shared ones (see rankfile/demo/personas.py):

- ``member``: an active member (category "Member") in the Chingford branch; comments
  under their own name with a badge.
- ``author``: a member with the author role in Chingford; writes its articles.
- ``moderator``: moderator of Chingford; publishes and moderates Chingford's articles.
- ``other_moderator``: moderator of Highams Park; may not touch Chingford's articles.
- ``article``: a published, public Chingford article by ``author``, comments open.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.branches.models import Body
from rankfile.demo.personas import give_role, make_user
from rankfile.discussion.services.articles import article_create, article_publish
from rankfile.membership.models import Category, Membership


def make_member(email: str, first: str, last: str, branch: Body, *,
                kind: str = Category.Kind.MEMBER, name: str = "Member") -> User:
    category, _ = Category.objects.get_or_create(kind=kind, defaults={"name": name})
    user = make_user(email, first_name=first, last_name=last)
    now = timezone.now()
    Membership.objects.create(
        reference=f"RF-{Membership.objects.count() + 1:08d}", user=user, category=category,
        status=Membership.Status.ACTIVE, first_name=first, last_name=last,
        date_of_birth=dt.date(1980, 1, 1), postcode="E4 7AA", branch=branch,
        constituency=branch.parent, applied_at=now, consent_version="2026-11", consent_at=now,
    )
    return user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas have passwords; the production hasher costs about a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def member(area):
    return make_member("member@example.org", "Mo", "Member", area.branch)


@pytest.fixture
def author(area):
    user = make_member("author@example.org", "Ava", "Author", area.branch)
    give_role(user, "author", area.branch)
    return user


@pytest.fixture
def moderator(area):
    user = make_user("moderator@example.org", first_name="Max", last_name="Moderator")
    give_role(user, "moderator", area.branch)
    return user


@pytest.fixture
def other_moderator(area):
    user = make_user("other-mod@example.org", first_name="Olu", last_name="Other")
    give_role(user, "moderator", area.other_branch)
    return user


def publish(author, moderator, body, **fields):
    fields.setdefault("title", "Why join now")
    fields.setdefault("standfirst", "The case for joining, in two minutes.")
    fields.setdefault("markdown", "Join **now**.")
    article = article_create(by=author, body=body, **fields)
    return article_publish(article=article, by=moderator)


@pytest.fixture
def article(area, author, moderator):
    return publish(author, moderator, area.branch, tags=["Joining"])
