"""Personas for the front page, navigation and accessibility tests, on top of the shared
ones in conftest.py (``staff``, ``secretary``, ``outsider``, ``area``):

- ``member``: an active member in the Chingford branch; sees their own membership.
- ``moderator``: moderates Chingford's comments and articles; nothing else.
- ``author``: an active member who writes Chingford's articles.
- ``article``: a public Chingford article by ``author``, published by ``moderator``.
- ``offers``: what one may join (ask for it before the personas).

TODO(#8): the perm helper's personas (rankfile/demo/personas.py) replace these.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from rankfile.demo.personas import give_role, make_user
from rankfile.discussion.services.articles import article_create, article_publish
from rankfile.membership.tests.factories import make_member_in
from rankfile.membership.tests.join_helpers import make_offers


@pytest.fixture
def offers(area):
    """The three categories, two rates, an open supporters' window and a union (first,
    as the personas' memberships take the "member" category it creates)."""
    return make_offers()


@pytest.fixture
def member(area):
    user = make_user("member@example.org", first_name="Mo", last_name="Member")
    make_member_in(area, user, first_name="Mo", last_name="Member")
    return user


@pytest.fixture
def moderator(area):
    user = make_user("moderator@example.org", first_name="Max", last_name="Moderator")
    give_role(user, "moderator", area.branch)
    return user


@pytest.fixture
def author(area):
    user = make_user("author@example.org", first_name="Ava", last_name="Author")
    make_member_in(area, user, first_name="Ava", last_name="Author")
    give_role(user, "author", area.branch)
    return user


@pytest.fixture
def article(area, author, moderator):
    draft = article_create(by=author, body=area.branch, title="Why join now",
                           standfirst="The case for joining, in two minutes.",
                           markdown="Join **now**.")
    return article_publish(article=draft, by=moderator)


def log_in(page: Any, live_server: Any, user: Any) -> None:
    """Give a Playwright page ``user``'s session, without typing a password."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])
