"""``rankfile close_trigger_ballots``: apply the rules of trigger ballots past their deadline."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rankfile.core.actors import System
from rankfile.selections.services.trigger import triggers_conclude_due


class Command(BaseCommand):
    help = (
        "Apply the thresholds of every trigger ballot whose deadline has passed: branches "
        "and affiliates that did not decide count as not saying yes, and the outcome is "
        "published. Acts as the system; safe to run twice; run it hourly from cron.\n\n"
        "Example: rankfile close_trigger_ballots"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = triggers_conclude_due(by=System("close_trigger_ballots command"))
        for selection in done:
            self.stdout.write(f"{selection.slug}: {selection.get_outcome_display()}.")
        self.stdout.write(f"{len(done)} trigger ballot{'s' if len(done) != 1 else ''} closed.")
