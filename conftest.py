"""Fixtures shared by every app's tests: the clock, the demo area and the personas.

See rankfile/demo/personas.py for what each persona may do.

The clock: no test reads the real one. Every test runs with the clock moved
(time-machine) to ``RANKFILE_TEST_NOW`` (default below) and ticking from there,
so leases and polling still advance. CI runs the suite once more with
``RANKFILE_TEST_NOW=2028-02-29T23:30:00+00:00``: 29 February, half an hour
before midnight in London.

Hypothesis: the ``ci`` profile (derandomised: the same examples every run) by
default; ``make test-deep`` loads ``deep``, which explores.
"""

import datetime as dt
import os

import pytest
import time_machine
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Playwright's sync API runs an event loop in the test thread; Django's
# async-safety guard would otherwise refuse ORM calls from live-server tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


TEST_NOW = dt.datetime.fromisoformat(
    os.environ.get("RANKFILE_TEST_NOW") or "2026-11-18T10:15:00+00:00")
if TEST_NOW.tzinfo is None:
    raise SystemExit("RANKFILE_TEST_NOW needs a UTC offset, e.g. 2028-02-29T23:30:00+00:00")

hypothesis_settings.register_profile(
    "ci", derandomize=True, max_examples=30, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
hypothesis_settings.register_profile(
    "deep", max_examples=1000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return  # -p no:django, as the engine's tests run (docs/counting.md)
    from django.conf import settings

    # Hashing is not what the tests check: the fastest hasher cuts minutes off the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clock():
    """Every test runs at ``TEST_NOW``, with the clock ticking from there."""
    with time_machine.travel(TEST_NOW, tick=True) as traveller:
        yield traveller


# The personas: see rankfile/demo/personas.py for what each may do.

@pytest.fixture
def area(db):
    from rankfile.demo.personas import make_area

    return make_area()


@pytest.fixture
def supporter(area):
    """A registered supporter in Chingford."""
    from rankfile.demo.personas import make_supporter

    return make_supporter(area)


@pytest.fixture
def member(area):
    """An active member in Chingford."""
    from rankfile.demo.personas import make_member_persona

    return make_member_persona(area)


@pytest.fixture
def other_secretary(area):
    """The secretary of Highams Park: sees none of Chingford's members."""
    from rankfile.demo.personas import make_other_secretary

    return make_other_secretary(area)


@pytest.fixture
def author(area):
    """A Chingford member who writes Chingford's articles."""
    from rankfile.demo.personas import make_author

    return make_author(area)


@pytest.fixture
def moderator(area):
    """Moderates and publishes Chingford's articles."""
    from rankfile.demo.personas import make_moderator

    return make_moderator(area)


@pytest.fixture
def auditor(area):
    """Read-only staff: reads the admin and every member's record, changes nothing."""
    from rankfile.demo.personas import make_auditor

    return make_auditor(area)


@pytest.fixture
def staff(area):
    """National membership staff: sees everyone, writes in the admin."""
    from rankfile.demo.personas import make_staff

    return make_staff(area)


@pytest.fixture
def secretary(area):
    """The secretary of Chingford: sees Chingford's members only."""
    from rankfile.demo.personas import give_role, give_two_factor, make_user

    user = make_user("secretary@example.org", first_name="Sue", last_name="Secretary")
    give_role(user, "secretary", area.branch)
    give_two_factor(user)
    return user


@pytest.fixture
def outsider(db):
    """Logged in, with no role and no membership: may do nothing."""
    from rankfile.demo.personas import make_user

    return make_user("outsider@example.org")


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """``Client.force_login`` stands for a whole login, second factor included: the
    session is marked as having passed two-factor, as a real login with a code marks it.

    An officer still needs an authenticator app set up (the officer personas have
    one); accounts/tests/test_two_factor.py tests the gate itself, unmarking the
    session where it needs to.
    """
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        yield
        return
    from django.test import Client

    from rankfile.accounts.two_factor import SESSION_KEY

    force_login = Client.force_login

    def force_login_with_two_factor(self, user, backend=None):
        force_login(self, user, backend)
        session = self.session
        session[SESSION_KEY] = 1.0
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_two_factor)
    yield


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
