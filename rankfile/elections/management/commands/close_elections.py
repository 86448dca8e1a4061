"""``rankfile close_elections``: close the elections whose ballot period has ended."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rankfile.core.actors import System
from rankfile.elections.services.setup import elections_close_due


class Command(BaseCommand):
    help = (
        "Close every open election whose ballot period has ended (its box is written "
        "again and the close is in its audit log). Acts as the system; run it every "
        "minute from cron.\n\nExample: rankfile close_elections"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = elections_close_due(by=System("close_elections command"))
        for election in closed:
            self.stdout.write(f"Closed {election.slug}.")
        self.stdout.write(f"{len(closed)} election{'s' if len(closed) != 1 else ''} closed.")
