"""Forms as a person meets them in headless Chromium: errors where the eye is."""

import re

import pytest
from playwright.sync_api import expect

from rankfile.discussion.services.articles import article_create, article_publish
from rankfile.membership.tests.join_helpers import (
    fill_join_form,
    make_offers,
    must_search,
    run_tasks,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.top >= -1 && r.top < window.innerHeight; }"""


def test_the_joining_form_shows_every_problem_at_once_and_moves_focus_to_them(
        phone, live_server, area):
    make_offers()
    phone.goto(live_server.url + "/join/registered_supporter/")
    phone.get_by_label("Last name").fill("Joiner")
    phone.get_by_label("Date of birth").fill("17/05/2020")
    phone.get_by_label("Postcode", exact=True).fill("E4 0ZZ")
    phone.get_by_role("button", name="Apply to join").click()

    summary = phone.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your first name.")
    expect(summary).to_contain_text("Enter your e-mail address.")
    expect(summary).to_contain_text("You must be 18 or older")
    expect(summary).to_contain_text("We could not find E4 0ZZ")
    expect(summary).not_to_contain_text("This field is required")

    summary.get_by_role("link", name="Enter your e-mail address.").click()
    expect(phone.get_by_label("E-mail address")).to_be_focused()
    assert phone.locator("label[for=id_email]").evaluate(IN_VIEW)


def test_a_comment_with_an_error_reloads_at_the_comment_form(phone, live_server, area, author,
                                                            moderator):
    long = "\n\n".join(f"Paragraph {n} of the case for joining." for n in range(80))
    article = article_publish(article=article_create(
        by=author, body=area.branch, title="A long read", standfirst="Long.", markdown=long),
        by=moderator)
    phone.goto(live_server.url + article.get_absolute_url())

    phone.get_by_label("Your comment", exact=True).fill("No name given.")
    phone.get_by_role("button", name="Post comment").click()

    summary = phone.locator("#comment-form [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please enter your name")
    assert must_search(r"#comment-form$", phone.url)
    assert summary.evaluate(IN_VIEW)
    assert 1000 < phone.evaluate("window.scrollY")  # far below the top of the page
    expect(phone.get_by_label("Your comment", exact=True)).to_have_value("No name given.")


def test_the_password_rules_are_the_new_passwords_description(phone, live_server, area,
                                                              mailoutbox):
    make_offers()
    phone.goto(live_server.url + "/join/registered_supporter/")
    fill_join_form(phone)
    phone.get_by_role("button", name="Apply to join").click()
    phone.get_by_role("heading", name="Check your inbox").wait_for()
    run_tasks()
    link = must_search(r"http://\S+(/join/confirm/\S+/)", mailoutbox[0].body).group(1)

    fresh = phone.context.browser.new_page()
    fresh.goto(live_server.url + link)

    expect(fresh.get_by_label("New password", exact=True)).to_have_accessible_description(
        re.compile("at least 8 characters"))
    header = fresh.locator("header")
    expect(header).to_contain_text("Log in")
    expect(header).not_to_contain_text("Log out")
    expect(header).not_to_contain_text("My membership")
