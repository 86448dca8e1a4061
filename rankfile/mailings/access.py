"""Who may e-mail a body's members: its secretary (a role in the body itself).

A secretary of a branch mails that branch; a constituency's secretary, the
constituency's members (every branch below it). Staff roles above do not
make someone a sender: mail to members comes from their own officers.
"""

from __future__ import annotations

from rankfile.accounts.http import Actor
from rankfile.accounts.models import Role
from rankfile.accounts.roles import bodies_with_role
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, PermissionRefused

SENDERS = (Role.Kind.SECRETARY,)


def bodies_to_mail(user: Actor) -> list[Body]:
    """The bodies ``user`` may e-mail the members of, by name."""
    return sorted(bodies_with_role(user, SENDERS), key=lambda b: b.name)


def can_mail_members(user: Actor) -> bool:
    return bool(bodies_to_mail(user))


def access_body_to_mail(user: Actor, code: str) -> Body:
    """The body with ``code`` if ``user`` may e-mail its members.

    Raises:
        PermissionRefused: ``user`` is secretary of no body.
        NotFound: ``user`` is not secretary of a body with that code.
    """
    bodies = bodies_to_mail(user)
    if not bodies:
        raise PermissionRefused("Only a branch's secretary can e-mail its members.",
                                code="not_a_secretary")
    body = next((b for b in bodies if b.code == (code or "")), None)
    if body is None:
        raise NotFound("You are not the secretary of that branch.", code="unknown_body")
    return body
