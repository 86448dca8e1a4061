"""``rankfile verify_audit``: check the hash chain of elections' audit logs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rankfile.elections.models import Election
from rankfile.elections.services.audit import audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit log of each election (or those named): every entry's SHA-256 "
        "follows from the one before, so an entry changed, removed or inserted is found. "
        "Reads only; acts as nobody. Exit status 1 if any chain is broken.\n\n"
        "Example: rankfile verify_audit leadership-2016"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="elections to check (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        elections = Election.objects.order_by("slug")
        if options["slugs"]:
            elections = elections.filter(slug__in=options["slugs"])
            missing = set(options["slugs"]) - set(elections.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No election {sorted(missing)[0]!r}.")
        broken = 0
        for election in elections:
            problems = audit_verify(election)
            entries = election.audit.count()
            if problems:
                broken += 1
                self.stdout.write(f"{election.slug}: BROKEN ({entries} entries)")
                for problem in problems:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(f"{election.slug}: intact ({entries} entries)")
        if broken:
            raise CommandError(f"{broken} audit log{'s' if broken != 1 else ''} broken.")
