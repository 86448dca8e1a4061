"""Delivering voting codes: progress for the returning officer, a job that resumes after a
crash with nobody missed, reissue (the old code stops), bounces recorded (by hand or read
from the bounce mailbox) and listed, reminders to those who have not voted (one per voter
per round), and a voter's own request answered alike whatever happens."""

import datetime as dt
import email

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.core.tests.jobs import run_jobs
from rankfile.elections.models import Credential, RollEntry
from rankfile.elections.services import credentials as service
from rankfile.elections.services.audit import audit_verify
from rankfile.elections.services.casting import ballot_cast_as_voter, ballot_cast_with_credential
from rankfile.elections.services.credentials import (
    code_hmac,
    credential_bounce_record,
    credential_bounces,
    credential_reissue,
    credentials_issue,
    credentials_progress,
    credentials_send,
    reminders_send,
    reminders_start,
)
from rankfile.elections.tests.helpers import ids
from rankfile.elections.tests.test_credentials import codes_mailed
from rankfile.membership.models import Membership
from rankfile.outbox.bounces import outbox_read_bounces
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.tests import dsn


def seven_voters(area, officer):
    """An open election with seven voters: the personas and five more members."""
    from rankfile.demo.personas import make_member
    from rankfile.elections.tests.helpers import make_election, open_it

    for i in range(5):
        make_member(f"voter{i}@example.org", "Vo", f"Ter{i}", area.branch)
    other = make_election(area, officer, slug="seven")
    return open_it(other, officer)


def test_the_job_resumes_after_a_crash_with_nobody_missed_or_sent_twice(
        area, returning_officer, member, supporter, monkeypatch):
    election = seven_voters(area, returning_officer)
    monkeypatch.setattr(service, "CHUNK", 2)
    real = service.outbox_enqueue_many
    calls = []

    def crash_on_the_third_chunk(drafts):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return real(drafts)

    monkeypatch.setattr(service, "outbox_enqueue_many", crash_on_the_third_chunk)
    with pytest.raises(SystemExit):
        credentials_send(election_id=election.pk)
    assert 4 == Credential.objects.count()  # two chunks committed, the third rolled back

    monkeypatch.setattr(service, "outbox_enqueue_many", real)
    again = credentials_send(election_id=election.pk)
    credentials_send(election_id=election.pk)  # and once more: nothing left to do
    run_jobs()

    assert 3 == again
    codes = codes_mailed()
    assert 7 == len(codes) == len(mail.outbox)
    live = set(Credential.objects.filter(revoked_at__isnull=True)
               .values_list("code_hmac", flat=True))
    assert {code_hmac(c) for c in codes.values()} == live
    assert 7 == RollEntry.objects.filter(election=election, credentials__isnull=False).count()


def test_the_returning_officer_follows_progress(area, returning_officer, scrutineer, member,
                                               supporter):
    election = seven_voters(area, returning_officer)
    before = credentials_progress(by=scrutineer, election=election)
    credentials_issue(by=returning_officer, election=election)
    service.credentials_send(election_id=election.pk)
    queued = credentials_progress(by=returning_officer, election=election)
    run_jobs()
    sent = credentials_progress(by=returning_officer, election=election)

    assert (7, 0, 7, 0, 0) == (before.on_roll, before.voted, before.not_yet, before.queued,
                               before.sent)
    assert (0, 7, 0) == (queued.not_yet, queued.queued, queued.sent)
    assert (0, 7, 0, 0) == (sent.queued, sent.sent, sent.failed, sent.bounced)
    with pytest.raises(PermissionRefused):
        credentials_progress(by=member, election=election)


def test_a_reissued_code_stops_the_old_one(open_election, returning_officer, member):
    credentials_send(election_id=open_election.pk)
    run_jobs()
    old = codes_mailed()[member.email]
    mail.outbox.clear()

    credential_reissue(by=returning_officer, entry=RollEntry.objects.get(user=member))
    run_jobs()
    new = codes_mailed()[member.email]

    with pytest.raises(PermissionRefused):
        ballot_cast_with_credential(election=open_election, credential=old,
                                    ranking=ids(open_election)[:1])
    assert ballot_cast_with_credential(election=open_election, credential=new,
                                       ranking=ids(open_election)[:1]).tracker


