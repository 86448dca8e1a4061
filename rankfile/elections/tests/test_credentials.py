"""Voting codes: random, stored only as an HMAC, mailed through the outbox by a job
that is safe to run twice."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from rankfile.core.errors import Conflict, PermissionRefused
from rankfile.core.tests.jobs import run_jobs
from rankfile.elections.models import Credential
from rankfile.elections.services.credentials import (
    MalformedCredential,
    code_hmac,
    code_make,
    code_normalise,
    credential_reissue,
    credentials_issue,
    credentials_send,
)
from rankfile.outbox.models import OutboxMessage

CODE = re.compile(r"\b[A-Z2-7]{5}(?:-[A-Z2-7]{5}){3}\b")


def codes_mailed() -> dict[str, str]:
    found = {}
    for message in mail.outbox:
        match = CODE.search(str(message.body))
        assert match is not None
        found[message.to[0]] = match.group(0)
    return found


def test_a_code_carries_at_least_80_random_bits():
    codes = {code_make() for _ in range(200)}

    assert 200 == len(codes)
    # 20 base32 characters made from 12 random bytes: 96 bits.
    assert all(len(code_normalise(c)) == 20 for c in codes)


def test_it_reads_a_code_typed_loosely_and_refuses_anything_else():
    code = code_make()

    assert code_hmac(code) == code_hmac(code.lower().replace("-", " "))
    for bad in ["", "short", code + "A", code.replace(code[0], "1"), "\x00" * 20,
                "\u202e" + code, 12345]:
        with pytest.raises(MalformedCredential):
            code_normalise(bad)


def test_it_mails_each_voter_a_code_and_stores_only_its_hmac(open_election, returning_officer,
                                                            member, supporter):
    credentials_issue(by=returning_officer, election=open_election)
    run_jobs()

    codes = codes_mailed()
    assert {member.email, supporter.email} == set(codes)
    stored = set(Credential.objects.values_list("code_hmac", flat=True))
    assert {code_hmac(c) for c in codes.values()} == stored
    # The code itself is nowhere in the database; the mail's body was erased once sent.
    assert not OutboxMessage.objects.filter(body__contains=codes[member.email]).exists()


def test_running_the_job_twice_sends_nobody_a_second_code(open_election, member, supporter):
    first = credentials_send(election_id=open_election.pk)
    second = credentials_send(election_id=open_election.pk)

    assert (2, 0) == (first, second)
    assert 2 == Credential.objects.count()
    assert 2 == OutboxMessage.objects.filter(purpose="election_credential").count()


def test_a_reissued_code_replaces_the_old_one(open_election, returning_officer, member):
    credentials_send(election_id=open_election.pk)
    entry = Credential.objects.get(entry__user=member).entry

    credential_reissue(by=returning_officer, entry=entry)

    assert 1 == entry.credentials.filter(revoked_at__isnull=True).count()
    assert 2 == entry.credentials.count()


def test_only_the_returning_officer_issues_codes(open_election, scrutineer, staff):
    for who in (scrutineer, staff):
        with pytest.raises(PermissionRefused):
            credentials_issue(by=who, election=open_election)


def test_it_refuses_before_the_roll_is_frozen(election, returning_officer):
    with pytest.raises(Conflict, match="Freeze the roll"):
        credentials_issue(by=returning_officer, election=election)


def test_it_refuses_to_make_codes_without_a_server_secret(settings):
    settings.ELECTIONS_CREDENTIAL_KEY = ""

    with pytest.raises(ImproperlyConfigured):
        code_hmac(code_make())
