"""Check-in at the door: search, the member's signed code, standing, presence and quorum."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.branches.models import Body
from rankfile.core.errors import Conflict, NotFound, PermissionRefused, Refusal
from rankfile.meetings.access import can_chair, can_tell
from rankfile.meetings.models import Attendance, GroupMember, Guest, Meeting, Reply
from rankfile.meetings.services.calling import rules_of
from rankfile.meetings.services.text import checked_text
from rankfile.membership.models import GOOD_STANDING, Membership

TOKEN_SALT = "rankfile.meetings.checkin"
# A member's code on their phone lasts a day: long enough for the queue, too short to share.
TOKEN_MAX_AGE = 24 * 3600
SEARCH_LIMIT = 20
S = Membership.Status
# Never shown at the door: people who never became members.
NEVER_MEMBERS = (S.APPLIED, S.EXPIRED)


def checkin_token(membership: Membership) -> str:
    """The signed code a member shows at the door (expires after ``TOKEN_MAX_AGE``)."""
    return signing.dumps({"m": membership.reference}, salt=TOKEN_SALT, compress=True)


def _reference_from(token: str) -> str:
    try:
        data = signing.loads(token.strip()[:500], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise Refusal("This code has expired: ask the member to open their meetings page again.",
                      code="token_expired", field="token") from None
    except signing.BadSignature:
        raise Refusal("This code is not one of ours: search for the member by name instead.",
                      code="bad_token", field="token") from None
    return str(data.get("m", "")) if isinstance(data, dict) else ""


def _body_filter(body: Body) -> Q:
    if body.kind == Body.Kind.BRANCH:
        return Q(branch=body)
    if body.kind == Body.Kind.CONSTITUENCY:
        return Q(constituency=body)
    if body.kind in (Body.Kind.GROUP, Body.Kind.AFFILIATE):
        # Named, not joined: a join to GroupMember would repeat a member of several groups.
        return Q(user_id__in=list(GroupMember.objects.filter(group=body)
                                  .values_list("user_id", flat=True)))
    return Q(pk__in=[])


def _belongs(membership: Membership, body: Body) -> bool:
    """Whether ``membership`` is placed in ``body`` (without a query for a branch)."""
    if body.kind == Body.Kind.BRANCH:
        return membership.branch_id == body.pk
    if body.kind == Body.Kind.CONSTITUENCY:
        return membership.constituency_id == body.pk
    if body.kind in (Body.Kind.GROUP, Body.Kind.AFFILIATE):
        return GroupMember.objects.filter(group=body, user_id=membership.user_id).exists()
    return False


def door_pool(meeting: Meeting) -> QuerySet[Membership]:
    """Whom the door may find: the body's members, and anyone who said they are coming.

    Never the whole membership: the door must not become a way to look anyone up.
    Those coming are read first and named in the query: with a subquery in the
    same OR, PostgreSQL cannot combine the body's index with the users' and reads
    the whole membership table (650,000 rows: 1.5 s) for every search; with a
    list it reads the body's members and those coming from their indexes.
    """
    coming = list(Reply.objects.filter(meeting=meeting, answer=Reply.Answer.COMING)
                  .values_list("user_id", flat=True))
    return (Membership.objects.filter(_body_filter(meeting.body) | Q(user_id__in=coming))
            .exclude(status__in=NEVER_MEMBERS).select_related("category", "branch"))


def standing_of(membership: Membership, meeting: Meeting) -> tuple[str, str]:
    """Whether ``membership`` votes at ``meeting``, and why not."""
    St = Attendance.Standing
    if membership.status not in GOOD_STANDING:
        return St.NOT_VOTING, f"{membership.get_status_display()}: may not vote."
    if not membership.category.may_vote_in_meetings:
        return St.NOT_VOTING, f"{membership.category.name}: may attend, may not vote."
    if not _belongs(membership, meeting.body):
        where = membership.branch.name if membership.branch else "no branch yet"
        return St.OTHER_BODY, f"Member of {where}: may attend, may not vote."
    return St.VOTING, "Voting member."


@dataclass(frozen=True)
class Found:
    membership: Membership
    standing: str
    reason: str
    attendance: Attendance | None


def _check_teller(by: Actor, meeting: Meeting) -> None:
    if not can_tell(by, meeting):
        raise PermissionRefused("Only the meeting's tellers and officers check people in.")
    if meeting.status == Meeting.Status.CLOSED:
        raise Refusal("This meeting is over.", code="meeting_closed")


def door_search(*, by: Actor, meeting: Meeting, query: str) -> list[Found]:
    """Members of the body, or people coming, by name prefix, postcode or membership number.

    Raises:
        PermissionRefused: ``by`` is not a teller of the meeting's body.
        Refusal: a query too short to be specific, or holding control characters.
    """
    _check_teller(by, meeting)
    query = checked_text(query, field="q", label="name, postcode or membership number",
                         max_length=100)
    if len(query) < 2:
        raise Refusal("Type at least two letters of the name.", code="too_short", field="q")
    pool = door_pool(meeting)
    words = query.split()
    compact = query.replace(" ", "").upper()
    match = Q(reference__iexact=query) | Q(postcode__iexact=query.upper())
    if len(words) > 1:
        match |= Q(first_name__istartswith=words[0], last_name__istartswith=words[-1])
        if len(compact) <= 7:
            match |= Q(postcode__iexact=f"{compact[:-3]} {compact[-3:]}")
    else:
        match |= Q(first_name__istartswith=query) | Q(last_name__istartswith=query)
        if 5 <= len(compact) <= 7 and any(c.isdigit() for c in compact):
            # A postcode typed without its space ("e47aa").
            match |= Q(postcode__iexact=f"{compact[:-3]} {compact[-3:]}")
    # One row per membership without DISTINCT: the pool joins no other table.
    rows = list(pool.filter(match).order_by("last_name", "first_name", "pk")[:SEARCH_LIMIT])
    here = {a.membership_id: a for a in Attendance.objects.filter(
        meeting=meeting, membership__in=[m.pk for m in rows])}
    return [Found(m, *standing_of(m, meeting), here.get(m.pk)) for m in rows]


@dataclass(frozen=True)
class ExpectedGuest:
    guest: Guest
    attendance: Attendance | None


def door_guests(*, by: Actor, meeting: Meeting, query: str) -> list[ExpectedGuest]:
    """Guests who signed up for this meeting (its public page), by a prefix of a name.

    Only this meeting's guests, only by name: never their e-mail address, never
    another meeting's.

    Raises:
        PermissionRefused, Refusal: as ``door_search``.
    """
    _check_teller(by, meeting)
    query = checked_text(query, field="q", label="name, postcode or membership number",
                         max_length=100)
    if len(query) < 2:
        raise Refusal("Type at least two letters of the name.", code="too_short", field="q")
    words = query.split()
    match = Q(name__istartswith=query) | Q(name__icontains=f" {words[0]}")
    if len(words) > 1:
        match = Q(name__istartswith=words[0], name__icontains=f" {words[-1]}") | match
    rows = list(Guest.objects.filter(meeting=meeting).filter(match).order_by("name")[:SEARCH_LIMIT])
    here = {a.guest_id: a for a in Attendance.objects.filter(meeting=meeting,
                                                              guest__in=[g.pk for g in rows])}
    return [ExpectedGuest(g, here.get(g.pk)) for g in rows]


def _check_in_guest(meeting: Meeting, guest_id: int, teller: User | None) -> CheckIn:
    guest = Guest.objects.filter(meeting=meeting, pk=guest_id).first()
    if guest is None:
        raise NotFound("That guest did not sign up for this meeting: check them in by name.",
                       field="guest")
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                meeting=meeting, guest=guest,
                defaults={"guest_name": guest.name, "standing": Attendance.Standing.GUEST,
                          "reason": "Guest (signed up): may attend, may not vote.",
                          "checked_in_at": timezone.now(), "checked_in_by": teller})
    except IntegrityError:  # another teller checked them in at the same moment
        attendance, created = Attendance.objects.get(meeting=meeting, guest=guest), False
    if not created and attendance.checked_out_at is not None:
        Attendance.objects.filter(pk=attendance.pk).update(checked_out_at=None)
        attendance.checked_out_at = None
    return CheckIn(attendance, created)


@dataclass(frozen=True)
class CheckIn:
    attendance: Attendance
    created: bool  # False: they were already in (a second tap, another teller)


def attendee_check_in(*, by: Actor, meeting: Meeting, reference: str = "", token: str = "",
                      guest_name: str = "", guest_id: int | None = None) -> CheckIn:
    """Check a member in (by reference from a search, or their signed code) or a guest
    (one who signed up, by ``guest_id``, or by the name they give at the door).

    Safe to repeat and from several tellers at once: one row per member (a unique
    constraint); the second answer is the first row, marked present again.

    Raises:
        PermissionRefused: ``by`` is not a teller of the meeting's body.
        NotFound: the reference is not someone the door may find.
        Refusal: a bad or expired code, or an unusable guest name.
    """
    _check_teller(by, meeting)
    teller = by if isinstance(by, User) else None
    now = timezone.now()
    if guest_id is not None:
        return _check_in_guest(meeting, guest_id, teller)
    if guest_name or not (reference or token):
        name = checked_text(guest_name, field="guest_name", label="guest's name", max_length=200)
        guest = Attendance.objects.create(
            meeting=meeting, guest_name=name, standing=Attendance.Standing.GUEST,
            reason="Guest: may attend, may not vote.", checked_in_at=now, checked_in_by=teller)
        return CheckIn(guest, True)
    if token:
        reference = _reference_from(token)
        membership = Membership.objects.filter(reference=reference).exclude(
            status__in=NEVER_MEMBERS).select_related("category", "branch").first()
    else:
        reference = reference.strip()[:12].replace("\x00", "")
        membership = door_pool(meeting).filter(reference=reference).select_related("branch").first()
    if membership is None:
        raise NotFound("No one with that number can be checked in here: search by name.",
                       field="reference")
    standing, reason = standing_of(membership, meeting)
    try:
        with transaction.atomic():
            attendance, created = Attendance.objects.get_or_create(
                meeting=meeting, membership=membership,
                defaults={"user": membership.user, "standing": standing, "reason": reason,
                          "checked_in_at": now, "checked_in_by": teller})
    except IntegrityError:  # another teller checked them in at the same moment
        attendance, created = Attendance.objects.get(meeting=meeting, membership=membership), False
    if not created and attendance.checked_out_at is not None:
        Attendance.objects.filter(pk=attendance.pk).update(checked_out_at=None)
        attendance.checked_out_at = None
    return CheckIn(attendance, created)


def attendee_check_out(*, by: Actor, meeting: Meeting, attendance_id: int) -> Attendance:
    """Mark someone as gone, so they no longer count as present.

    Raises:
        PermissionRefused: ``by`` is not a teller.
        NotFound: no such attendance at this meeting.
        Conflict: they already left.
    """
    _check_teller(by, meeting)
    attendance = Attendance.objects.filter(meeting=meeting, pk=attendance_id).first()
    if attendance is None:
        raise NotFound("That person is not checked in to this meeting.")
    if not Attendance.objects.filter(pk=attendance.pk, checked_out_at__isnull=True).update(
            checked_out_at=timezone.now()):
        raise Conflict("They were already checked out.", code="already_out")
    attendance.refresh_from_db()
    return attendance


@dataclass(frozen=True)
class Presence:
    present: int
    voting: int
    quorum: int

    @property
    def quorate(self) -> bool:
        return self.voting >= self.quorum


def meeting_presence(meeting: Meeting) -> Presence:
    """Who is in the room now, how many of them vote, and the body's quorum."""
    here = Attendance.objects.filter(meeting=meeting, checked_out_at__isnull=True)
    return Presence(present=here.count(),
                    voting=here.filter(standing=Attendance.Standing.VOTING).count(),
                    quorum=rules_of(meeting.body).quorum)


def is_present_voter(user: Actor, meeting: Meeting) -> bool:
    return isinstance(user, User) and Attendance.objects.filter(
        meeting=meeting, user=user, standing=Attendance.Standing.VOTING,
        checked_out_at__isnull=True).exists()


def meeting_open(*, by: Actor, meeting: Meeting) -> Meeting:
    """The chair opens the meeting (doors may check people in before)."""
    if not can_chair(by, meeting):
        raise PermissionRefused("Only the chair or the secretary opens the meeting.")
    if meeting.status == Meeting.Status.CLOSED:
        raise Refusal("This meeting is over.", code="meeting_closed")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.OPEN)
    meeting.status = Meeting.Status.OPEN
    return meeting


def meeting_close(*, by: Actor, meeting: Meeting) -> Meeting:
    if not can_chair(by, meeting):
        raise PermissionRefused("Only the chair or the secretary closes the meeting.")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    meeting.status = Meeting.Status.CLOSED
    return meeting
