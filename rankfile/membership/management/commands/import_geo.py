"""``rankfile import_geo``: import wards, branches and postcodes from CSV files."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.actors import System
from rankfile.core.errors import Refusal
from rankfile.membership.services.boundaries import geo_import_with_members


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a date like 2017-05-04, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Import wards, branches and postcodes from CSV files (the layouts of "
        "rankfile/branches/data/waltham_forest/). Every row of every file is checked "
        "first; if any is wrong, each problem is listed and nothing is imported. A ward "
        "that branches.csv moves to another branch is a boundary change from "
        "--effective-from, and its members move with it. Acts as the system, or as the "
        "membership staff member named by --as (recorded on members' branch changes).\n\n"
        "Example: rankfile import_geo --wards wards.csv --branches branches.csv "
        "--postcodes postcodes.csv --effective-from 2017-05-04"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wards", help="wards.csv: wards, constituencies, regions")
        parser.add_argument("--branches", help="branches.csv: the branch of each ward")
        parser.add_argument("--postcodes", help="postcodes.csv: the ward of each postcode")
        parser.add_argument(
            "--effective-from", type=_date, default=None, metavar="YYYY-MM-DD",
            help="the day boundary changes and new placements take effect (default today)",
        )
        parser.add_argument(
            "--organisation-name",
            help="name of the organisation, created if there is none yet "
            "(default the ORGANISATION_NAME setting)",
        )
        parser.add_argument(
            "--as", dest="as_email", metavar="EMAIL",
            help="act as this membership staff member (default: the system)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        by: Actor = System("import_geo command")
        if options["as_email"]:
            found = User.objects.filter(email__iexact=options["as_email"].strip()).first()
            if found is None:
                raise CommandError(f"No login has the e-mail address {options['as_email']}.")
            by = found
        try:
            report = geo_import_with_members(
                wards=options["wards"], branches=options["branches"],
                postcodes=options["postcodes"], effective_from=options["effective_from"],
                organisation_name=options["organisation_name"], by=by,
            )
        except Refusal as e:
            raise CommandError(e.message) from None
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Import complete."))
