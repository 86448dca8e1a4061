"""Fixtures shared by every app's tests: the demo area and the personas.

See rankfile/core/testing.py for what each persona may do.
"""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's
# async-safety guard would otherwise refuse ORM calls from live-server tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def area(db):
    from rankfile.core.testing import make_area

    return make_area()


@pytest.fixture
def staff(area):
    from rankfile.core.testing import give_role, make_user

    user = make_user("staff@example.org", first_name="Sam", last_name="Staff")
    give_role(user, "staff", area.organisation)
    return user


@pytest.fixture
def secretary(area):
    from rankfile.core.testing import give_role, make_user

    user = make_user("secretary@example.org", first_name="Sue", last_name="Secretary")
    give_role(user, "secretary", area.branch)
    return user


@pytest.fixture
def outsider(db):
    from rankfile.core.testing import make_user

    return make_user("outsider@example.org")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from rankfile.branches.selectors import place_postcode_forget
    from rankfile.membership.services.joining import joining_offers_forget

    cache.clear()
    place_postcode_forget()
    joining_offers_forget()
    yield
    cache.clear()
    place_postcode_forget()
    joining_offers_forget()


# Browser tests: Playwright drives Debian's Chromium (no browser download).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture
def phone(page):
    """A page sized like a phone (360 x 740), with a generous timeout for a busy machine."""
    page.set_viewport_size({"width": 360, "height": 740})
    page.set_default_timeout(20_000)
    return page
