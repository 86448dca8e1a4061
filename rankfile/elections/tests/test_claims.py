"""Claims and objections to the roll: lodged from "Can I vote?", decided by the returning
officer with a reason, the entry amended and kept with its difference, the people told,
everything in the audit log; and no freeze while any is open."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rankfile.core.errors import Conflict, PermissionRefused, Refusal
from rankfile.elections.models import AuditEntry, RollClaim, RollEntry
from rankfile.elections.services.audit import audit_verify
from rankfile.elections.services.claims import (
    claim_decide,
    claim_list,
    claim_lodge,
    objection_lodge,
)
from rankfile.elections.services.roll import (
    roll_differences,
    roll_evaluate,
    roll_freeze,
    roll_rules_set,
)
from rankfile.elections.services.setup import election_open
from rankfile.elections.tests.helpers import rules_for
from rankfile.membership.models import Membership
from rankfile.outbox.models import OutboxMessage


def drawn(election, officer, **rules):
    roll_rules_set(by=officer, election=election, rules=rules_for(**rules))
    return roll_evaluate(by=officer, election=election)


def late_joiner(member):
    """The member joined the day after the freeze date: off the roll."""
    late = timezone.localdate() + dt.timedelta(days=1)
    Membership.objects.filter(user=member).update(joined_on=late)


def test_a_member_off_the_roll_claims_and_the_upheld_claim_puts_them_on(
        election, returning_officer, member, supporter):
    late_joiner(member)
    drawn(election, returning_officer)
    assert not RollEntry.objects.get(user=member).eligible

    claim = claim_lodge(by=member, election=election, section="member",
                        grounds="I joined on the day; the bank took a day to pay.")
    decided = claim_decide(by=returning_officer, claim=claim, uphold=True,
                           reason="The bank statement shows payment on the freeze date.")

    entry = RollEntry.objects.get(user=member)
    assert (True, "member") == (entry.eligible, entry.section)
    assert entry.reason.startswith("On your claim, the returning officer put you on the roll")
    assert "bank statement" in entry.reason
    assert (False, True, 1) == (decided.before_eligible, decided.after_eligible,
                                decided.rules_version)
    assert decided.before_reason.startswith("You joined on")
    told = OutboxMessage.objects.get(purpose="election_roll_claim")
    assert member.email == told.to
    assert "upheld your claim" in told.body and "bank statement" in told.body
    assert ["claim_lodged", "claim_decided"] == list(
        AuditEntry.objects.filter(election=election).values_list("action", flat=True))
    assert [] == audit_verify(election)


def test_a_freeze_with_a_claim_open_is_refused_and_works_once_it_is_decided(
        election, returning_officer, member, supporter):
    late_joiner(member)
    drawn(election, returning_officer)
    claim = claim_lodge(by=member, election=election, section="member", grounds="Wrong.")

    with pytest.raises(Conflict) as refused:
        roll_freeze(by=returning_officer, election=election)

    assert "challenges_open" == refused.value.code
    assert ("The roll cannot be frozen while 1 claim, 0 objections and 0 vetting appeals are "
            "open. Decide them first.") == refused.value.message
    assert election.rule_sets.get().frozen_at is None

    claim_decide(by=returning_officer, claim=claim, uphold=False, reason="Joined too late.")
    frozen = roll_freeze(by=returning_officer, election=election)

    assert frozen.frozen_at is not None


def test_a_freeze_counts_objections_and_vetting_appeals_of_the_electorate(
        election, returning_officer, member, supporter, staff):
    from rankfile.vetting.models import Appeal, Decision

    drawn(election, returning_officer)
    objection_lodge(by=supporter, election=election, grounds="Not a member any more.",
                    reference=Membership.objects.get(user=member).reference)
    mine = Membership.objects.get(user=supporter)
    rejection = Decision.objects.create(membership=mine, outcome=Decision.Outcome.REJECTED,
                                        reason_code="abuse", by=staff, at=timezone.now())
    Appeal.objects.create(membership=mine, rejection=rejection, statement="Not me.",
                          lodged_at=timezone.now())

    with pytest.raises(Conflict, match="0 claims, 1 objection and 1 vetting appeal are open"):
        roll_freeze(by=returning_officer, election=election)


def test_an_objection_answers_alike_whatever_the_reference(
        client, election, returning_officer, member, supporter, outsider):
    from rankfile.demo.personas import make_member

    branch = Membership.objects.get(user=member).branch
    assert branch is not None
    late = make_member("late@example.org", "Lee", "Late", branch)
    Membership.objects.filter(user=late).update(
        joined_on=timezone.localdate() + dt.timedelta(days=1))
    drawn(election, returning_officer)
    client.force_login(supporter)
    url = f"/elections/{election.slug}/can-i-vote/object/"
    answers = []
    for reference in (Membership.objects.get(user=member).reference,  # on the roll
                      Membership.objects.get(user=late).reference,  # off it
                      "RF-99999999"):  # nobody's
        response = client.post(url, {"objection-reference": reference.lower(),
                                     "objection-grounds": "They moved away."})
        page = client.get(response["Location"]).content.decode()
        answers.append((response.status_code, response["Location"],
                        re.sub(r'value="[^"]*"', "", page)))  # CSRF tokens differ

    assert [answers[0]] * 3 == answers
    assert "If that membership reference is on the roll" in answers[0][2]
    assert [member.pk] == list(RollClaim.objects.values_list("person_id", flat=True))


def test_only_people_on_the_roll_object(election, returning_officer, member, outsider):
    drawn(election, returning_officer)
    with pytest.raises(PermissionRefused, match="Only people on the roll"):
        objection_lodge(by=outsider, election=election, grounds="x",
                        reference=Membership.objects.get(user=member).reference)


def test_an_upheld_objection_takes_the_entry_off_and_tells_both(
        election, returning_officer, member, supporter):
    drawn(election, returning_officer)
    objection = objection_lodge(by=supporter, election=election, grounds="Lapsed in May.",
                                reference=Membership.objects.get(user=member).reference)
    again = objection_lodge(by=supporter, election=election, grounds="Again.",
                            reference=Membership.objects.get(user=member).reference)
    assert objection is not None

    claim_decide(by=returning_officer, claim=objection, uphold=True,
                 reason="Their dues were unpaid since May.")

    assert objection == again
    entry = RollEntry.objects.get(user=member)
    assert (False, "member") == (entry.eligible, entry.section)
    assert entry.reason.startswith("On an objection, the returning officer took you off")
    assert {supporter.email, member.email} == set(
        OutboxMessage.objects.values_list("to", flat=True))


def test_upholding_after_the_freeze_makes_a_new_version_and_keeps_the_old(
        election, returning_officer, scrutineer, member, supporter):
    drawn(election, returning_officer)
    frozen = roll_freeze(by=returning_officer, election=election)
    claim = claim_lodge(by=supporter, election=election, section="member",
                        grounds="I became a full member last week.")

    claim_decide(by=returning_officer, claim=claim, uphold=True, reason="Records agree.")

    frozen.refresh_from_db()
    newer, older, changed = roll_differences(by=scrutineer, election=election)
    assert newer is not None and older is not None
    assert (2, 1) == (newer.version, older.version)
    assert frozen.entries.get(user=supporter).section == "registered_supporter"
    assert newer.frozen_at is None and newer.evaluated_at is not None
    assert [("Sol Supporter", "in", "registered_supporter", "in", "member")] == [
        (d.name, d.before, d.before_section, d.after, d.after_section) for d in changed]
    assert "roll_version_made" in set(AuditEntry.objects.values_list("action", flat=True))
    roll_freeze(by=returning_officer, election=election)


def test_drawing_the_roll_again_keeps_an_upheld_decision(election, returning_officer,
                                                        member, supporter):
    late_joiner(member)
    drawn(election, returning_officer)
    claim_decide(by=returning_officer, uphold=True, reason="Paid on time.",
                 claim=claim_lodge(by=member, election=election, section="member",
                                   grounds="Paid on time."))

    roll_evaluate(by=returning_officer, election=election)
    drawn(election, returning_officer, min_age=18)  # new rules, drawn again

    assert RollEntry.objects.get(user=member).eligible


def test_someone_with_no_entry_can_claim_one(election, returning_officer, member, outsider):
    drawn(election, returning_officer)

    claim_decide(by=returning_officer, uphold=True, reason="Joined through the union.",
                 claim=claim_lodge(by=outsider, election=election, section="member",
                                   grounds="I am a member through my union."))

    entry = RollEntry.objects.get(user=outsider)
    assert (True, "member", None) == (entry.eligible, entry.section, entry.membership)


@pytest.mark.parametrize("grounds,section,message", [
    ("", "member", "Write your grounds"),
    ("   ", "member", "Write your grounds"),
    ("x" * 3001, "member", "3000 characters or fewer"),
    ("I paid \u202eyad eht no", "member", "cannot be read"),
    ("I paid\x00", "member", "cannot be read"),
    ("I paid", "guest", "Choose one of the sections"),
])
def test_bad_claims_are_refused_and_change_nothing(election, returning_officer, member,
                                                  grounds, section, message):
    late_joiner(member)
    drawn(election, returning_officer)
    with pytest.raises(Refusal, match=message):
        claim_lodge(by=member, election=election, grounds=grounds, section=section)

    assert not RollClaim.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_claim_is_refused_when_there_is_nothing_to_claim_or_one_is_open(
        election, returning_officer, member):
    with pytest.raises(Conflict, match="not drawn yet"):
        claim_lodge(by=member, election=election, grounds="x", section="member")
    drawn(election, returning_officer)
    with pytest.raises(Conflict, match="on the roll in that section already"):
        claim_lodge(by=member, election=election, grounds="x", section="member")
    claim_lodge(by=member, election=election, grounds="x", section="registered_supporter")
    with pytest.raises(Conflict, match="waiting for the returning officer"):
        claim_lodge(by=member, election=election, grounds="y",
                    section="affiliated_supporter")


def test_only_the_returning_officer_decides_and_only_once(election, returning_officer,
                                                         scrutineer, member):
    late_joiner(member)
    drawn(election, returning_officer)
    claim = claim_lodge(by=member, election=election, section="member", grounds="x")

    for who in (scrutineer, member):
        with pytest.raises(PermissionRefused):
            claim_decide(by=who, claim=claim, uphold=True, reason="Mine.")
    assert [claim] == list(claim_list(by=scrutineer, election=election))
    with pytest.raises(PermissionRefused):
        claim_list(by=member, election=election)
    with pytest.raises(Refusal, match="Write your reason"):
        claim_decide(by=returning_officer, claim=claim, uphold=True, reason=" ")
    claim_decide(by=returning_officer, claim=claim, uphold=False, reason="No.")
    with pytest.raises(Conflict, match="decided already"):
        claim_decide(by=returning_officer, claim=claim, uphold=True, reason="Yes after all.")


def test_claims_close_when_the_ballot_opens(election, returning_officer, member, supporter):
    drawn(election, returning_officer)
    claim = claim_lodge(by=member, election=election, section="registered_supporter",
                        grounds="x")
    with pytest.raises(Conflict, match="Decide the open claims"):
        election_open(by=returning_officer, election=election)
    claim_decide(by=returning_officer, claim=claim, uphold=False, reason="No.")
    roll_freeze(by=returning_officer, election=election)
    election_open(by=returning_officer, election=election)

    with pytest.raises(Conflict, match="close when the ballot opens"):
        claim_lodge(by=supporter, election=election, section="member", grounds="x")


# -- the pages ------------------------------------------------------------------------------


def test_a_member_sees_their_reason_and_lodges_a_claim_from_can_i_vote(
        client, election, returning_officer, member):
    late_joiner(member)
    drawn(election, returning_officer)
    client.force_login(member)
    url = f"/elections/{election.slug}/can-i-vote/"

    page = client.get(url).content.decode()
    response = client.post(url + "claim/", {"claim-section": "member",
                                             "claim-grounds": "I joined on time."})
    after = client.get(response["Location"]).content.decode()

    assert "You joined on" in page and "Lodge my claim" in page
    assert "Lodge my objection" not in page  # only those on the roll object
    assert 302 == response.status_code
    assert "Your claim is lodged" in after and "Waiting for a decision" in after


def test_a_bad_claim_is_shown_again_with_the_error_at_the_field(client, election,
                                                               returning_officer, member):
    late_joiner(member)
    drawn(election, returning_officer)
    client.force_login(member)

    response = client.post(f"/elections/{election.slug}/can-i-vote/claim/",
                           {"claim-section": "member", "claim-grounds": ""})

    assert 400 == response.status_code
    assert 'id="id_claim-grounds_error"' in response.content.decode()
    assert not RollClaim.objects.exists()


def test_the_returning_officer_decides_on_the_claims_page(client, election, returning_officer,
                                                         scrutineer, member):
    late_joiner(member)
    drawn(election, returning_officer)
    claim = claim_lodge(by=member, election=election, section="member", grounds="On time.")
    url = f"/elections/{election.slug}/manage/claims/"
    client.force_login(scrutineer)
    watched = client.get(url)
    refused = client.post(f"{url}{claim.pk}/", {f"c{claim.pk}-outcome": "upheld",
                                                f"c{claim.pk}-reason": "Yes."})
    client.force_login(returning_officer)

    empty = client.post(f"{url}{claim.pk}/", {f"c{claim.pk}-outcome": "upheld"})
    done = client.post(f"{url}{claim.pk}/", {f"c{claim.pk}-outcome": "upheld",
                                             f"c{claim.pk}-reason": "Paid on time."})

    assert 200 == watched.status_code and "On time." in watched.content.decode()
    assert "Record the decision" not in watched.content.decode()
    assert 403 == refused.status_code
    assert 400 == empty.status_code
    assert "Give the reason for the decision." in empty.content.decode()
    assert 302 == done.status_code
    claim.refresh_from_db()
    assert RollClaim.Outcome.UPHELD == claim.outcome
    assert "Paid on time." in client.get(url).content.decode()
    assert 405 == client.get(f"{url}{claim.pk}/").status_code
    assert 404 == client.post(f"{url}999999/", {}).status_code


@pytest.mark.parametrize("who", ["member", "staff"])
def test_nobody_else_sees_the_claims(client, election, request, who):
    client.force_login(request.getfixturevalue(who))

    assert 403 == client.get(f"/elections/{election.slug}/manage/claims/").status_code


def test_the_claim_and_objection_forms_take_only_post(client, election, member):
    client.force_login(member)

    assert 405 == client.get(f"/elections/{election.slug}/can-i-vote/claim/").status_code
    assert 405 == client.get(f"/elections/{election.slug}/can-i-vote/object/").status_code


# -- a property ---------------------------------------------------------------------------

DECISIONS = st.lists(st.tuples(st.sampled_from(["claim", "objection"]), st.booleans()),
                     min_size=1, max_size=5)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(decisions=DECISIONS)
def test_whatever_is_decided_the_last_upheld_decision_holds_through_every_draw(
        election, returning_officer, member, supporter, decisions):
    RollClaim.objects.all().delete()
    AuditEntry.objects.all().delete()
    drawn(election, returning_officer)
    expected = (True, "member")  # what the rules alone say
    reference = Membership.objects.get(user=member).reference
    for kind, uphold in decisions:
        eligible, section = expected
        found: RollClaim | None
        if kind == "claim":
            wanted = "registered_supporter" if (eligible and section == "member") else "member"
            found = claim_lodge(by=member, election=election, section=wanted, grounds="Mine.")
        else:
            found = objection_lodge(by=supporter, election=election, reference=reference,
                                    grounds="Theirs.")
            if not eligible:
                assert found is None  # off the roll: nothing to object to, nothing stored
                continue
        assert found is not None
        claim_decide(by=returning_officer, claim=found, uphold=uphold, reason="Because.")
        if uphold:
            expected = (True, wanted) if kind == "claim" else (False, section)
        entry = RollEntry.objects.get(user=member)
        assert expected == (entry.eligible, entry.section)

    roll_evaluate(by=returning_officer, election=election)

    entry = RollEntry.objects.get(user=member)
    assert expected == (entry.eligible, entry.section)
    assert not RollClaim.objects.filter(outcome="open").exists()


def test_scrutineers_count_the_roll_by_the_rule_that_decided(election, returning_officer,
                                                            scrutineer, member, supporter):
    from rankfile.demo.personas import make_member
    from rankfile.elections.services.roll import roll_figures

    late_joiner(member)
    branch = Membership.objects.get(user=member).branch
    assert branch is not None
    other = make_member("late@example.org", "Lee", "Late", branch)
    Membership.objects.filter(user=other).update(
        joined_on=timezone.localdate() + dt.timedelta(days=3))
    drawn(election, returning_officer)

    before = roll_figures(by=scrutineer, election=election).by_reason
    claim_decide(by=returning_officer, uphold=True, reason="Paid on time.",
                 claim=claim_lodge(by=member, election=election, section="member",
                                   grounds="Paid on time."))
    after = roll_figures(by=scrutineer, election=election).by_reason

    assert [("On the roll", True, 1), ("Joined after the freeze date", False, 2)] == [
        (r["reason"], r["on_roll"], r["n"]) for r in before]
    assert [("Put on the roll on a claim", True, 1), ("On the roll", True, 1),
            ("Joined after the freeze date", False, 1)] == [
        (r["reason"], r["on_roll"], r["n"]) for r in after]
