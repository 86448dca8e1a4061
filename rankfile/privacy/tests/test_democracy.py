"""A person's meetings and elections in their copy of their data, and in erasure.

Rosa (the person) and Olive (someone else) meet, move motions, sign up as
guests, nominate each other and object to each other's entries on a roll. Rosa's
copy holds Rosa's part and nothing of Olive's; erasing Rosa removes what names
her and leaves every count and decision as it was.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from rankfile.accounts.models import User
from rankfile.branches.models import Body
from rankfile.demo.personas import make_returning_officer
from rankfile.elections.models import (
    BodyNomination,
    Candidate,
    Election,
    MemberNomination,
    Nominee,
    RollClaim,
    RollEntry,
    RollRules,
)
from rankfile.elections.tests.helpers import make_election
from rankfile.meetings.models import (
    Amendment,
    Attendance,
    Card,
    CardVote,
    GroupMember,
    Guest,
    Majority,
    Meeting,
    Motion,
    Question,
    Reply,
)
from rankfile.meetings.services.public import GUEST_PURPOSE, guest_sign_up
from rankfile.membership.tests.factories import make_member_in
from rankfile.outbox.models import OutboxMessage
from rankfile.privacy.models import Erasure
from rankfile.privacy.services import person_erase, person_export

A = Attendance.Standing
K = RollClaim.Kind
OUT = RollClaim.Outcome
HOME = "Rosa.Home@example.net"


@dataclass
class World:
    rosa: User
    olive: User
    meeting: Meeting
    rally: Meeting
    election: Election
    rosa_nominee: Nominee
    olive_nominee: Nominee


def _meeting(area: Any, title: str, *, public: bool = False) -> Meeting:
    now = timezone.now()
    return Meeting.objects.create(body=area.branch, title=title, called_at=now,
                                  starts_at=now + dt.timedelta(days=10), is_public=public,
                                  place="Chingford Assembly Hall")


@pytest.fixture
def world(area) -> World:
    now = timezone.now()
    rosa_m = make_member_in(area, User.objects.create_user("rosa@example.org"),
                            first_name="Rosa", last_name="Parks")
    olive_m = make_member_in(area, User.objects.create_user("olive@example.org"),
                             first_name="Olive", last_name="Otherperson")
    rosa, olive = rosa_m.user, olive_m.user
    EmailAddress.objects.create(user=rosa, email="rosa@example.org", verified=True, primary=True)
    EmailAddress.objects.create(user=rosa, email=HOME.lower(), verified=True, primary=False)

    group = Body.objects.create(kind=Body.Kind.GROUP, name="Renters Together", code="GRP-RT",
                                parent=area.organisation)
    GroupMember.objects.create(group=group, user=rosa, joined_at=now)
    GroupMember.objects.create(group=group, user=olive, joined_at=now)

    meeting = _meeting(area, "Branch meeting")
    Reply.objects.create(meeting=meeting, user=rosa, answer=Reply.Answer.APOLOGIES, at=now)
    Reply.objects.create(meeting=meeting, user=olive, answer=Reply.Answer.COMING, at=now)
    Attendance.objects.create(meeting=meeting, membership=rosa_m, user=rosa, standing=A.VOTING,
                              checked_in_at=now, checked_out_at=now + dt.timedelta(hours=1))
    Attendance.objects.create(meeting=meeting, membership=olive_m, user=olive,
                              standing=A.VOTING, checked_in_at=now)
    motion = Motion.objects.create(meeting=meeting, number=1, title="Rent strike",
                                   text="This branch supports the rent strike.", proposer=rosa,
                                   seconder=olive, submitted_at=now)
    Amendment.objects.create(motion=motion, number=1, kind=Amendment.Kind.INSERT,
                             new_text="from May", proposer=olive, seconder=rosa,
                             submitted_at=now)
    card = Card.objects.create(meeting=meeting, holder=rosa, casts_for="Bakers' Union",
                               weight=1200, added_at=now)
    question = Question.objects.create(
        meeting=meeting, kind=Question.Kind.MOTION, motion=motion, text=motion.text,
        method=Question.Method.CARD, majority=Majority.SIMPLE, voting_present=2, quorum=1,
        opened_at=now)
    CardVote.objects.create(question=question, card=card, choice="for", entered_by=rosa, at=now)

    rally = _meeting(area, "Rally for rent control", public=True)
    guest_sign_up(meeting=rally, name="Rosa P.", email=HOME, consent="yes")
    guest_sign_up(meeting=rally, name="Gina Guestname", email="gina@example.net", consent="no")
    Attendance.objects.create(meeting=rally, guest=Guest.objects.get(name="Rosa P."),
                              guest_name="Rosa P.", standing=A.GUEST, checked_in_at=now)

    election = make_election(area, make_returning_officer(area))
    rules = RollRules.objects.create(election=election, version=1, rules={}, created_at=now)
    RollEntry.objects.create(rules=rules, election=election, user=rosa, membership=rosa_m,
                             section="member", eligible=True, reason_code="member",
                             reason="You can vote as a member: you joined on 2 May 2016.")
    RollEntry.objects.create(rules=rules, election=election, user=olive, membership=olive_m,
                             section="member", eligible=False, reason_code="joined_late",
                             reason="You joined on 9 July 2016, after the freeze date.")
    stood = Candidate.objects.create(election=election, name="Rosa Parks", position=4,
                                     statement="Rent control now.")
    rosa_nominee = Nominee.objects.create(
        election=election, user=rosa, name="Rosa Parks", consent=Nominee.Consent.ACCEPTED,
        consent_at=now, statement="Rent control now.", created_at=now, valid=True,
        reason="Nominated by one branch.", candidate=stood)
    olive_nominee = Nominee.objects.create(
        election=election, user=olive, name="Olive Otherperson", created_at=now,
        statement="Olive's secret plan for the treasury.")
    MemberNomination.objects.create(election=election, nominee=rosa_nominee, nominator=olive,
                                    made_at=now)
    MemberNomination.objects.create(election=election, nominee=olive_nominee, nominator=rosa,
                                    made_at=now)
    BodyNomination.objects.create(election=election, nominee=rosa_nominee, kind="branch",
                                  branch=area.branch, decided_on=now.date(), votes_for=12,
                                  votes_against=3, entered_at=now)
    RollClaim.objects.create(
        election=election, kind=K.CLAIM, person=rosa, lodged_by=rosa, section="member",
        grounds="I paid on 3 July, receipt 991.", lodged_at=now, outcome=OUT.UPHELD,
        decision_reason="The payment is in the accounts.", decided_at=now,
        before_eligible=False, before_reason="No payment found.", after_eligible=True,
        after_reason="Paid in the window.")
    RollClaim.objects.create(
        election=election, kind=K.OBJECTION, person=olive, lodged_by=rosa,
        grounds="Seen leafleting for another party.", lodged_at=now, outcome=OUT.DISMISSED,
        decision_reason="No evidence was given.", decided_at=now, before_eligible=True,
        before_reason="Olive's entry: joined 1 March 2015 at the reduced rate.")
    RollClaim.objects.create(
        election=election, kind=K.OBJECTION, person=rosa, lodged_by=olive,
        grounds="Rosa lives outside the constituency.", lodged_at=now, outcome=OUT.DISMISSED,
        decision_reason="The address is in Chingford.", decided_at=now)
    # Held until the result is out (elections.holds): these tests erase after it.
    Election.objects.filter(pk=election.pk).update(status=Election.Status.PUBLISHED)
    return World(rosa, olive, meeting, rally, election, rosa_nominee, olive_nominee)


# -- the copy ---------------------------------------------------------------------------------


def test_the_export_holds_the_persons_groups_and_meetings(world):
    data = person_export(user=world.rosa)

    meetings = data["meetings"]
    assert ["Renters Together"] == [g["group"] for g in data["groups"]]
    assert [("Branch meeting", "Apologies")] == [(r["meeting"], r["answer"])
                                                 for r in meetings["replies"]]
    assert [("Branch meeting", A.VOTING.label, True), ("Rally for rent control",
                                                       A.GUEST.label, False)] == [
        (a["meeting"], a["as"], a["checked_out_at"] is not None)
        for a in meetings["attendances"]]
    assert [("Rent strike", "proposer")] == [(m["title"], m["as"]) for m in meetings["motions"]]
    assert [("Insert “from May” at the end.", "seconder")] == [
        (a["amendment"], a["as"]) for a in meetings["amendments"]]
    [card] = meetings["cards"]
    assert ("Bakers' Union", 1200, ["For"]) == (
        card["casts_for"], card["weight"], [v["choice"] for v in card["votes"]])
    [guest] = meetings["guest_sign_ups"]
    assert ("Rally for rent control", "Rosa P.", HOME.lower(), True) == (
        guest["meeting"], guest["name"], guest["email"].lower(), guest["consent_to_contact"])
    assert guest["consent_wording"] and guest["signed_up_at"]


def test_the_export_holds_the_persons_elections(world):
    data = person_export(user=world.rosa)

    elections = data["elections"]
    [entry] = elections["roll"]
    assert ("Leadership election", True, "member") == (
        entry["election"], entry["on_the_roll"], entry["section"])
    assert "joined on 2 May 2016" in entry["reason"]
    [received] = elections["nominations_received"]
    assert ("Accepted", "Rent control now.", 1, True) == (
        received["consent"], received["statement"], received["member_nominations"],
        received["stood"])
    assert [("Chingford", 12, 3)] == [(b["body"], b["votes_for"], b["votes_against"])
                                      for b in received["body_nominations"]]
    assert ["Olive Otherperson"] == [n["nominee"] for n in elections["nominations_made"]]
    claim, objection = elections["claims_and_objections"]
    assert ("Claim", "I paid on 3 July, receipt 991.", "Upheld", True) == (
        claim["kind"], claim["grounds"], claim["outcome"], claim["after"]["eligible"])
    assert ("Objection", "Seen leafleting for another party.", "Dismissed",
            "No evidence was given.") == (
        objection["kind"], objection["grounds"], objection["outcome"],
        objection["decision_reason"])


def test_nothing_of_another_person_is_in_the_export(world):
    data = person_export(user=world.rosa)

    text = json.dumps(data)
    # Olive's address, roll entries, statement and words about Rosa; a guest's sign-up;
    # the returning officer's reason on an objection to Rosa, never told to her.
    for theirs in ("olive@example.org", "joined 1 March 2015", "9 July 2016", "secret plan",
                   "Gina", "gina@example.net", "lives outside", "The address is in Chingford"):
        assert theirs not in text
    # Who seconded Rosa's motion (Olive), who nominated her; whether and when she voted.
    assert "Olive" not in json.dumps(data["meetings"])
    assert "Olive" not in json.dumps(data["elections"]["nominations_received"])
    assert "voted_on" not in text


def test_an_address_added_but_not_confirmed_reaches_nobody_elses_sign_ups(world, staff):
    # Anyone can add a stranger's address to their account: until they confirm it,
    # the stranger's guest sign-ups are neither in their copy nor erased with them.
    EmailAddress.objects.create(user=world.olive, email="gina@example.net", verified=False,
                                primary=False)

    meetings = json.dumps(person_export(user=world.olive)["meetings"])
    person_erase(user=world.olive, by=staff, reason="Request by e-mail")

    assert "Gina" not in meetings and "gina@example.net" not in meetings
    assert "Gina Guestname" == Guest.objects.get(email="gina@example.net").name


def test_the_export_of_someone_else_holds_none_of_the_persons_part(world):
    text = json.dumps(person_export(user=world.olive))

    for rosas in ("Rosa P.", "rosa.home@example.net", "receipt 991", "Rent control now.",
                  "Bakers", "leafleting"):
        assert rosas not in text


# -- erasure ----------------------------------------------------------------------------------


def _counts(world: World) -> dict[str, Any]:
    return {
        "attendances": Attendance.objects.filter(meeting__in=[world.meeting, world.rally])
        .count(),
        "apologies": Reply.objects.filter(answer=Reply.Answer.APOLOGIES).count(),
        "motions": list(Motion.objects.values_list("proposer_id", "seconder_id", "status")),
        "cards": list(Card.objects.values_list("holder_id", "weight")),
        "guests": list(Guest.objects.order_by("pk").values_list(
            "meeting_id", "consent_to_contact", "consent_wording", "signed_up_at")),
        "member_nominations": MemberNomination.objects.count(),
        "body_nominations": list(BodyNomination.objects.values_list("votes_for", "nominee_id")),
        "roll": list(RollEntry.objects.order_by("pk").values_list(
            "user_id", "eligible", "section", "reason", "reason_code")),
        "nominees": list(Nominee.objects.order_by("pk").values_list("consent", "valid",
                                                                    "candidate_id")),
        "claims": list(RollClaim.objects.order_by("pk").values_list(
            "kind", "person_id", "lodged_by_id", "outcome", "decision_reason",
            "before_eligible", "after_eligible")),
        "candidates": list(Candidate.objects.order_by("pk").values_list("name", flat=True)),
    }


def test_erasure_anonymises_the_meetings_records_and_keeps_the_counts(world, staff):
    before = _counts(world)

    erasure = person_erase(user=world.rosa, by=staff, reason="Request by e-mail")

    world.rosa.refresh_from_db()
    assert before == _counts(world)
    assert not GroupMember.objects.filter(user=world.rosa).exists()
    assert GroupMember.objects.filter(user=world.olive).exists()
    mine = Guest.objects.get(meeting=world.rally, consent_to_contact=True)
    assert ("Former member", world.rosa.email) == (mine.name, mine.email)
    assert world.rosa.email.endswith("@erased.invalid")
    assert "Former member" == Attendance.objects.get(guest=mine).guest_name
    assert "Gina Guestname" == Guest.objects.get(email="gina@example.net").name
    # The minutes name the proposer by the login's name.
    assert "Former member" == Motion.objects.get().proposer.get_full_name()
    confirmations = OutboxMessage.objects.filter(purpose=GUEST_PURPOSE)
    assert 1 == confirmations.filter(to="erased@erased.invalid", key__contains=":erased:",
                                     body="").count()
    assert 1 == confirmations.filter(to="gina@example.net").count()
    assert {"group_memberships": 1, "guest_sign_ups": 1, "guest_check_ins": 1}.items() <= (
        erasure.summary.items())


def test_erasure_anonymises_the_election_records_and_keeps_the_counts(world, staff):
    before = _counts(world)

    erasure = person_erase(user=world.rosa, by=staff, reason="Request by e-mail")

    assert Erasure.Status.DONE == erasure.status
    assert before == _counts(world)
    rosa = Nominee.objects.get(user=world.rosa)
    assert ("Former member", "(Removed at the nominee's request.)") == (rosa.name,
                                                                        rosa.statement)
    assert "(Removed at the nominee's request.)" == Candidate.objects.get(
        name="Rosa Parks").statement
    olive = Nominee.objects.get(user=world.olive)
    assert ("Olive Otherperson", "Olive's secret plan for the treasury.") == (
        olive.name, olive.statement)
    assert ["", "", ""] == list(RollClaim.objects.values_list("grounds", flat=True))
    assert {"nominees": 1, "nominee_statements": 1, "candidate_statements": 1,
            "claim_grounds": 3}.items() <= erasure.summary.items()


def test_the_persons_copy_after_erasure_holds_nothing_of_theirs(world, staff):
    person_erase(user=world.rosa, by=staff, reason="Request by e-mail")

    text = json.dumps(person_export(user=world.rosa))

    for gone in ("Rosa", HOME.lower(), "receipt 991", "Rent control now", "leafleting"):
        assert gone not in text


def test_the_person_reads_their_meetings_and_elections_on_the_page(client, world):
    client.force_login(world.rosa)

    page = client.get(reverse("privacy:my_data"))

    assert 200 == page.status_code
    for shown in ("Renters Together", "Rent strike", "Bakers&#x27;", "Rosa P.",
                  "receipt 991", "Leadership election"):
        assert shown in page.text
    assert "Olive&#x27;s" not in page.text and "gina@example.net" not in page.text
