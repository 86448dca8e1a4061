"""``rankfile load_demo``: load the Waltham Forest demo, or refresh it if loaded."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rankfile.core.errors import Refusal
from rankfile.demo import PASSWORD, demo_load
from rankfile.demo.articles import LOGINS as ARTICLE_LOGINS
from rankfile.demo.elections import LOGINS as ELECTION_LOGINS
from rankfile.demo.elections import credentials_path
from rankfile.demo.logins import LOGINS, two_factor_note
from rankfile.demo.meetings import LOGINS as MEETING_LOGINS
from rankfile.demo.payments import payments_note
from rankfile.demo.selections import LOGINS as SELECTION_LOGINS


class Command(BaseCommand):
    help = (
        "Load the Waltham Forest demo: the borough's 3 constituencies, 7 branches, 20 wards "
        "and 3,704 postcodes; membership categories, a past and an open supporters' "
        "window, unions; about 5,000 synthetic people; and the logins. Running it again "
        "loads only what is missing and moves the supporters' window so it is open now. "
        "Acts as the system.\n\n"
        "Example: rankfile load_demo --people 5000"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=5000,
                            help="how many synthetic people to make on first load (5000)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 0:
            raise CommandError("--people must be 0 or more.")
        started = time.monotonic()
        try:
            report = demo_load(people=options["people"], out=self.stdout.write)
        except Refusal as e:
            raise CommandError(e.message) from None
        took = time.monotonic() - started
        if report.loaded:
            self.stdout.write(self.style.SUCCESS(f"Demo loaded in {took:.1f} s."))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Demo already loaded; supporters' window moved to open now ({took:.1f} s)."))
        self.stdout.write(f"\nLog in at /accounts/login/ with the password {PASSWORD}:")
        for email, what in (LOGINS + ARTICLE_LOGINS + MEETING_LOGINS + ELECTION_LOGINS
                            + SELECTION_LOGINS):
            self.stdout.write(f"  {email}  — {what}")
        self.stdout.write(f"\nVoting codes for the demo voters (one a line): {credentials_path()}; "
                          "vote at /elections/leadership-2016/vote/, or log in as "
                          "member@demo.rankfile.org and vote from the account.")
        self.stdout.write("\n" + two_factor_note())
        self.stdout.write("\n" + payments_note())
