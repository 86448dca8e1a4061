"""A secretary e-mails their branch through the outbox; members unsubscribe in one click."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.core.tests.jobs import run_jobs
from rankfile.mailings.models import BranchMailing, MailPreferences
from rankfile.mailings.services import (
    branch_mail_preview,
    branch_mail_send,
    branch_mailing_queue,
    preferences_change,
    unsubscribe,
    unsubscribe_token,
)
from rankfile.membership.models import Membership
from rankfile.membership.tests.factories import make_member_in
from rankfile.outbox.models import OutboxMessage

S = Membership.Status


@pytest.fixture
def branch_members(area):
    """Two members in good standing, one lapsed, and one of the other branch."""
    return {
        "ada": make_member_in(area),
        "bob": make_member_in(area, status=S.IN_ARREARS),
        "lapsed": make_member_in(area, status=S.LAPSED),
        "elsewhere": make_member_in(area, other=True),
    }


def _send(secretary, area, **kw):
    data = {"subject": "Branch meeting on Thursday", "text": "Come to the meeting.", **kw}
    mailing = branch_mail_send(body=area.branch, by=secretary, **data)
    run_jobs()
    mailing.refresh_from_db()
    return mailing


def test_it_mails_the_branch_members_in_good_standing_and_records_how_many(
        secretary, area, branch_members, mailoutbox):
    mailing = _send(secretary, area)

    sent = OutboxMessage.objects.filter(purpose="branch_mail")
    assert {branch_members["ada"].user.email, branch_members["bob"].user.email} == {
        m.to for m in sent}
    assert 2 == mailing.recipients
    message = next(m for m in mailoutbox if m.to == [branch_members["ada"].user.email])
    assert "List-Unsubscribe=One-Click" == message.extra_headers["List-Unsubscribe-Post"]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    assert "Come to the meeting." in message.body


def test_it_leaves_out_whoever_unsubscribed(secretary, area, branch_members):
    ada = branch_members["ada"].user
    preferences_change(user=ada, by=ada, branch_mail=False)

    mailing = _send(secretary, area)

    assert 1 == mailing.recipients
    assert not OutboxMessage.objects.filter(to=ada.email).exists()


def test_it_queues_each_message_once_when_the_job_runs_twice(secretary, area, branch_members):
    mailing = _send(secretary, area)

    branch_mailing_queue(mailing_id=mailing.pk)

    assert 2 == OutboxMessage.objects.filter(purpose="branch_mail").count()
    mailing.refresh_from_db()
    assert 2 == mailing.recipients


def test_it_previews_without_sending(secretary, area, branch_members):
    preview = branch_mail_preview(body=area.branch, by=secretary, subject=" Hello ", text="Hi")

    assert (2, "Hello") == (preview.recipients, preview.subject)
    assert 0 == BranchMailing.objects.count() == OutboxMessage.objects.count()


@pytest.mark.parametrize("persona", ["other_secretary", "member", "staff"])
def test_it_refuses_anyone_but_the_branch_secretary(request, area, persona):
    who = request.getfixturevalue(persona)

    with pytest.raises(PermissionRefused):
        branch_mail_send(body=area.branch, by=who, subject="Hi", text="Hi")

    assert 0 == BranchMailing.objects.count()


@pytest.mark.parametrize("subject, text, field", [
    ("", "Hi", "subject"), ("x" * 151, "Hi", "subject"), ("Hi", "", "message"),
    ("Hi\u202e", "Hi", "subject"), ("Hi", "a\x00b", "message"), ("Hi", "x" * 20_001, "message"),
])
def test_it_refuses_a_bad_message_and_sends_nothing(secretary, area, subject, text, field):
    with pytest.raises(Refusal) as e:
        branch_mail_send(body=area.branch, by=secretary, subject=subject, text=text)

    assert field == e.value.field
    assert 0 == BranchMailing.objects.count()


def test_one_click_post_unsubscribes_at_once_without_login(client, secretary, area,
                                                            branch_members):
    _send(secretary, area)
    ada = branch_members["ada"].user
    link = OutboxMessage.objects.get(to=ada.email).headers["List-Unsubscribe"].strip("<>")

    response = client.post(urlsplit(link).path,
                           "List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")

    assert 200 == response.status_code
    assert not MailPreferences.objects.get(user=ada).branch_mail
    assert 1 == _send(secretary, area, subject="Next one").recipients


def test_a_replayed_link_changes_nothing_and_says_so(area, branch_members):
    ada = branch_members["ada"].user
    token = unsubscribe_token(ada.pk, 0)
    assert unsubscribe(token=token)

    assert not unsubscribe(token=token)
    assert 1 == MailPreferences.objects.get(user=ada).version


def test_an_old_link_cannot_undo_a_later_choice(area, branch_members):
    ada = branch_members["ada"].user
    old = unsubscribe_token(ada.pk, 0)
    unsubscribe(token=old)
    preferences_change(user=ada, by=ada, branch_mail=True)

    with pytest.raises(Refusal):
        unsubscribe(token=old)

    assert MailPreferences.objects.get(user=ada).branch_mail


@pytest.mark.parametrize("token", ["forged", "WzEsMF0:1abc:xyz", "", "\x00" * 3])
def test_a_forged_link_changes_nothing(client, area, branch_members, token):
    with pytest.raises(Refusal):
        unsubscribe(token=token)

    response = client.post(reverse("mailings:unsubscribe", args=[token or "x"]))

    assert 400 == response.status_code
    assert 0 == MailPreferences.objects.count()


def test_a_visit_to_the_link_changes_nothing_until_the_button(client, area, branch_members):
    ada = branch_members["ada"].user
    url = reverse("mailings:unsubscribe", args=[unsubscribe_token(ada.pk, 0)])

    page = client.get(url)

    assert 200 == page.status_code
    assert 0 == MailPreferences.objects.count()


def test_the_secretary_previews_then_sends_from_the_page(client, secretary, area,
                                                         branch_members):
    client.force_login(secretary)
    url = reverse("mailings:compose", args=[area.branch.code])
    data = {"subject": "Meeting", "message": "Thursday, 7pm."}

    preview = client.post(url, {**data, "action": "preview"})
    assert 200 == preview.status_code
    assert "To <strong>2</strong> members." in preview.text
    assert 0 == BranchMailing.objects.count()

    sent = client.post(url, {**data, "action": "send"})

    assert 302 == sent.status_code
    assert 1 == BranchMailing.objects.count()


def test_another_branchs_secretary_cannot_open_the_page(client, other_secretary, area):
    client.force_login(other_secretary)

    response = client.get(reverse("mailings:compose", args=[area.branch.code]))

    assert 404 == response.status_code


def test_a_member_changes_their_preferences(client, member):
    client.force_login(member)

    client.post(reverse("mailings:preferences"), {})

    assert not MailPreferences.objects.get(user=member).branch_mail
