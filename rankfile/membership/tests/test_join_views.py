import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rankfile.membership.models import JoiningWindow, Membership
from rankfile.membership.tests.join_helpers import emails_due, make_offers, must_search, run_tasks


@pytest.fixture
def offers(area):
    return make_offers()


def form_token(client, url: str) -> str:
    page = client.get(url).content.decode()
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None, "the page has no form token"
    return found.group(1)


def details(**changes) -> dict[str, str]:
    data = {"first_name": "Ada", "last_name": "Joiner", "email": "ada@example.org",
            "date_of_birth": "1980-05-17", "postcode": "e4 7aa", "consent": "on"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_it_lists_the_ways_to_join_with_fees_and_windows(client, offers):
    response = client.get("/join/")

    page = response.content.decode()
    assert 200 == response.status_code
    assert "Join as a registered supporter" in page and "£25.00" in page
    assert "Standard (£4.50 per month)" in page


def test_it_says_when_a_window_opens_instead_of_showing_the_form(client, offers):
    opens = timezone.make_aware(dt.datetime(2099, 7, 18, 17, 0))
    JoiningWindow.objects.filter(pk=offers.window.pk).update(
        opens_at=opens, closes_at=opens + dt.timedelta(hours=48))

    page = client.get("/join/registered_supporter/").content.decode()

    assert "Registration as a registered supporter opens on Saturday 18 July 2099 at 17:00" in page
    assert "<form method=\"post\" action=\"/join/" not in page


def test_it_applies_and_shows_the_payment_reference(client, offers):
    url = "/join/registered_supporter/"
    token = form_token(client, url)

    response = client.post(url, details(form_token=token))

    m = Membership.objects.get()
    payment = m.payments.get()
    assert f"/join/done/{m.reference}/" == response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Check your inbox" in page
    assert m.reference in page and payment.reference in page and "£25.00" in page


def test_it_makes_one_application_from_a_double_click(client, offers):
    url = "/join/registered_supporter/"
    token = form_token(client, url)

    first = client.post(url, details(form_token=token))
    second = client.post(url, details(form_token=token))

    assert first["Location"] == second["Location"]
    assert (1, 1) == (Membership.objects.count(), emails_due())


def test_it_gives_a_known_address_the_same_answer_and_a_notice(client, offers, outsider):
    url = "/join/registered_supporter/"

    response = client.post(url, details(email="outsider@example.org",
                                        form_token=form_token(client, url)))

    assert 302 == response.status_code
    page = client.get(response["Location"]).content.decode()
    assert "Check your inbox" in page and "PAY-" in page and "£25.00" in page
    assert 0 == Membership.objects.count()
    run_tasks()
    assert ["outsider@example.org"] == [m.to[0] for m in mail.outbox]


def test_it_shows_nothing_about_a_reference_to_another_browser(client, offers):
    url = "/join/registered_supporter/"
    location = client.post(url, details(form_token=form_token(client, url)))["Location"]
    client.cookies.clear()

    page = client.get(location).content.decode()

    assert "Check your inbox" in page and "PAY-" not in page and "RF-" not in page


def test_it_shows_errors_next_to_fields_and_in_a_summary(client, offers):
    url = "/join/registered_supporter/"

    response = client.post(url, details(postcode="e4 9zz", form_token=form_token(client, url)))

    page = response.content.decode()
    assert 400 == response.status_code
    assert 'role="alert"' in page and 'href="#id_postcode"' in page
    assert 'id="id_postcode_error"' in page and 'aria-invalid="true"' in page
    assert "We could not find E4 9ZZ in our list of postcodes" in page
    assert 0 == Membership.objects.count()


def test_it_refuses_non_utf8_input_and_changes_nothing(client, offers):
    url = "/join/registered_supporter/"
    token = form_token(client, url)
    body = (b"first_name=Ad%FF%FEa&last_name=Joiner&email=ada%40example.org"
            b"&date_of_birth=1980-05-17&postcode=E4+7AA&consent=on&form_token=" + token.encode())

    response = client.post(url, body, content_type="application/x-www-form-urlencoded")

    assert 400 == response.status_code
    assert "Your first name contains characters that cannot be read" in response.content.decode()
    assert 0 == Membership.objects.count()


def test_it_refuses_over_long_input_and_changes_nothing(client, offers):
    url = "/join/registered_supporter/"

    response = client.post(url, details(last_name="J" * 5000, form_token=form_token(client, url)))

    assert 400 == response.status_code
    assert 0 == Membership.objects.count()


def test_it_refuses_the_underage_next_to_the_date_of_birth(client, offers):
    url = "/join/member/"
    today = timezone.localdate()
    born = dt.date(today.year - 10, today.month, min(today.day, 28))  # 29 February has none

    response = client.post(url, details(rate="standard", date_of_birth=born.isoformat(),
                                        form_token=form_token(client, url)))

    assert 'id="id_date_of_birth_error"' in response.content.decode()
    assert "You must be 14 or older to join as a member" in response.content.decode()


def test_it_rate_limits_the_form(client, offers, settings):
    settings.RATELIMIT_EXEMPT_IPS = []
    url = "/join/registered_supporter/"
    for _ in range(30):
        client.post(url, details(postcode="bad"))

    before = (Membership.objects.count(), emails_due(), DBTaskResult.objects.count())

    response = client.post(url, details(form_token=form_token(client, url)))

    assert 429 == response.status_code
    assert "Too many attempts" in response.content.decode()
    assert before == (Membership.objects.count(), emails_due(), DBTaskResult.objects.count())


def test_it_confirms_the_address_and_sets_the_password(client, offers):
    url = "/join/registered_supporter/"
    client.post(url, details(form_token=form_token(client, url)))
    run_tasks()
    link = must_search(r"http://\S+/join/confirm/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link

    assert 200 == client.get(path).status_code
    response = client.post(path, {"new_password1": "a long new passphrase",
                                  "new_password2": "a long new passphrase"})

    m = Membership.objects.get()
    # The fee is still due: on to choosing how to pay it.
    assert f"/me/pay/{m.payments.get().reference}/" == response["Location"]
    assert m.email_confirmed_at is not None
    assert m.user.check_password("a long new passphrase")
    used = client.get(path)
    assert "already been used" in used.content.decode()


def test_it_refuses_a_broken_confirmation_link(client, db):
    response = client.get("/join/confirm/nonsense/")

    assert 400 == response.status_code
    assert "not complete" in response.content.decode()


def test_it_shows_the_privacy_notice_with_its_version(client, db):
    response = client.get("/privacy/")

    assert "Version 2026-11" in response.content.decode()


@pytest.mark.parametrize("url", ["/join/", "/privacy/", "/join/done/RF-X/"])
def test_it_allows_only_get_on_pages(client, db, url):
    assert 405 == client.post(url).status_code


def test_it_shows_a_known_address_a_page_identical_to_a_new_one(client, offers, outsider):
    url = "/join/registered_supporter/"
    pages = []
    for email in ("new@example.org", "outsider@example.org"):
        response = client.post(url, details(email=email, form_token=form_token(client, url)))
        page = client.get(response["Location"]).content.decode()
        pages.append(re.sub(r"(RF|PAY)-[0-9A-Z]{8}", "REF", page))

    assert pages[0] == pages[1]


def test_it_tells_an_affiliated_supporter_their_union_will_be_checked(client, offers):
    url = "/join/affiliated_supporter/"

    response = client.post(url, details(union="unite", union_number="123",
                                        form_token=form_token(client, url)))

    page = client.get(response["Location"]).content.decode()
    assert "We will check with your trade union" in page and "PAY-" not in page


def test_it_rate_limits_the_confirmation_form(client, db):
    for _ in range(20):
        client.post("/join/confirm/nonsense/")

    response = client.post("/join/confirm/nonsense/")

    assert 429 == response.status_code


def test_it_shows_the_confirmation_page_to_a_visitor_who_is_not_logged_in(client, offers):
    """The joiner's login is not the visitor's: the header offers "Log in", not "Log out"."""
    url = "/join/registered_supporter/"
    client.post(url, details(form_token=form_token(client, url)))
    run_tasks()
    link = must_search(r"http://\S+/join/confirm/\S+/", mail.outbox[0].body).group(0)
    fresh = Client()

    page = fresh.get(link.split("8000", 1)[1]).content.decode()

    header = page.split("</header>")[0]
    assert "Log in" in header
    assert "Log out" not in header and "My membership" not in header
    assert "ada@example.org" in page


def test_a_confirmed_join_address_shows_as_verified(client, offers):
    url = "/join/registered_supporter/"
    client.post(url, details(form_token=form_token(client, url)))
    run_tasks()
    link = must_search(r"http://\S+/join/confirm/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link
    client.post(path, {"new_password1": "a long new passphrase",
                       "new_password2": "a long new passphrase"})

    page = client.get("/accounts/email/").content.decode()

    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.get(email="ada@example.org")
    assert address.verified and address.primary
    assert "Unverified" not in page and "Verified" in page
