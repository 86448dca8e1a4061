"""Reading memberships, scoped by who is asking.

Officers see members through their roles: national staff (``staff`` in the
organisation) see everyone; a branch secretary sees their branch's members; a
role in a constituency or region reaches the branches below it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rankfile.accounts.http import AnyUser
from rankfile.accounts.models import User
from rankfile.accounts.roles import bodies_within
from rankfile.branches.models import Body
from rankfile.branches.postcodes import normalise_postcode
from rankfile.core.errors import NotFound
from rankfile.membership.access import OFFICER_KINDS, access_membership, check_sees_members
from rankfile.membership.models import BranchChange, Membership, RecordAccess, StatusChange
from rankfile.membership.services.references import clean_reference

__all__ = ["OFFICER_KINDS", "access_membership", "access_own_membership", "branch_list_for",
           "membership_list_for", "membership_list_of"]


# An outward code alone ("E4", "E17", "SW1A"): searched as the start of a postcode.
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def member_search_filter(q: str) -> Q:
    """What a search box's text matches, chosen by its shape, each an indexed prefix.

    - a membership reference (``RF-…``, as typed): that reference;
    - an e-mail address (it holds ``@``): addresses starting with it, in any case
      (``theo@`` finds every domain's theo, never ``theodora@``);
    - a full postcode, or an outward code (``E4``): postcodes starting with it;
    - otherwise a name: one word starts the first name or the surname; two start
      the surname and first name in either order, or a two-word surname
      (``"ros ok"`` and ``"oka ros"`` find Rosa Okafor); more, each starts one.

    The prefixes are served by indexes on PostgreSQL (migration 0005), so a search
    over 650,000 people reads an index range, never the table.
    """
    q = q.replace("\x00", "").strip()[:200]
    if not q:
        return Q()
    reference = clean_reference(q)
    if reference.startswith("RF-"):
        return Q(reference=reference)
    if "@" in q:
        return Q(user__email__istartswith=q)
    postcode = normalise_postcode(q)
    if postcode:
        return Q(postcode=postcode)
    compact = "".join(q.split()).upper()
    if _OUTWARD.match(compact):
        return Q(postcode__startswith=compact + " ")
    words = q.split()[:4]
    if len(words) == 1:
        return Q(last_name__istartswith=q) | Q(first_name__istartswith=q)
    if len(words) == 2:
        first, second = words
        # Surname then first name, first name then surname, or a two-word surname:
        # each a range of one index (migration 0005), never a scan of every Smith.
        return ((Q(last_name__istartswith=first) & Q(first_name__istartswith=second))
                | (Q(first_name__istartswith=first) & Q(last_name__istartswith=second))
                | Q(last_name__istartswith=" ".join(words)))
    found = Q()
    for word in words:
        found &= Q(last_name__istartswith=word) | Q(first_name__istartswith=word)
    return found


def membership_list_for(user: AnyUser | None, *, q: str | None = None, status: str | None = None,
                        branch: int | Body | None = None) -> QuerySet[Membership]:
    """The memberships ``user`` may see, newest application first, filtered.

    Args:
        q: a reference, an e-mail address, a postcode or name prefixes
            (``member_search_filter``).
        status: a ``Membership.Status`` value; anything else is ignored.
        branch: a branch (or its pk) to narrow to, within what ``user`` may see.

    Raises:
        PermissionRefused: ``user`` holds no role that reads members' records.
    """
    found = (Membership.objects.filter(check_sees_members(user).filter)
             .filter(member_search_filter(q or ""))
             .select_related("category", "branch", "user"))
    if status in Membership.Status.values:
        found = found.filter(status=status)
    if branch:
        found = found.filter(branch=branch)
    return found.order_by("-applied_at", "-pk")


def branch_list_for(user: AnyUser | None) -> list[Body]:
    """The branches whose members ``user`` may see, by name (for a filter on the list).

    Raises:
        PermissionRefused: ``user`` holds no role that reads members' records.
    """
    scope = check_sees_members(user)
    branches = Body.objects.filter(kind=Body.Kind.BRANCH)
    if not scope.everyone:
        branches = branches.filter(pk__in=bodies_within(scope.roots))
    return list(branches.order_by("name"))


def membership_list_of(user: AnyUser | None) -> QuerySet[Membership]:
    """A person's own memberships, newest first, with what the members' page shows."""
    if not (user is not None and user.is_authenticated):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("category", "branch", "constituency", "ward", "rate")
        .prefetch_related("payments", "history", "branch_history__from_branch",
                          "branch_history__to_branch")
        .order_by("-applied_at", "-pk")
    )


def access_own_membership(user: AnyUser | None, reference: str | None = None) -> Membership:
    """The person's membership with ``reference``, or their newest one that has not ended.

    Raises:
        NotFound: no such membership of theirs (or none that is still going).
    """
    own = membership_list_of(user)
    if reference and "\x00" in reference:  # PostgreSQL refuses NUL in text; no reference has one
        raise NotFound("You have no current membership.", code="no_membership")
    if reference:
        found = own.filter(reference__iexact=reference.strip()).first()
    else:
        from rankfile.membership.services.status import ENDED

        found = own.exclude(status__in=ENDED).first()
    if found is None:
        raise NotFound("You have no current membership.", code="no_membership")
    return found


def membership_history(membership: Membership) -> list[StatusChange | BranchChange]:
    """The status changes and branch moves of ``membership`` in one list, oldest first.

    Uses the rows ``membership_list_of`` prefetched, so it costs no query there.
    """
    events: list[StatusChange | BranchChange] = [*membership.history.all(),
                                                 *membership.branch_history.all()]
    return sorted(events, key=lambda e: (e.at, isinstance(e, BranchChange), e.pk))


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    kind: str  # status, move, payment, refund, vetting, access
    text: str
    by: str = ""


def member_timeline(membership: Membership) -> list[TimelineEvent]:
    """Everything that happened to ``membership``, newest first: status changes, branch
    moves, payments and refunds, vetting decisions (their internal notes left out: a
    secretary reads this page too), and who looked at the record (the access log)."""
    from rankfile.membership.models import Payment, RecordAccess, Refund

    events: list[TimelineEvent] = []
    for c in membership.history.select_related("by"):
        change = f"{c.get_from_status_display() or 'New'} → {c.get_to_status_display()}"
        events.append(TimelineEvent(c.at, "status", f"{change}: {c.reason}",
                                    c.by.email if c.by else "system"))
    for m in membership.branch_history.select_related("from_branch", "to_branch", "by"):
        moved = (f"Moved from {m.from_branch.name if m.from_branch else 'no branch'} "
                 f"to {m.to_branch.name if m.to_branch else 'no branch'}: {m.reason}")
        events.append(TimelineEvent(m.at, "move", moved, m.by.email if m.by else "system"))
    for p in Payment.objects.filter(membership=membership).select_related("recorded_by"):
        pounds = f"£{p.amount_pence // 100:,}.{p.amount_pence % 100:02d}"
        events.append(TimelineEvent(p.created_at, "payment",
                                    f"Payment {p.reference} of {pounds} asked for"))
        if p.paid_at:
            how = f" by {p.get_method_display().lower()}" if p.method else ""
            events.append(TimelineEvent(
                p.paid_at, "payment", f"Payment {p.reference} of {pounds} paid{how}",
                p.recorded_by.email if p.recorded_by else "system"))
    for r in Refund.objects.filter(payment__membership=membership).select_related(
            "payment", "requested_by"):
        events.append(TimelineEvent(
            r.requested_at, "refund",
            f"Refund of payment {r.payment.reference}: {r.get_status_display().lower()}",
            r.requested_by.email if r.requested_by else "system"))
    # The vetting app's decisions, through their relation: membership imports no app above it.
    for d in membership.vetting_decisions.select_related("by"):
        why = f" ({d.get_reason_code_display()})" if d.reason_code else ""
        how = " on appeal" if d.on_appeal else (" in bulk" if d.bulk else "")
        events.append(TimelineEvent(d.at, "vetting", f"Vetting: {d.get_outcome_display()}{how}{why}",
                                    d.by.email if d.by else "system"))
    looks = list(RecordAccess.objects.filter(membership_id=membership.pk)[:200])
    emails = dict(User.objects.filter(pk__in={a.by_id for a in looks})
                  .values_list("pk", "email"))
    for a in looks:
        verdict = "" if a.allowed else " (refused)"
        events.append(TimelineEvent(a.at, "access", f"{a.get_action_display()}: {a.purpose}{verdict}",
                                    emails.get(a.by_id, f"user {a.by_id}")))
    return sorted(events, key=lambda e: e.at, reverse=True)


def access_log_list(*, by_id: int | None = None, reference: str = "",
                    allowed: bool | None = None, action: str = "",
                    since: dt.date | None = None, until: dt.date | None = None,
                    ) -> QuerySet[RecordAccess]:
    """The access log, newest first, filtered (the caller checks who may read it)."""
    found = RecordAccess.objects.all()
    if by_id is not None:
        found = found.filter(by_id=by_id)
    if reference:
        pks = list(Membership.objects.filter(reference__iexact=reference)
                   .values_list("pk", flat=True))
        found = found.filter(Q(reference__iexact=reference) | Q(membership_id__in=pks))
    if allowed is not None:
        found = found.filter(allowed=allowed)
    if action in RecordAccess.Action.values:
        found = found.filter(action=action)
    if since:
        found = found.filter(at__date__gte=since)
    if until:
        found = found.filter(at__date__lte=until)
    return found.order_by("-at", "-pk")
