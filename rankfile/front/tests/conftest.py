"""What the front page, navigation and accessibility tests need besides the personas
of conftest.py (see rankfile/demo/personas.py):

- ``offers``: what one may join (ask for it before the personas, as it creates the
  "member" category their memberships take).
- ``article``: a public Chingford article by ``author``, published by ``moderator``.
- ``log_in``: a Playwright page with a persona's session.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from rankfile.discussion.services.articles import article_create, article_publish
from rankfile.membership.tests.join_helpers import make_offers


@pytest.fixture
def offers(area):
    """The three categories, two rates, an open supporters' window and a union (first,
    as the personas' memberships take the "member" category it creates)."""
    return make_offers()


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
