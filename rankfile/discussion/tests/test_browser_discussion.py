"""A visitor comments and replies on a phone, a member reports, a moderator removes."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])


def test_it_runs_a_thread_from_comment_to_removal_on_a_phone(phone, live_server, article,
                                                             member, moderator):
    url = live_server.url + article.get_absolute_url()
    phone.goto(url)

    # Empty fields: the server's own messages, next to the fields.
    phone.get_by_role("button", name="Post comment").click()
    expect(phone.locator("#id_name-error")).to_have_text("Please enter your name")
    expect(phone.locator("#id_text-error")).to_have_text("Please enter your comment")
    expect(phone.get_by_role("alert")).to_contain_text("There is a problem")

    phone.get_by_label("Your name", exact=True).fill("Val Visitor")
    phone.get_by_label("Your comment", exact=True).fill("Joining was the best decision I made this year.")
    phone.get_by_role("button", name="Post comment").click()
    expect(phone.locator("#c1")).to_contain_text("Joining was the best decision")
    expect(phone.get_by_role("status")).to_contain_text("Your comment #1 is posted")

    phone.locator("#c1").get_by_role("link", name="Reply to #1").click()
    expect(phone.get_by_role("heading", name="Reply to #1 by Val Visitor")).to_be_visible()
    phone.get_by_label("Your name", exact=True).fill("Sam Sceptic")
    phone.get_by_label("Your comment", exact=True).fill("Was it, though? What has changed?")
    phone.get_by_role("button", name="Post reply").click()
    expect(phone.locator("#c2")).to_contain_text("In reply to #1")
    expect(phone.locator("#c2")).to_contain_text("What has changed?")

    # Nothing overflows the phone's width.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert 360 >= width

    log_in(phone, live_server, member)
    phone.goto(url)
    phone.locator("#c1 details.report > summary").click()
    phone.locator("#c1").get_by_label("Why are you reporting comment #1?").select_option("abuse")
    phone.locator("#c1").get_by_role("button", name="Send report").click()
    expect(phone.get_by_role("status")).to_contain_text("The moderators will look at comment #1")

    log_in(phone, live_server, moderator)
    phone.goto(live_server.url + "/articles/moderation/")
    item = phone.locator(".queue > li").filter(has_text="Joining was the best decision")
    expect(item).to_contain_text("Reported 1 time")
    item.get_by_label("Reason (recorded)").fill("Test of the moderation queue")
    item.get_by_role("button", name="Remove").click()
    expect(phone.get_by_role("status")).to_contain_text("Comment #1")
    expect(phone.get_by_text("Nothing to look at.")).to_be_visible()

    phone.context.clear_cookies()
    phone.goto(url)
    expect(phone.locator("#c1")).to_contain_text("Removed by moderators")
    expect(phone.locator("#c1")).not_to_contain_text("Joining was the best decision")
    expect(phone.locator("#c2")).to_contain_text("What has changed?")
    expect(phone.locator("#c2").get_by_role("link", name="#1")).to_have_attribute(
        "href", re.compile(r"#c1$"))


def test_an_approved_comment_edited_later_waits_for_a_moderator_again(phone, live_server,
                                                                      article, member,
                                                                      moderator, browser):
    from rankfile.discussion.models import Comment
    from rankfile.discussion.services.comments import comment_post
    from rankfile.discussion.services.moderation import comment_moderate

    comment = comment_post(article=article, text="A harmless remark", user=member)
    comment_moderate(comment=comment, moderator=moderator, action="approve", reason="Fine")
    log_in(phone, live_server, member)
    phone.goto(live_server.url + article.get_absolute_url())

    phone.get_by_text("Edit #1").click()
    phone.get_by_label("Change comment #1").fill("Something the moderator never read")
    phone.get_by_label("Change comment #1").locator("xpath=ancestor::form").get_by_role(
        "button").click()

    expect(phone.locator(".messages")).to_contain_text(
        "It will appear again once a moderator has approved it")
    assert Comment.Status.PENDING == Comment.objects.get(pk=comment.pk).status
    reader = browser.new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator("main")).not_to_contain_text("Something the moderator never read")
    reader.close()
