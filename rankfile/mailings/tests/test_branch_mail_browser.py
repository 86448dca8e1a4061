"""In a browser: a secretary e-mails the branch; a recipient unsubscribes in one click."""

from urllib.parse import urlsplit

import pytest

from rankfile.core.tests.jobs import run_jobs
from rankfile.front.tests.conftest import log_in
from rankfile.mailings.models import BranchMailing, MailPreferences
from rankfile.membership.tests.factories import make_member_in
from rankfile.outbox.models import OutboxMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secretary_mails_the_branch_and_a_recipient_unsubscribes(browser, live_server,
                                                                    area, secretary):
    ada = make_member_in(area, first_name="Ada")
    make_member_in(area, first_name="Bob")
    make_member_in(area, other=True)  # Highams Park: not addressed
    officer_context = browser.new_context()
    officer = officer_context.new_page()
    log_in(officer, live_server, secretary)

    officer.goto(live_server.url + "/")
    officer.get_by_role("link", name="Branch e-mail").click()
    officer.get_by_role("link", name="Write to the members of Chingford").click()
    officer.get_by_label("Subject").fill("Emergency meeting on Thursday")
    officer.get_by_label("Message").fill("We meet at 7pm in the library.")
    officer.get_by_role("button", name="Preview").click()
    assert "To 2 members." in officer.get_by_role("region", name="Preview").inner_text()
    officer.get_by_role("button", name="Send to 2 members").click()
    assert "is on its way" in officer.get_by_role("status").first.inner_text()

    run_jobs()
    assert 2 == BranchMailing.objects.get().recipients
    officer.reload()
    assert "2" in officer.get_by_role("region", name="E-mails sent to Chingford").inner_text()

    header = OutboxMessage.objects.get(to=ada.user.email).headers["List-Unsubscribe"]
    officer_context.close()
    recipient_context = browser.new_context()  # not logged in
    recipient = recipient_context.new_page()
    recipient.goto(live_server.url + urlsplit(header.strip("<>")).path)
    recipient.get_by_role("button", name="Unsubscribe").click()

    assert "You are unsubscribed" in recipient.get_by_role("status").inner_text()
    recipient_context.close()
    assert not MailPreferences.objects.get(user=ada.user).branch_mail
