"""Forms say what is wrong, where, all at once, and their hints are wired to their fields."""

import re

import pytest

from rankfile.membership.tests.join_helpers import make_offers, must_search

JOIN = "/join/registered_supporter/"


@pytest.fixture
def offers(area):
    return make_offers()


def described_ids_missing(page: str) -> list[str]:
    """The ids named by aria-describedby that no element on the page has."""
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    wanted = {i for value in re.findall(r'aria-describedby="([^"]*)"', page) for i in value.split()}
    return sorted(wanted - ids)


def summary_of(page: str) -> str:
    return page.split('data-error-summary>')[1].split("</div>")[0]


def test_it_names_every_missing_field_of_the_joining_form_at_once(client, offers):
    page = client.post(JOIN, {"form_token": "t"}).content.decode()

    summary = summary_of(page)
    for message, field in [("Enter your first name.", "id_first_name"),
                           ("Enter your last name.", "id_last_name"),
                           ("Enter your e-mail address.", "id_email"),
                           ("Enter your date of birth.", "id_date_of_birth"),
                           ("Enter your postcode.", "id_postcode"),
                           ("To join, tick the box", "id_consent")]:
        assert f'<a href="#{field}">{message}' in summary
    assert "This field is required." not in page


def test_it_adds_the_rules_answers_to_the_shape_errors(client, offers):
    """A missing name and a joiner too young and an unknown postcode: one round, not three."""
    page = client.post(JOIN, {"last_name": "Joiner", "email": "ada@example.org",
                              "date_of_birth": "17/05/2020", "postcode": "SW1A 1AA",
                              "consent": "on", "form_token": "t"}).content.decode()

    summary = summary_of(page)
    assert "Enter your first name." in summary
    assert "You must be 18 or older to join as a registered supporter." in summary
    assert "We could not find SW1A 1AA in our list of postcodes." in summary


def test_it_shows_every_refusal_of_a_well_shaped_form_at_once(client, offers):
    page = client.post(JOIN, {"first_name": "Ada", "last_name": "Joiner",
                              "email": "ada@example.org", "date_of_birth": "17/05/2020",
                              "postcode": "E4 0ZZ", "consent": "on",
                              "form_token": "t"}).content.decode()

    summary = summary_of(page)
    assert 2 == summary.count("<li>")
    assert '<a href="#id_date_of_birth">You must be 18 or older' in summary
    assert '<a href="#id_postcode">We could not find E4 0ZZ' in summary


def test_the_date_of_birth_is_a_text_box_that_matches_its_hint(client, offers):
    page = client.get(JOIN).content.decode()

    field = must_search(r'<input[^>]+name="date_of_birth"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'autocomplete="bday"' in field
    assert "Day, month and year, for example 17/05/1980." in page


@pytest.mark.parametrize("data", [{}, {"first_name": "Ada", "form_token": "t"}])
def test_every_hint_and_error_a_joining_field_points_at_exists(client, offers, data):
    page = client.post(JOIN, data).content.decode() if data else client.get(JOIN).content.decode()

    assert [] == described_ids_missing(page)


def test_the_article_form_points_at_hints_that_exist_and_says_optional_once(client, author):
    client.force_login(author)

    page = client.get("/articles/write/").content.decode()
    sent = client.post("/articles/write/", {"title": ""}).content.decode()

    assert [] == described_ids_missing(page)
    assert [] == described_ids_missing(sent)
    assert "(optional) (optional)" not in page
    assert 'id="id_standfirst_helptext"' in page
    assert '<a href="#id_title">Give the article a title.</a>' in summary_of(sent)


def test_the_password_rules_are_read_out_with_the_new_password(client, offers, mailoutbox):
    from rankfile.membership.tests.join_helpers import run_tasks

    token = must_search(r'name="form_token" value="([^"]+)"', client.get(JOIN).content.decode())
    client.post(JOIN, {"first_name": "Ada", "last_name": "Joiner", "email": "ada@example.org",
                       "date_of_birth": "17/05/1980", "postcode": "E4 7AA", "consent": "on",
                       "form_token": token.group(1)})
    run_tasks()
    link = must_search(r"/join/confirm/\S+/", mailoutbox[0].body).group(0)

    page = client.get(link).content.decode()

    field = must_search(r'<input[^>]+name="new_password1"[^>]*>', page).group(0)
    assert 'aria-describedby="id_new_password1_helptext"' in field
    # A div, not a p: a list inside a p ends the p, and the hint would be read out empty.
    hint = page.split('<div class="hint" id="id_new_password1_helptext">')[1].split("</div>")[0]
    assert "<li>Your password must contain at least 8 characters.</li>" in hint
    assert [] == described_ids_missing(page)
