"""``rankfile read_bounces`` reads an mbox, a Maildir, a single message or standard input,
says what it found in plain words, and fails only on a path it cannot read, naming it."""

from __future__ import annotations

import io
import mailbox
import sys

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import OperationalError

from rankfile.outbox.management.commands import read_bounces
from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.tests import dsn

S = OutboxMessage.Status


def statuses() -> dict[str, str]:
    return dict(OutboxMessage.objects.values_list("to", "status"))


def test_it_reads_an_mbox_and_says_what_it_found(originals, tmp_path, capsys):
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path)
    for raw in (dsn.postfix(originals["ann@example.org"]), dsn.auto_reply(),
                dsn.postfix(dsn.not_ours(), own_id="other.1@mx.example.org")):
        box.add(raw)
    box.flush()

    call_command("read_bounces", str(path))

    assert {"ann@example.org": S.BOUNCED, "bob@example.org": S.SENT} == statuses()
    assert [f"{path}:",
            "  Read 3 messages.",
            "  Bounced, now recorded: 1.",
            "  Bounced, already recorded: 0.",
            "  Bounced, not a message of ours (unknown Message-ID): 1.",
            "  Delayed, still being tried (nothing recorded): 0.",
            "  Not bounce reports (auto-replies, spam...), skipped: 1.",
            "  Could not be read: 0."] == capsys.readouterr().out.splitlines()


def test_it_reads_a_maildir_and_a_single_message_and_again_records_nothing(
        originals, tmp_path, capsys):
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(dsn.exim(originals["bob@example.org"], to="bob@example.org"))
    single = tmp_path / "returned.eml"
    single.write_bytes(dsn.postfix(originals["ann@example.org"]))

    call_command("read_bounces", str(tmp_path / "Maildir"), str(single))
    call_command("read_bounces", str(tmp_path / "Maildir"), str(single))

    assert {S.BOUNCED} == set(statuses().values())
    out = capsys.readouterr().out
    assert 2 == out.count("Bounced, now recorded: 1.")
    assert 2 == out.count("Bounced, already recorded: 1.")


def test_it_reads_one_message_from_standard_input(originals, monkeypatch, capsys):
    raw = dsn.postfix(originals["ann@example.org"])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))

    call_command("read_bounces", "-")

    assert S.BOUNCED == statuses()["ann@example.org"]
    assert "standard input:\n  Read 1 message.\n  Bounced, now recorded: 1." in \
        capsys.readouterr().out


def test_a_path_it_cannot_read_is_named_after_the_others_are_read(originals, tmp_path):
    single = tmp_path / "returned.eml"
    single.write_bytes(dsn.postfix(originals["ann@example.org"]))
    (tmp_path / "not-a-maildir").mkdir()

    with pytest.raises(CommandError) as e:
        call_command("read_bounces", str(tmp_path / "missing.mbox"), str(single),
                     str(tmp_path / "not-a-maildir"))

    assert (f"Could not read {tmp_path / 'missing.mbox'} (No such file or directory), "
            f"{tmp_path / 'not-a-maildir'} (a directory, but not a Maildir: no cur/ and new/ "
            "in it). Check the path and that this user may read it.") == str(e.value)
    assert S.BOUNCED == statuses()["ann@example.org"]


def test_a_missing_path_exits_non_zero_with_its_name(db, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        execute_from_command_line(["rankfile", "read_bounces", str(tmp_path / "nope")])

    assert 1 == e.value.code
    assert f"Could not read {tmp_path / 'nope'}" in capsys.readouterr().err


def test_its_help_says_how_to_wire_it(capsys):
    with pytest.raises(SystemExit):
        execute_from_command_line(["rankfile", "read_bounces", "--help"])

    out = capsys.readouterr().out
    assert "*/10 * * * *  rankfile read_bounces /var/mail/membership" in out
    assert 'membership: \\membership, "|/srv/rankfile/read-bounces"' in out


def test_a_database_out_of_reach_asks_a_piping_mail_server_to_try_again_later(
        db, monkeypatch, capsys):
    def unreachable(messages):
        raise OperationalError("connection refused")

    monkeypatch.setattr(read_bounces, "outbox_read_bounces", unreachable)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(dsn.auto_reply())))

    with pytest.raises(SystemExit) as e:
        execute_from_command_line(["rankfile", "read_bounces", "-"])

    assert 75 == e.value.code  # EX_TEMPFAIL: Postfix keeps the message and tries again
    assert "The database could not be reached" in capsys.readouterr().err