def test_a_bounce_is_recorded_from_its_message_id_and_listed(open_election, returning_officer,
                                                            scrutineer, member, supporter):
    credentials_send(election_id=open_election.pk)
    run_jobs()
    message = OutboxMessage.objects.get(to=member.email)

    credential_bounce_record(by=returning_officer, election=open_election,
                             message_id=message.message_id.strip("<>"),
                             reason="550 5.1.1 No such user")
    bounces = credential_bounces(by=scrutineer, election=open_election)

    assert [(member.email, "bounced", "550 5.1.1 No such user", False)] == [
        (b.message.to, b.message.status, b.message.error, b.replaced) for b in bounces]
    entry = bounces[0].entry
    assert entry is not None and member == entry.user
    assert 1 == credentials_progress(by=scrutineer, election=open_election).bounced
    credential_reissue(by=returning_officer, entry=entry)
    assert credential_bounces(by=scrutineer, election=open_election)[0].replaced


def test_a_bounce_read_from_the_bounce_mailbox_is_listed(open_election, scrutineer, member,
                                                         supporter):
    credentials_send(election_id=open_election.pk)
    run_jobs()
    original = next(m.message() for m in mail.outbox if m.to == [member.email])
    report = dsn.postfix(original, to=member.email,
                         diagnostic=f"smtp; 550 5.1.1 <{member.email}>: User unknown")

    outbox_read_bounces([email.message_from_bytes(report)])
    again = outbox_read_bounces([email.message_from_bytes(report)])

    bounces = credential_bounces(by=scrutineer, election=open_election)
    assert [(member.email, "bounced", f"5.1.1 550 5.1.1 <{member.email}>: User unknown")] == [
        (b.message.to, b.message.status, b.message.error) for b in bounces]
    assert bounces[0].entry is not None and member == bounces[0].entry.user
    assert (0, 1) == (again.bounced, again.already)
    assert 1 == credentials_progress(by=scrutineer, election=open_election).bounced
    # In the election's audit as a bounce recorded by hand is, once, by the mailbox.
    logged = list(open_election.audit.filter(action="credential_bounced"))
    assert [("system: the bounce mailbox (rankfile read_bounces)",
             {"message": bounces[0].message.pk})] == [(e.actor, e.details) for e in logged]
    assert [] == audit_verify(open_election)


def test_a_bounce_recorded_by_hand_is_in_the_audit_once(open_election, returning_officer,
                                                        member, supporter):
    credentials_send(election_id=open_election.pk)
    run_jobs()
    message = OutboxMessage.objects.get(to=member.email)

    credential_bounce_record(by=returning_officer, election=open_election,
                             message_id=message.message_id, reason="550 5.1.1 No such user")

    assert [(f"user {returning_officer.pk}", {"message": message.pk})] == [
        (e.actor, e.details) for e in open_election.audit.filter(action="credential_bounced")]


def test_a_bounce_of_other_mail_is_in_no_election_s_audit(open_election, member):
    from rankfile.outbox.services import outbox_enqueue, outbox_record_bounce

    credentials_send(election_id=open_election.pk)
    run_jobs()
    before = open_election.audit.count()
    other = outbox_enqueue(purpose="test_notice", key="notice:1", to=member.email,
                           subject="A notice", body="Hello")
    run_jobs()

    assert outbox_record_bounce(message_id=other.message_id, reason="550") is not None
    assert before == open_election.audit.count()


@pytest.mark.parametrize("message_id,reason,complaint", [
    ("", "550", "Give the Message-ID"),
    ("<a b@c>", "550", "Give the Message-ID"),
    ("<nobody@example.org>", "550", "No voting code of this election"),
    ("OK", "", "Say why it bounced"),
])
def test_a_bad_bounce_is_refused(open_election, returning_officer, member, message_id,
                                 reason, complaint):
    credentials_send(election_id=open_election.pk)
    if message_id == "OK":
        message_id = OutboxMessage.objects.order_by("pk")[0].message_id
    with pytest.raises(Refusal, match=complaint):
        credential_bounce_record(by=returning_officer, election=open_election,
                                 message_id=message_id, reason=reason)

    assert not OutboxMessage.objects.filter(status="bounced").exists()


