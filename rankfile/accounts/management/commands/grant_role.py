"""``rankfile grant_role``: give a login a role in a body, as the system."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rankfile.accounts.models import Role, User
from rankfile.accounts.services import role_grant
from rankfile.branches.models import Body
from rankfile.branches.selectors import organisation_get
from rankfile.core.actors import System
from rankfile.core.errors import Refusal


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a date like 2027-05-06, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Give a login a role in a body (the organisation unless --body names another). "
        "Acts as the system: this is how the first membership staff member gets into the "
        "admin, since only roles open it. Kinds: " + ", ".join(Role.Kind.values) + ".\n\n"
        "Example: rankfile grant_role staff@example.org staff"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the login's e-mail address")
        parser.add_argument("kind", choices=Role.Kind.values, help="the role")
        parser.add_argument("--body", metavar="CODE",
                            help="the body's code, e.g. WF-CHN (default: the organisation)")
        parser.add_argument("--until", type=_date, metavar="YYYY-MM-DD",
                            help="the last day the role is held (default: no end)")
        parser.add_argument("--note", default="", help="why, for the record")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No login has the e-mail address {options['email']}. The "
                               "person gets one by joining.")
        if options["body"]:
            body = Body.objects.filter(code=options["body"]).first()
            if body is None:
                raise CommandError(f"No body has the code {options['body']}.")
        else:
            body = organisation_get()
            if body is None:
                raise CommandError("There is no organisation yet: run rankfile import_geo first.")
        try:
            role = role_grant(user=user, kind=options["kind"], body=body,
                              by=System("grant_role command"), ends_on=options["until"],
                              note=options["note"] or "Granted with rankfile grant_role")
        except Refusal as e:
            raise CommandError(e.message) from None
        self.stdout.write(f"{user.email} is now {role.get_kind_display().lower()} of {body.name}"
                          f" from {role.starts_on:%d %B %Y}.")
