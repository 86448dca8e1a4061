"""Who may run, watch and read an election.

From roles in bodies only (``accounts.roles``): a returning officer of the
election's body (or a body above it) runs it; a scrutineer there watches it,
seeing everything except the ballots' contents before the close. Everyone
sees a published result and its bulletin. The election services call these.
"""

from __future__ import annotations

from rankfile.accounts.http import Actor
from rankfile.accounts.models import Role
from rankfile.accounts.roles import has_role
from rankfile.core.errors import NotFound, PermissionRefused
from rankfile.elections.models import Election

RUNNERS = (Role.Kind.RETURNING_OFFICER,)
WATCHERS = (Role.Kind.RETURNING_OFFICER, Role.Kind.SCRUTINEER)
# Key paper (postal) ballots: the returning officer and the body's staff.
KEYERS = (Role.Kind.RETURNING_OFFICER, Role.Kind.STAFF)
BOX_CLOSED = (Election.Status.CLOSED, Election.Status.PUBLISHED)


def access_election(slug: str) -> Election:
    """The election with ``slug`` (every election's existence is public).

    Raises:
        NotFound: there is none.
    """
    election = Election.objects.select_related("body").filter(slug=slug).first()
    if election is None:
        raise NotFound("There is no such election. Check the address.", code="no_election")
    return election


def can_run(user: Actor, election: Election) -> bool:
    return has_role(user, RUNNERS, election.body)


def can_watch(user: Actor, election: Election) -> bool:
    return has_role(user, WATCHERS, election.body)


def can_key_postal(user: Actor, election: Election) -> bool:
    return has_role(user, KEYERS, election.body)


def can_read_ballots(user: Actor, election: Election) -> bool:
    """Ballots' contents: anyone once published; the officers once the box is closed."""
    if election.status == Election.Status.PUBLISHED:
        return True
    return election.status in BOX_CLOSED and can_watch(user, election)


def check_runs(user: Actor, election: Election) -> None:
    """Raises PermissionRefused unless ``user`` is a returning officer of the election."""
    if not can_run(user, election):
        raise PermissionRefused("Only the election's returning officer can do that.",
                                code="not_returning_officer")


def check_watches(user: Actor, election: Election) -> None:
    """Raises PermissionRefused unless ``user`` is a returning officer or scrutineer."""
    if not can_watch(user, election):
        raise PermissionRefused("Only the election's returning officer and scrutineers can "
                                "see this.", code="not_scrutineer")


def check_keys_postal(user: Actor, election: Election) -> None:
    """Raises PermissionRefused unless ``user`` may key the election's paper ballots."""
    if not can_key_postal(user, election):
        raise PermissionRefused("Only the election's returning officer and staff key paper "
                                "ballots.", code="not_keyer")


def check_reads_ballots(user: Actor, election: Election) -> None:
    if not can_read_ballots(user, election):
        raise PermissionRefused("Ballots are shown only after the close, and to everyone once "
                                "the result is published.", code="box_sealed")


def check_runs_in(user: Actor, body: object) -> None:
    """Raises PermissionRefused unless ``user`` is a returning officer of ``body``."""
    if not has_role(user, RUNNERS, body):  # type: ignore[arg-type]
        raise PermissionRefused("Only a returning officer of the body can set up its "
                                "elections.", code="not_returning_officer")


# -- nominations ----------------------------------------------------------------------------

# Who enters a branch's or an affiliate's decision to nominate: the returning officer,
# or the organisation's membership staff, who receive the branches' minutes.
DECISION_ENTERERS = (Role.Kind.RETURNING_OFFICER, Role.Kind.STAFF)
# Who reads the nominations as they stand, before the list is confirmed.
NOMINATION_READERS = (Role.Kind.RETURNING_OFFICER, Role.Kind.SCRUTINEER, Role.Kind.STAFF)


def can_enter_decisions(user: Actor, election: Election) -> bool:
    return has_role(user, DECISION_ENTERERS, election.body)


def can_read_nominations(user: Actor, election: Election) -> bool:
    return has_role(user, NOMINATION_READERS, election.body)


def check_enters_decisions(user: Actor, election: Election) -> None:
    """Raises PermissionRefused unless ``user`` is a returning officer or staff."""
    if not can_enter_decisions(user, election):
        raise PermissionRefused("Only the returning officer and membership staff enter a "
                                "branch's or an affiliate's nomination.",
                                code="not_returning_officer")


def check_reads_nominations(user: Actor, election: Election) -> None:
    """Raises PermissionRefused unless ``user`` is a returning officer, scrutineer or staff."""
    if not can_read_nominations(user, election):
        raise PermissionRefused("Only the returning officer, scrutineers and membership staff "
                                "see the nominations before the list is confirmed.",
                                code="not_scrutineer")