def test_a_bounce_of_another_mail_is_not_this_elections(open_election, returning_officer,
                                                       member):
    from rankfile.outbox.services import outbox_enqueue

    other = outbox_enqueue(to=member.email, subject="Hello", body="Hi", purpose="other",
                           key="other:1")
    with pytest.raises(Refusal, match="No voting code"):
        credential_bounce_record(by=returning_officer, election=open_election,
                                 message_id=other.message_id, reason="550")


def test_reminders_go_once_per_round_to_those_who_have_not_voted(
        open_election, returning_officer, member, supporter):
    ballot_cast_as_voter(election=open_election, voter=supporter,
                         ranking=ids(open_election)[:1])

    first = reminders_start(by=returning_officer, election=open_election)
    run_jobs()
    assert 0 == reminders_send(election_id=open_election.pk, round_number=first)  # again
    with pytest.raises(Conflict, match="less than a day ago"):
        reminders_start(by=returning_officer, election=open_election)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        second = reminders_start(by=returning_officer, election=open_election)
        run_jobs()

    reminders = OutboxMessage.objects.filter(purpose="election_reminder")
    assert (1, 2) == (first, second)
    assert [member.email, member.email] == list(reminders.values_list("to", flat=True))
    assert [[member.email], [member.email]] == [m.to for m in mail.outbox]
    assert all("You have not voted yet" in str(m.body) for m in mail.outbox)
    assert 2 == credentials_progress(by=returning_officer,
                                     election=open_election).reminder_rounds


def test_only_the_returning_officer_reminds_and_only_while_open(election, open_election,
                                                               scrutineer,
                                                               returning_officer):
    with pytest.raises(PermissionRefused):
        reminders_start(by=scrutineer, election=open_election)
    from rankfile.elections.services.setup import election_close

    election_close(by=returning_officer, election=open_election)
    with pytest.raises(Conflict, match="only while the ballot is open"):
        reminders_start(by=returning_officer, election=open_election)


# -- the pages ------------------------------------------------------------------------------


def test_the_codes_page_reissues_records_bounces_and_reminds(client, open_election,
                                                            returning_officer, scrutineer,
                                                            member, supporter):
    credentials_send(election_id=open_election.pk)
    run_jobs()
    url = f"/elections/{open_election.slug}/manage/credentials/"
    reference = Membership.objects.get(user=member).reference
    client.force_login(scrutineer)
    watched = client.get(url)
    refused = client.post(url, {"action": "reissue", "reissue-reference": reference})
    client.force_login(returning_officer)

    unknown = client.post(url, {"action": "reissue", "reissue-reference": "RF-404"})
    reissued = client.post(url, {"action": "reissue", "reissue-reference": reference.lower()})
    message = OutboxMessage.objects.filter(to=supporter.email).order_by("pk")[0]
    bounced = client.post(url, {"action": "bounce", "bounce-message_id": message.message_id,
                                "bounce-reason": "550 mailbox gone"})
    reminded = client.post(url, {"action": "remind"})
    page = client.get(url).content.decode()

    assert 200 == watched.status_code and "Send reminders" not in watched.content.decode()
    assert 403 == refused.status_code
    assert 400 == unknown.status_code
    assert "Nobody on the roll has that membership reference" in unknown.content.decode()
    assert (302, 302, 302) == (reissued.status_code, bounced.status_code,
                               reminded.status_code)
    assert 2 == Credential.objects.filter(entry__user=member).count()
    assert "550 mailbox gone" in page and supporter.email in page
    assert "Reminder round 1" in page


def test_asking_for_a_code_answers_alike_whatever_happens(client, open_election, member,
                                                         supporter, outsider):
    ballot_cast_as_voter(election=open_election, voter=supporter,
                         ranking=ids(open_election)[:1])
    answers = []
    for who in (member, supporter, outsider):  # sent; voted; off the roll
        client.force_login(who)
        response = client.post(f"/elections/{open_election.slug}/can-i-vote/")
        answers.append((response.status_code, response["Location"],
                        "If you are on the roll and have not voted" in
                        client.get(response["Location"]).content.decode()))

    assert [(302, f"/elections/{open_election.slug}/can-i-vote/", True)] * 3 == answers
    assert [member.email] == list(OutboxMessage.objects.values_list("to", flat=True))
