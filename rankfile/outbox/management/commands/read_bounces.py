"""``rankfile read_bounces``: record the bounces that mail servers reported."""

from __future__ import annotations

import email
import mailbox
import sys
from argparse import RawDescriptionHelpFormatter
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.db import DatabaseError

from rankfile.outbox.bounces import outbox_read_bounces


class _Formatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Keeps the help's paragraphs and examples as written."""


class Command(BaseCommand):
    help = """\
Read bounce reports (delivery status notifications, RFC 3464) and record each
message that could not be delivered as bounced, with the mail server's reason:
returning officers see the voting codes that bounced. Delays, auto-replies and
spam are counted and skipped; a report of a message not sent from here is
counted as unknown. Reading the same reports again records nothing more, so a
mailbox can be read whole each time; nothing in it is deleted or moved.

Each PATH is an mbox file, a Maildir directory or a single message (.eml);
"-" reads one message from standard input. Exit status 0 once every PATH was
read, whatever the reports said; 1 if a PATH could not be read; 75 (try again
later, to a mail server) if the database could not be reached.

Bounces come back to the envelope sender, DEFAULT_FROM_EMAIL. Wire its
mailbox to this command in one of two ways, with the same environment as the
workers (DATABASE_URL, SECRET_KEY ...):

  # cron, every ten minutes, on the mailbox the bounces are delivered to
  */10 * * * *  rankfile read_bounces /var/mail/membership

  # or pipe a copy of each message as it arrives, e.g. in Postfix's
  # /etc/aliases (the backslash still delivers to the mailbox itself), where
  # read-bounces is a script that sets the environment and runs
  # "rankfile read_bounces -"
  membership: \\membership, "|/srv/rankfile/read-bounces"

Example: rankfile read_bounces ~/Maildir bounces.mbox returned.eml"""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        return super().create_parser(prog_name, subcommand, formatter_class=_Formatter,
                                     **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH",
                            help='an mbox file, a Maildir directory, a .eml file, or "-"')

    def handle(self, *args: Any, **options: Any) -> None:
        unread = []
        for path in options["paths"]:
            label = "standard input" if path == "-" else path
            try:
                report = outbox_read_bounces(_messages(path))
            except DatabaseError as e:
                # 75 is EX_TEMPFAIL: a mail server piping a message keeps it and tries later.
                raise CommandError(f"The database could not be reached ({e}): nothing more "
                                   "was recorded. Try again later.", returncode=75) from None
            except (OSError, mailbox.Error) as e:
                why = (e.strerror or e) if isinstance(e, OSError) else e
                unread.append(f"{label} ({why})")
                continue
            self.stdout.write(f"{label}:")
            for line in report.lines():
                self.stdout.write(f"  {line}")
        if unread:
            raise CommandError(f"Could not read {', '.join(unread)}. Check the path and "
                               "that this user may read it.")


def _messages(path: str) -> Iterator[Message]:
    """The messages at ``path``, read as they are needed.

    Raises:
        OSError, mailbox.Error: ``path`` is missing, unreadable, or a directory
            that is not a Maildir.
    """
    if path == "-":
        yield email.message_from_binary_file(sys.stdin.buffer)
        return
    where = Path(path)
    if where.is_dir():
        if not (where / "cur").is_dir() or not (where / "new").is_dir():
            raise mailbox.NoSuchMailboxError("a directory, but not a Maildir: no cur/ and "
                                             "new/ in it")
        yield from mailbox.Maildir(where, factory=None, create=False)
        return
    with where.open("rb") as f:
        is_mbox = f.read(5) == b"From "  # an mbox starts with its separator line
        f.seek(0)
        if not is_mbox:
            yield email.message_from_binary_file(f)
            return
    yield from mailbox.mbox(where, factory=None, create=False)
