"""Discussion fixtures, on top of the shared personas (see rankfile/demo/personas.py):
``member``, ``author`` (Chingford's author) and ``moderator`` (Chingford's) come from the
root conftest.py.

- ``other_moderator``: moderator of Highams Park; may not touch Chingford's articles.
- ``article``: a published, public Chingford article by ``author``, comments open.
"""

from __future__ import annotations

import pytest

from rankfile.demo.personas import give_role, make_member, make_user
from rankfile.discussion.services.articles import article_create, article_publish

__all__ = ["make_member", "publish"]


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
