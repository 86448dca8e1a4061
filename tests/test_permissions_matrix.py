"""The permissions matrix: every URL of the site, every page of the admin and every
API operation, requested as each persona, with the answer each must get.

Who asks: the personas of ``rankfile/demo/personas.py`` (``PERSONAS``), in a
small world built once per persona (``build_world``). Every request runs in a
savepoint that is rolled back, so each starts from the same world; an answer
that refuses (any 4xx, a redirect to log in, or one marked ``refused``) must
also have changed nothing in the database.

How to extend it (a URL, model, action or operation without an entry fails
``test_every_url_has_an_entry`` and its siblings, saying what to add):

- A page: add its URL name to ``SITE``, with one ``get(...)``/``post(...)`` per
  request and the answer of each persona: ``get(OK, anonymous=LOGIN)`` means
  "everyone gets 200, a visitor is sent to log in". ``who(ANSWER, "staff",
  ...)`` gives several personas the same answer. An unnamed URL is keyed by
  its route.
- A model in the admin: add ``"app_label.model"`` to ``ADMIN_MODELS``, saying
  what staff may do there and the staff's answer to each action; the answers
  of its changelist, add, change, delete and history pages follow from it
  (auditors read, nobody else enters).
- An API operation: add its ``operationId`` to ``API``.
- A persona: add it to ``PERSONAS`` and ``MAKERS``; entries that do not name
  it give it their first answer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from rankfile.demo.personas import PERSONAS, make_area, make_member, make_personas

# -- answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class A:
    """An answer: a status, where a redirect goes (a prefix), and whether it refuses."""

    status: int
    to: str = ""
    marked_refused: bool = False

    @property
    def refused(self) -> bool:
        return self.marked_refused or self.status >= 400

    def matches(self, status: int, location: str) -> bool:
        return status == self.status and location.startswith(self.to)

    def __str__(self) -> str:
        return f"{self.status}{' to ' + self.to if self.to else ''}" + (
            " (refused)" if self.refused else "")


OK = A(200)
CREATED = A(201)
MOVED = A(302)  # done, and sent on
BACK = A(302, marked_refused=True)  # refused, sent back with the reason in a message
LOGIN = A(302, "/accounts/login/", marked_refused=True)
ADMIN_LOGIN = A(302, "/admin/login/", marked_refused=True)
SHOWN = A(200, marked_refused=True)  # refused, the page shown again with the reason
INVALID = A(400)
UNAUTHENTICATED = A(401)
DENIED = A(403)
NOT_FOUND = A(404)
NOT_ALLOWED = A(405)
REAUTH = A(302, "/accounts/reauthenticate/", marked_refused=True)  # confirm the password first
SENT_HOME = A(302, "/me/", marked_refused=True)
SENT_TO_LOGIN = A(302, "/accounts/login/", marked_refused=True)

ADMINS = ("auditor", "staff")
OFFICERS = ("other_secretary", "auditor", "staff")  # read members' records
MEMBERS = ("supporter", "member", "author")  # hold a membership of their own


def who(answer: A, *personas: str) -> dict[str, A]:
    return dict.fromkeys(personas, answer)


# -- the world ------------------------------------------------------------------------------


@dataclass
class World:
    area: Any
    people: dict[str, Any]
    tokens: dict[str, str]  # persona -> API token secret
    member_ref: str  # the member persona's membership
    highams_ref: str  # a member of Highams Park
    receipt_ref: str  # the member persona's paid payment
    dues_ref: str  # the member persona's payment still to pay
    statement_pk: int  # a bank statement staff imported
    payment_ref: str  # an applicant's pending payment
    unplaced_ref: str  # an applicant waiting to be placed by hand
    ward_pk: int
    article: str  # slug of a published Chingford article
    draft: str  # slug of the author's draft
    visitor_comment: int  # number of a visitor's comment on ``article``
    member_comment: int  # number of the member persona's comment on ``article``
    pending_comment_id: int  # a comment awaiting moderation (Chingford)
    confirm_token: str
    erase_token: str
    staff_token_id: int
    admin_objects: dict[str, Any] = field(default_factory=dict)
    vetting: dict[str, Any] = field(default_factory=dict)  # see vetting_world
    meeting: int = 0  # a Chingford branch meeting staff called, in session
    question: int = 0  # its open secret vote on motion 1
    attendance: int = 0  # the member persona, checked in at it
    election: str = "leader"  # the organisation's open leadership election
    selection: str = ""  # a Chingford and Woodford Green trigger ballot, nobody decided yet


def build_world() -> World:
    from rankfile.accounts.services import api_token_create
    from rankfile.discussion.models import (
        ApprovedCommenter,
        BlockedTerm,
        BodyDiscussionSettings,
        CommentPolicy,
    )
    from rankfile.discussion.services.articles import article_create, article_publish
    from rankfile.discussion.services.comments import comment_post, comment_report
    from rankfile.discussion.services.moderation import erase_token
    from rankfile.membership.models import (
        BankStatement,
        Membership,
        Payment,
        Refund,
        StripeEvent,
    )
    from rankfile.membership.services.joining import confirmation_token, membership_apply
    from rankfile.membership.tests.join_helpers import joiner, make_offers

    make_offers()
    area = make_area()
    people = make_personas(area)
    author, moderator, member = people["author"], people["moderator"], people["member"]
    tokens = {name: api_token_create(user=people[name], name="matrix")[1] for name in OFFICERS}
    staff_token = people["staff"].api_tokens.get()

    mine = Membership.objects.get(user=member)
    receipt = Payment.objects.create(
        membership=mine, reference="PAY-MATRX001", amount_pence=450,
        status=Payment.Status.PAID, method=Payment.Method.CASH, created_at=timezone.now(),
        paid_at=timezone.now(), receipt_number="RCP-MATRX001")
    owed = Payment.objects.create(membership=mine, reference="PAY-MATRX002", amount_pence=450,
                                  created_at=timezone.now())
    statement = BankStatement.objects.create(filename="march.csv", sha256="0" * 64,
                                             imported_by=people["staff"],
                                             imported_at=timezone.now())
    applicant = membership_apply(data=joiner(email="applicant@example.org"))
    membership_apply(data=joiner(email="member@example.org"))  # a repeat application
    unplaced = membership_apply(data=joiner(email="unplaced@example.org", postcode="E4 1ZZ",
                                            postcode_missing=True))
    highams = Membership.objects.get(user=make_member("highams@example.org", "Hal", "Park",
                                                      area.other_branch))
    returned = Payment.objects.create(
        membership=highams, reference="PAY-MATRX003", amount_pence=450,
        status=Payment.Status.REFUNDED, method=Payment.Method.CASH, created_at=timezone.now(),
        paid_at=timezone.now(), receipt_number="RCP-MATRX003")
    Refund.objects.create(payment=returned, amount_pence=450, provider=Refund.Provider.MANUAL,
                          status=Refund.Status.SUCCEEDED, reason="Paid twice",
                          requested_at=timezone.now(), completed_at=timezone.now())
    StripeEvent.objects.create(event_id="evt_matrix", type="checkout.session.completed",
                               received_at=timezone.now(), outcome="Ignored: a test")

    article = article_publish(article=article_create(
        by=author, body=area.branch, title="Why join now", standfirst="The case for joining.",
        markdown="Join **now**.", tags=["Joining"]), by=moderator)
    draft = article_create(by=author, body=area.branch, title="A draft", standfirst="Not yet.",
                           markdown="Soon.")
    careful = article_publish(article=article_create(
        by=author, body=area.branch, title="Handle with care", standfirst="Pre-moderated.",
        markdown="Careful.", comment_policy=CommentPolicy.PREMODERATED), by=moderator)
    visitor = comment_post(article=article, text="A visitor's view", name="Val",
                           email="val@example.org", secret="val-secret")
    said = comment_post(article=article, text="A member's view", user=member)
    pending = comment_post(article=careful, text="Awaiting a moderator", name="Pat")
    comment_report(comment=visitor, reason="abuse", user=member)
    BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="spamword")
    ApprovedCommenter.objects.create(email="friend@example.org", approved_at=timezone.now())
    BodyDiscussionSettings.objects.create(body=area.other_branch,
                                          comment_policy=CommentPolicy.OPEN)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)

    from rankfile.demo.personas import make_returning_officer
    from rankfile.elections.tests.helpers import make_election, open_it

    officer = make_returning_officer(area)
    leader = open_it(make_election(area, officer, slug="leader"), officer)
    _closed_election_world(area, officer, people, leader)

    meeting, question, attendance = _meetings_world(area, people)
    world = World(
        meeting=meeting, question=question, attendance=attendance,
        area=area, people=people, tokens=tokens, member_ref=mine.reference,
        highams_ref=highams.reference, receipt_ref=receipt.reference, dues_ref=owed.reference,
        statement_pk=statement.pk,
        payment_ref=applicant.payment.reference, unplaced_ref=unplaced.reference,
        ward_pk=area.ward.pk, article=article.slug, draft=draft.slug,
        visitor_comment=visitor.number, member_comment=said.number,
        pending_comment_id=pending.pk, confirm_token=confirmation_token(applicant.membership.user),
        erase_token=erase_token("val@example.org"), staff_token_id=staff_token.pk,
    )
    world.vetting = vetting_world(area, applicant.membership)
    world.selection = _selection_world(area, people)
    return world


def _closed_election_world(area: Any, officer: Any, people: dict[str, Any], leader: Any
                           ) -> None:
    """A voting code for the member persona in the open election, and a second election,
    closed, with one ballot in its box (the admin shows ballots only after the close)."""
    from rankfile.elections.services.casting import ballot_cast_as_voter
    from rankfile.elections.services.setup import election_close
    from rankfile.elections.tests.helpers import code_for, ids, make_election, open_it

    code_for(leader, people["member"])
    done = open_it(make_election(area, officer, slug="done"), officer)
    ballot_cast_as_voter(election=done, voter=people["member"], ranking=ids(done)[:1])
    election_close(by=officer, election=done)


def vetting_world(area: Any, applicant: Any) -> dict[str, Any]:
    """An appeal (rejected by a second staff member), a possible duplicate pair, an
    exclusion list entry and an affiliated supporter with a union."""
    from rankfile.demo.personas import give_role, make_user
    from rankfile.membership.models import AffiliatedUnion, Category
    from rankfile.membership.tests.factories import make_category, make_membership
    from rankfile.vetting.models import DuplicatePair, ExclusionEntry
    from rankfile.vetting.services import appeal_lodge, vetting_reject

    other_staff = make_user("staff.two@example.org")
    give_role(other_staff, "staff", area.organisation)
    place = {"branch": area.branch, "constituency": area.constituency,
             "status": "applied", "category": make_category(Category.Kind.REGISTERED_SUPPORTER)}
    rejected = make_membership(first_name="Rex", last_name="Jected", **place)
    vetting_reject(membership=rejected, by=other_staff, reason_code="identity")
    appeal = appeal_lodge(membership=rejected, by=rejected.user, statement="It is me.")
    first = make_membership(first_name="Twin", last_name="Person", **place)
    second = make_membership(first_name="twin", last_name="PERSON", **place)
    pair = DuplicatePair.objects.create(first=first, second=second, rules="name_dob_postcode",
                                        explanation="Possible duplicate.", found_at=timezone.now())
    entry = ExclusionEntry.objects.create(name="Ex Cluded", name_key="cluded ex",
                                          added_at=timezone.now())
    union = AffiliatedUnion.objects.create(code="vet-union", name="GMB")
    affiliated = make_membership(first_name="Una", last_name="Union", union=union,
                                 union_number="U1", **{**place, "category": make_category(
                                     Category.Kind.AFFILIATED_SUPPORTER)})
    return {"applicant": applicant.reference, "appeal": appeal.pk, "pair": pair.pk,
            "first": first.pk, "entry": entry.pk, "affiliated": affiliated.reference,
            "rejected": rejected.reference, "highams": None}


def _meetings_world(area: Any, people: dict[str, Any]) -> tuple[int, int, int]:
    """A group, and a Chingford meeting called and opened by staff, with a motion put to a
    secret vote and the member persona checked in; returns the meeting's, question's and
    attendance's ids."""
    import datetime as dt

    from rankfile.branches.models import Body
    from rankfile.meetings.services.calling import meeting_call
    from rankfile.meetings.services.door import attendee_check_in, meeting_open
    from rankfile.meetings.services.motions import motion_submit
    from rankfile.meetings.services.votes import question_put
    from rankfile.membership.models import Membership

    group = Body.objects.create(kind=Body.Kind.GROUP, name="Matrix group", code="G-MATRIX",
                                parent=area.organisation)
    staff, member = people["staff"], people["member"]
    meeting_call(by=staff, body=group, title="Matrix rally", place="Park", is_public=True,
                 starts_at=timezone.now() + dt.timedelta(days=10))
    meeting = meeting_call(by=staff, body=area.branch, title="Branch meeting", place="Hall",
                           starts_at=timezone.now() + dt.timedelta(days=10)).meeting
    motion = motion_submit(by=member, meeting=meeting, title="Rent", text="Rent controls now.",
                           proposer=member, seconder=people["author"])
    meeting_open(by=staff, meeting=meeting)
    here = attendee_check_in(by=staff, meeting=meeting,
                             reference=Membership.objects.get(user=member).reference)
    question = question_put(by=staff, motion=motion, method="secret")
    _card_vote_world(meeting, staff, member, people["author"])
    return meeting.pk, question.pk, here.attendance.pk


def _selection_world(area: Any, people: dict[str, Any]) -> str:
    """A trigger ballot in the constituency, started by staff; returns its address."""
    import datetime as dt

    from rankfile.selections.services.trigger import selection_create

    return selection_create(by=people["staff"], constituency=area.constituency,
                            office="Member of Parliament", sitting_representative="Pat Sitting",
                            trigger_deadline=timezone.now() + dt.timedelta(days=30)).slug
def _rally(name: str) -> Url:
    """The URL ``name`` for the world's public meeting (the Matrix group's rally)."""
    def url(w: World) -> str:
        from rankfile.meetings.models import Meeting

        return reverse(name, args=[Meeting.objects.get(title="Matrix rally").pk])
    return url


def _card_vote_world(meeting: Any, staff: Any, member: Any, author: Any) -> None:
    """A card held by the member persona (checked in), and a second motion put by card vote."""
    from rankfile.meetings.services.cards import card_add
    from rankfile.meetings.services.motions import motion_submit
    from rankfile.meetings.services.votes import question_put

    card_add(by=staff, meeting=meeting, holder=member, casts_for="GMB", weight=12_000)
    cards = motion_submit(by=member, meeting=meeting, title="Cards", text="Card vote.",
                          proposer=member, seconder=author)
    question_put(by=staff, motion=cards, method="card")


def _card_question(w: World) -> str:
    from rankfile.meetings.models import Question

    pk = Question.objects.get(meeting_id=w.meeting, method="card").pk
    return f"/meetings/{w.meeting}/questions/{pk}"


def _card(w: World) -> dict[str, Any]:
    from rankfile.meetings.models import Card

    return {"card": Card.objects.get(meeting_id=w.meeting).pk, "choice": "for"}


def _motion_pk(w: World) -> int:
    from rankfile.meetings.models import Question

    return Question.objects.get(pk=w.question).motion_id


# -- calls ----------------------------------------------------------------------------------


Url = Callable[[World], str]
Data = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    method: str
    expect: dict[str, A]
    url: Url | None = None  # None: the entry's URL name reversed without arguments
    data: Data | None = None
    api: bool = False  # send the persona's API token, if they have one
    json: bool = False


def _answers(everyone: A, answers: dict[str, A]) -> dict[str, A]:
    unknown = set(answers) - set(PERSONAS)
    assert not unknown, f"No such persona: {sorted(unknown)}. The personas: {PERSONAS}"
    return {p: answers.get(p, everyone) for p in PERSONAS}


def get(everyone: A, *, url: Url | None = None, api: bool = False, **answers: A) -> Call:
    return Call("get", _answers(everyone, answers), url=url, api=api)


def post(everyone: A, *, url: Url | None = None, data: Data | dict[str, Any] | None = None,
         api: bool = False, json: bool = False, **answers: A) -> Call:
    made: Data | None = (lambda w: data) if isinstance(data, dict) else data  # noqa: E731
    return Call("post", _answers(everyone, answers), url=url, data=made, api=api, json=json)


def at(name: str, *attrs: str, query: str = "") -> Url:
    """The URL of ``name`` with the world's ``attrs`` as its arguments."""
    return lambda w: reverse(name, args=[getattr(w, a) for a in attrs]) + query


def _vet(name: str, key: str) -> Url:
    """The URL of ``name`` for the vetting world's object ``key``."""
    return lambda w: reverse(name, args=[w.vetting[key]])


def path(template: str) -> Url:
    """A literal path, with ``{attr}`` filled from the world."""
    return lambda w: template.format(**vars(w))


def _join_form(w: World) -> dict[str, Any]:
    return {"first_name": "Jo", "last_name": "Iner", "email": "matrix.joiner@example.org",
            "date_of_birth": "1980-05-17", "postcode": "e4 7aa", "consent": "on",
            "form_token": "matrix-form-token"}


# -- the site ------------------------------------------------------------------------------

SITE: dict[str, list[Call]] = {
    # Public pages: everyone.
    "front:home": [get(OK)],
    "core:healthz": [get(OK)],
    "stats:page": [get(OK)],
    "branches:index": [get(OK)],
    "branches:find": [get(OK, url=path("/branches/find/?postcode=E4+7AA"))],
    "front:branch": [get(OK, url=path("/branches/WF-CHN/"))],
    "membership:join": [get(OK)],
    "membership:join_details": [
        get(OK, url=path("/join/registered_supporter/")),
        # Anyone may apply, logged in or not (a known address gets the same answer).
        post(MOVED, url=path("/join/registered_supporter/"), data=_join_form),
    ],
    "membership:join_done": [get(OK, url=path("/join/done/RF-ANYTHING/"))],
    "membership:confirm": [get(OK, url=at("membership:confirm", "confirm_token"))],
    "membership:privacy": [get(OK)],
    "membership:receipt": [get(NOT_FOUND, url=at("membership:receipt", "receipt_ref"),
                               anonymous=LOGIN, member=OK)],

    # Logins (django-allauth).
    "account_login": [get(MOVED, anonymous=OK)],
    "account_logout": [get(OK, anonymous=MOVED), post(MOVED)],
    "account_inactive": [get(OK)],
    "account_signup": [get(MOVED, anonymous=OK)],
    "account_reauthenticate": [get(OK, anonymous=LOGIN)],
    # Reauthenticating by a code e-mailed to a verified address (only the member has one).
    "account_request_reauthentication_code": [
        get(A(302, "/accounts/reauthenticate/"), anonymous=LOGIN, member=OK)],
    "account_confirm_reauthentication_code": [
        get(A(302, "/accounts/reauthenticate/code/"), anonymous=LOGIN)],
    "account_email": [get(OK, anonymous=LOGIN)],
    "account_email_verification_sent": [get(OK)],
    "account_change_password": [get(OK, anonymous=LOGIN)],
    "account_set_password": [get(MOVED, anonymous=LOGIN)],
    "account_reset_password": [get(OK)],
    "account_reset_password_done": [get(OK)],
    "account_reset_password_from_key": [get(OK, url=path("/accounts/password/reset/key/1-x/"))],
    "account_reset_password_from_key_done": [get(OK)],
    "account_confirm_login_code": [get(A(302, "/me/"), anonymous=LOGIN)],
    "account_confirm_email": [get(OK, url=path("/accounts/confirm-email/not-a-key/"))],

    # API tokens: officers create them; each revokes only their own.
    "accounts:tokens": [
        get(OK, anonymous=LOGIN),
        # Made, then shown once on the page the answer redirects to.
        post(DENIED, data={"name": "Script"}, anonymous=LOGIN, **who(MOVED, *OFFICERS)),
    ],
    "accounts:token_revoke": [
        post(NOT_FOUND, url=at("accounts:token_revoke", "staff_token_id"), anonymous=LOGIN,
             staff=MOVED),
        get(NOT_ALLOWED, url=at("accounts:token_revoke", "staff_token_id"), anonymous=LOGIN),
    ],

    # A member's own pages: those with no membership are sent back to /me/.
    "me:home": [get(OK, anonymous=LOGIN)],
    "me:address": [
        get(BACK, anonymous=LOGIN, **who(OK, *MEMBERS)),
        post(BACK, data={"address": "2 New Road", "postcode": "E4 9AA"}, anonymous=LOGIN,
             **who(MOVED, *MEMBERS)),
    ],
    "me:resign": [
        get(BACK, anonymous=LOGIN, **who(OK, *MEMBERS)),
        post(BACK, data={"reason": ""}, anonymous=LOGIN, **who(MOVED, *MEMBERS)),
    ],
    # Self-service (issue 9): name, rate, e-mail address, what e-mail one receives.
    "me:name": [
        get(BACK, anonymous=LOGIN, **who(OK, *MEMBERS)),
        post(BACK, data={"first_name": "New", "last_name": "Name"}, anonymous=LOGIN,
             **who(MOVED, *MEMBERS)),
    ],
    # The personas pay no dues rate in this world: there is no rate to choose.
    "me:rate": [
        get(BACK, anonymous=LOGIN, **who(OK, *MEMBERS)),
        post(BACK, data={"rate": "reduced"}, anonymous=LOGIN, **who(INVALID, *MEMBERS)),
    ],
    # A supporter applies to become a member; members are told they already are one.
    "me:upgrade": [
        get(BACK, anonymous=LOGIN, **who(OK, *MEMBERS)),
        post(BACK, data={"rate": "standard", "consent": "on"}, anonymous=LOGIN,
             supporter=MOVED, **who(INVALID, "member", "author")),
    ],
    # Rejoining is for a membership that ended: the personas' are going, so all are sent back.
    "me:rejoin": [
        get(BACK, anonymous=LOGIN),
        post(BACK, data={"choice": "afresh", "rate": "standard", "consent": "on"},
             anonymous=LOGIN),
    ],
    "accounts:email_change": [
        get(OK, anonymous=LOGIN),
        post(MOVED, data={"email": "matrix.new@example.org"}, anonymous=LOGIN),
    ],
    # Only the signed link sent to the new address confirms it.
    "accounts:email_confirm": [
        get(INVALID, url=path("/account/email/confirm/forged/")),
        post(INVALID, url=path("/account/email/confirm/forged/")),
    ],
    "mailings:preferences": [get(OK, anonymous=LOGIN), post(MOVED, anonymous=LOGIN)],
    # Without a login, by the signed link alone (RFC 8058 one-click POST).
    "mailings:unsubscribe": [
        get(INVALID, url=path("/mail/unsubscribe/forged/")),
        post(INVALID, url=path("/mail/unsubscribe/forged/")),
    ],
    # Data protection: one's own copy; national staff erase, auditors read the trail.
    "privacy:my_data": [get(OK, anonymous=LOGIN)],
    "privacy:my_data_json": [get(OK, anonymous=LOGIN)],
    "privacy:staff_erasures": [
        get(DENIED, anonymous=LOGIN, **who(OK, *ADMINS)),
        post(DENIED, data=lambda w: {"reference": w.highams_ref, "reason": "Asked"},
             anonymous=LOGIN, staff=MOVED),
    ],
    # A guest with no login, by address: nobody signed up with this one.
    "privacy:staff_guest_erasure": [
        get(NOT_ALLOWED, anonymous=LOGIN),
        post(DENIED, data={"guest-email": "nobody@example.net", "guest-reason": "Asked"},
             anonymous=LOGIN, staff=INVALID),
    ],
    # A branch's secretary e-mails its members; nobody else, not even staff.
    "mailings:officer_home": [get(DENIED, anonymous=LOGIN, other_secretary=OK)],
    "mailings:compose": [
        get(DENIED, url=path("/officers/mail/WF-CHN/"), anonymous=LOGIN,
            other_secretary=NOT_FOUND),
        get(DENIED, url=path("/officers/mail/WF-HPH/"), anonymous=LOGIN, other_secretary=OK),
        post(DENIED, url=path("/officers/mail/WF-HPH/"),
             data={"subject": "Meeting", "message": "Thursday", "action": "preview"},
             anonymous=LOGIN, other_secretary=OK),
    ],

    # Paying: a member pays their own payments and dues, nobody else's.
    "me:pay": [
        get(NOT_FOUND, url=at("me:pay", "dues_ref"), anonymous=LOGIN, member=OK),
        post(NOT_FOUND, url=at("me:pay", "dues_ref"), anonymous=LOGIN, member=INVALID),
    ],
    "me:pay_return": [get(NOT_FOUND, url=at("me:pay_return", "dues_ref"), anonymous=LOGIN,
                          member=OK)],
    "me:dues": [
        get(NOT_FOUND, url=at("me:dues", "member_ref"), anonymous=LOGIN, member=OK),
        # Refused: the member persona pays no dues rate in this world, so nothing is owed.
        post(NOT_FOUND, url=at("me:dues", "member_ref"), data={"action": "pay"},
             anonymous=LOGIN, member=INVALID),
    ],
    "me:dues_return": [get(NOT_FOUND, url=at("me:dues_return", "member_ref"), anonymous=LOGIN,
                           member=MOVED)],
    # Stripe's webhook: only an event Stripe signed is taken, whoever sends it (and it is
    # not there at all until Stripe is set up).
    "membership:stripe_webhook": [post(NOT_FOUND, data={})],

    # Members' records: officers, within their area. Outside it, a member's
    # reference answers as one that does not exist.
    "me:officers_members": [get(DENIED, anonymous=LOGIN, **who(OK, *OFFICERS))],
    "me:officers_member": [
        get(DENIED, url=at("me:officers_member", "member_ref"), anonymous=LOGIN,
            other_secretary=NOT_FOUND, **who(OK, *ADMINS)),
        get(DENIED, url=at("me:officers_member", "highams_ref"), anonymous=LOGIN,
            **who(OK, *OFFICERS)),
        get(DENIED, url=path("/officers/members/RF-NOSUCH00/"), anonymous=LOGIN,
            **who(NOT_FOUND, *OFFICERS)),
    ],
    # Two-factor (allauth's MFA): anyone logged in may set it up; the officer personas
    # have it. Changing it asks for the password again first (REAUTH): a session made
    # by force_login has not just typed it.
    "mfa_index": [get(OK, anonymous=LOGIN)],
    "mfa_activate_totp": [get(REAUTH, anonymous=LOGIN), post(REAUTH, anonymous=LOGIN)],
    "mfa_deactivate_totp": [
        get(NOT_FOUND, anonymous=LOGIN, **who(REAUTH, *OFFICERS)),
        post(NOT_FOUND, anonymous=LOGIN, **who(REAUTH, *OFFICERS)),
    ],
    # Only during a login with a password already given: otherwise sent on.
    "mfa_authenticate": [get(SENT_HOME, anonymous=SENT_TO_LOGIN),
                         post(SENT_HOME, anonymous=SENT_TO_LOGIN)],
    "mfa_reauthenticate": [
        get(REAUTH, anonymous=LOGIN, **who(OK, *OFFICERS)),
        post(REAUTH, anonymous=LOGIN, **who(SHOWN, *OFFICERS)),
    ],
    "mfa_view_recovery_codes": [get(NOT_FOUND, anonymous=LOGIN, **who(REAUTH, *OFFICERS))],
    "mfa_download_recovery_codes": [get(NOT_FOUND, anonymous=LOGIN,
                                        **who(REAUTH, *OFFICERS))],
    "mfa_generate_recovery_codes": [get(REAUTH, anonymous=LOGIN),
                                    post(REAUTH, anonymous=LOGIN)],
    # The access log: national auditors only.
    "me:officers_access_log": [get(DENIED, anonymous=LOGIN, auditor=OK)],
    # A branch's CSV: its secretary and staff; another branch answers as one that
    # does not exist.
    "me:officers_export": [get(DENIED, anonymous=LOGIN, **who(OK, "other_secretary", "staff"))],
    "me:officers_export_branch": [
        get(NOT_ALLOWED, url=lambda w: reverse("me:officers_export_branch",
                                               args=[w.area.other_branch.pk]),
            anonymous=LOGIN),
        post(DENIED, url=lambda w: reverse("me:officers_export_branch",
                                           args=[w.area.other_branch.pk]),
             anonymous=LOGIN, **who(OK, "other_secretary", "staff")),
        post(DENIED, url=lambda w: reverse("me:officers_export_branch", args=[w.area.branch.pk]),
             anonymous=LOGIN, other_secretary=NOT_FOUND, staff=OK),
    ],

    # Staff pages: national staff only.
    "membership:staff_member_import": [
        get(DENIED, anonymous=LOGIN, staff=OK),
        post(DENIED, anonymous=LOGIN, staff=INVALID),  # no file: nothing to check
    ],
    "membership:staff_member_import_run": [
        get(NOT_ALLOWED, anonymous=LOGIN),
        post(DENIED, data={"token": "forged"}, anonymous=LOGIN, staff=INVALID),
    ],
    "membership:staff_payments": [get(DENIED, anonymous=LOGIN, staff=OK)],
    "membership:staff_payment_record": [
        post(DENIED, url=at("membership:staff_payment_record", "payment_ref"),
             data=lambda w: {f"{w.payment_ref}-method": "cash",
                             f"{w.payment_ref}-amount": "25.00"},
             anonymous=LOGIN, staff=MOVED),
    ],
    "membership:staff_payment_refund": [
        post(DENIED, url=at("membership:staff_payment_refund", "receipt_ref"),
             data=lambda w: {f"refund-{w.receipt_ref}-reason": "Paid twice"},
             anonymous=LOGIN, staff=MOVED),
    ],
    "membership:staff_statements": [get(DENIED, anonymous=LOGIN, staff=OK),
                                    post(DENIED, anonymous=LOGIN, staff=INVALID)],
    "membership:staff_statement_import": [post(DENIED, anonymous=LOGIN, staff=INVALID)],
    "membership:staff_statement": [get(DENIED, url=at("membership:staff_statement",
                                                      "statement_pk"),
                                       anonymous=LOGIN, staff=OK)],
    "membership:staff_placements": [get(DENIED, anonymous=LOGIN, staff=OK)],
    "membership:staff_place": [
        post(DENIED, url=at("membership:staff_place", "unplaced_ref"),
             data=lambda w: {f"{w.unplaced_ref}-ward": w.ward_pk}, anonymous=LOGIN,
             staff=MOVED),
    ],
    "membership:staff_decline_placement": [
        post(DENIED, url=at("membership:staff_decline_placement", "unplaced_ref"),
             data=lambda w: {f"{w.unplaced_ref}-decline-reason": "Postcode is in Glasgow"},
             anonymous=LOGIN, staff=MOVED),
    ],

    # Vetting: membership staff over the applicant (here: national staff). Another
    # applicant's page answers as one that does not exist, and so does an appeal form
    # for someone else's application.
    "vetting:queue": [get(DENIED, anonymous=LOGIN, staff=OK)],
    "vetting:bulk": [post(DENIED, data=lambda w: {"reference": [w.vetting["applicant"]],
                                                  "bulk-outcome": "approved"},
                          anonymous=LOGIN, staff=OK)],
    "vetting:check": [post(DENIED, anonymous=LOGIN, staff=MOVED)],
    "vetting:appeals": [get(DENIED, anonymous=LOGIN, staff=OK)],
    "vetting:appeal_decide": [post(DENIED, url=_vet("vetting:appeal_decide", "appeal"),
                                   data=lambda w: {f"appeal-{w.vetting['appeal']}-outcome":
                                                   "uphold"},
                                   anonymous=LOGIN, staff=MOVED)],
    "vetting:exclusions": [get(DENIED, anonymous=LOGIN, staff=OK),
                           post(DENIED, anonymous=LOGIN, staff=INVALID)],
    "vetting:exclusion_remove": [post(DENIED, url=_vet("vetting:exclusion_remove", "entry"),
                                      anonymous=LOGIN, staff=MOVED)],
    "vetting:unions": [get(DENIED, anonymous=LOGIN, staff=OK),
                       post(DENIED, anonymous=LOGIN, staff=INVALID)],
    "vetting:duplicates": [get(DENIED, anonymous=LOGIN, staff=OK)],
    "vetting:pair": [get(DENIED, url=_vet("vetting:pair", "pair"), anonymous=LOGIN, staff=OK)],
    "vetting:pair_merge": [post(DENIED, url=_vet("vetting:pair_merge", "pair"),
                                data=lambda w: {"keep": w.vetting["first"]},
                                anonymous=LOGIN, staff=MOVED)],
    "vetting:pair_distinct": [post(DENIED, url=_vet("vetting:pair_distinct", "pair"),
                                   anonymous=LOGIN, staff=MOVED)],
    "vetting:application": [
        get(DENIED, url=_vet("vetting:application", "applicant"), anonymous=LOGIN, staff=OK),
        get(DENIED, url=path("/staff/vetting/RF-NOSUCH00/"), anonymous=LOGIN,
            staff=NOT_FOUND),
    ],
    "vetting:decide": [post(DENIED, url=_vet("vetting:decide", "applicant"),
                            data={"outcome": "approved"}, anonymous=LOGIN, staff=MOVED)],
    "vetting:union_check": [post(DENIED, url=_vet("vetting:union_check", "affiliated"),
                                 anonymous=LOGIN, staff=BACK)],
    "vetting:me": [get(OK, anonymous=LOGIN),
                   post(NOT_FOUND, data=lambda w: {"reference": w.vetting["rejected"],
                                                   "statement": "Not mine"},
                        anonymous=LOGIN)],

    # Articles: public ones are read by everyone; authors write, moderators publish.
    "discussion:list": [get(OK)],
    "discussion:feed": [get(OK)],
    "discussion:article": [get(OK, url=at("discussion:article", "article"))],
    "discussion:image": [get(NOT_FOUND, url=at("discussion:image", "article"))],
    "discussion:write": [get(NOT_FOUND, anonymous=LOGIN, author=OK)],
    "discussion:mine": [get(OK, anonymous=LOGIN)],
    "discussion:edit": [
        # Published: no longer its author's to change; its moderators' (and staff's).
        get(NOT_FOUND, url=at("discussion:edit", "article"), anonymous=LOGIN,
            **who(OK, "moderator", "staff")),
        # A draft: only its author and the moderators even know it is there.
        get(NOT_FOUND, url=at("discussion:edit", "draft"), anonymous=LOGIN,
            **who(OK, "author", "moderator", "staff")),
    ],
    "discussion:submit": [post(NOT_FOUND, url=at("discussion:submit", "draft"),
                               anonymous=LOGIN, **who(MOVED, "author", "moderator", "staff"))],
    "discussion:publish": [post(NOT_FOUND, url=at("discussion:publish", "draft"),
                                anonymous=LOGIN, author=BACK,
                                **who(MOVED, "moderator", "staff"))],
    "discussion:moderation": [get(DENIED, anonymous=LOGIN, **who(OK, "moderator", "staff"))],
    "discussion:decide": [
        post(DENIED, url=at("discussion:decide", "pending_comment_id"),
             data={"action": "approve", "reason": "Fine"}, anonymous=LOGIN,
             **who(MOVED, "moderator", "staff")),
    ],
    "discussion:comment_post": [
        post(MOVED, url=at("discussion:comment_post", "article"),
             data={"text": "Hear, hear", "name": "Val"}),
    ],
    "discussion:comment": [get(MOVED, url=at("discussion:comment", "article",
                                             "visitor_comment"))],
    "discussion:comment_edit": [
        post(BACK, url=at("discussion:comment_edit", "article", "member_comment"),
             data={"text": "Changed my mind"}, member=MOVED),
    ],
    "discussion:comment_withdraw": [
        post(BACK, url=at("discussion:comment_withdraw", "article", "member_comment"),
             member=MOVED),
    ],
    "discussion:comment_report": [
        # Anyone may report a comment; the member already reported this one.
        post(MOVED, url=at("discussion:comment_report", "article", "visitor_comment"),
             data={"reason": "spam", "detail": ""}, member=BACK),
    ],
    "discussion:erase_request": [get(OK), post(MOVED, data={"email": "val@example.org"})],
    # Holding the link e-mailed to the address is the right to erase it.
    "discussion:erase_confirm": [
        get(OK, url=at("discussion:erase_confirm", "erase_token")),
        post(MOVED, url=at("discussion:erase_confirm", "erase_token")),
        post(INVALID, url=path("/articles/forget-my-email/forged/")),
    ],

    # Elections: public pages; "Can I vote?" for one's own place; the ballot paper for
    # anyone (a visitor types their voting code: an empty paper is refused). Running an
    # election is for its returning officer and scrutineers, none of the personas here
    # (rankfile/elections/tests ask as them). Results once published only.
    "selections:list": [get(OK)],
    "selections:detail": [get(OK, url=at("selections:detail", "selection"))],
    "selections:new": [
        get(NOT_FOUND, url=path("/selections/new/E14000634/"), anonymous=LOGIN, staff=OK),
        post(NOT_FOUND, url=path("/selections/new/E14000634/"), anonymous=LOGIN, staff=MOVED,
             data={"office": "Mayor", "branch_threshold": "1/3", "affiliate_threshold": "1/3"}),
    ],
    "selections:manage": [
        get(NOT_FOUND, url=at("selections:manage", "selection"), anonymous=LOGIN, staff=OK),
        # Nobody has decided and the deadline is ahead: the rules wait, said in a message.
        post(NOT_FOUND, url=at("selections:manage", "selection"), data={"action": "conclude"},
             anonymous=LOGIN, staff=BACK),
    ],
    "selections:decide": [
        get(NOT_FOUND, url=path("/selections/{selection}/decide/WF-HPH/"), anonymous=LOGIN,
            other_secretary=OK, staff=OK),
        post(NOT_FOUND, url=path("/selections/{selection}/decide/WF-HPH/"), data={},
             anonymous=LOGIN, other_secretary=INVALID, staff=INVALID),
    ],
    "elections:list": [get(OK)],
    "elections:detail": [get(OK, url=at("elections:detail", "election"))],
    "elections:can_i_vote": [
        get(OK, url=at("elections:can_i_vote", "election"), anonymous=LOGIN),
        # A new voting code: for those on the roll only (the members, in this world).
        post(BACK, url=at("elections:can_i_vote", "election"), anonymous=LOGIN,
             **who(MOVED, *MEMBERS)),
    ],
    "elections:vote": [get(OK, url=at("elections:vote", "election")),
                       post(INVALID, url=at("elections:vote", "election"),
                            data={"step": "confirm"})],
    "elections:manage": [
        get(DENIED, url=at("elections:manage", "election"), anonymous=LOGIN),
        post(DENIED, url=at("elections:manage", "election"), data={"action": "close"},
             anonymous=LOGIN),
    ],
    # Claims and objections to the roll: lodged from "Can I vote?" while in nominations
    # (this world's election is open: refused, the page shown again with the reason).
    "elections:claim": [
        get(NOT_ALLOWED, url=at("elections:claim", "election"), anonymous=LOGIN),
        post(INVALID, url=at("elections:claim", "election"), anonymous=LOGIN,
             data={"claim-section": "member", "claim-grounds": "I paid on time."}),
    ],
    "elections:object": [
        get(NOT_ALLOWED, url=at("elections:object", "election"), anonymous=LOGIN),
        post(INVALID, url=at("elections:object", "election"), anonymous=LOGIN,
             data={"objection-reference": "RF-00000001", "objection-grounds": "Moved."}),
    ],
    # Deciding them, and the voting codes' delivery: the returning officer's (and the
    # scrutineers' to read), none of the personas here.
    "elections:claims": [get(DENIED, url=at("elections:claims", "election"),
                             anonymous=LOGIN)],
    "elections:claim_decision": [
        get(NOT_ALLOWED, url=path("/elections/{election}/manage/claims/1/"), anonymous=LOGIN),
        post(DENIED, url=path("/elections/{election}/manage/claims/1/"), anonymous=LOGIN,
             data={"c1-outcome": "upheld", "c1-reason": "Yes."}),
    ],
    "elections:credentials": [
        get(DENIED, url=at("elections:credentials", "election"), anonymous=LOGIN),
        post(DENIED, url=at("elections:credentials", "election"), anonymous=LOGIN,
             data={"action": "remind"}),
    ],
    # Paper ballots: keyed by the body's returning officer and staff (an empty paper
    # comes back with its errors); anyone else is refused.
    "elections:postal": [
        get(DENIED, url=at("elections:postal", "election"), anonymous=LOGIN, staff=OK),
        post(DENIED, url=at("elections:postal", "election"), data={}, anonymous=LOGIN,
             staff=INVALID),
    ],
    "elections:results": [get(NOT_FOUND, url=at("elections:results", "election"))],
    "elections:declaration": [get(NOT_FOUND, url=at("elections:declaration", "election"))],
    # Nominations: the public list; nominating is for members of the body in good standing
    # (the world's election is open, so a member's nomination is refused as too late); a
    # consent page for nominees only (nobody is nominated here); the desk for the returning
    # officer, scrutineers and staff (staff read it; only the returning officer confirms).
    "elections:nominations": [get(OK, url=at("elections:nominations", "election"))],
    "elections:my_nominations": [get(OK, anonymous=LOGIN)],
    "elections:nominate": [
        get(OK, url=at("elections:nominate", "election"), anonymous=LOGIN),
        post(DENIED, url=at("elections:nominate", "election"), data={"reference": "RF-1"},
             anonymous=LOGIN, **who(INVALID, "member", "author")),
    ],
    "elections:consent": [
        get(NOT_FOUND, url=at("elections:consent", "election"), anonymous=LOGIN),
        post(NOT_FOUND, url=at("elections:consent", "election"),
             data={"answer": "accept", "statement": "Me"}, anonymous=LOGIN),
    ],
    "elections:manage_nominations": [
        get(DENIED, url=at("elections:manage_nominations", "election"), anonymous=LOGIN,
            staff=OK),
        post(DENIED, url=at("elections:manage_nominations", "election"),
             data={"action": "confirm"}, anonymous=LOGIN),
    ],

    # The API's own pages (its operations are in API, below).
    "api:openapi-json": [get(OK)],
    "api:openapi-view": [get(OK)],
    "api:api-root": [get(NOT_FOUND)],

    # Meetings: members of the body and its officers (auditors read); the rest: not found.
    "meetings:list": [get(OK, anonymous=LOGIN)],
    "meetings:call": [
        get(NOT_FOUND, url=path("/meetings/call/WF-CHN/"), anonymous=LOGIN, staff=OK),
        post(NOT_FOUND, url=path("/meetings/call/WF-CHN/"), anonymous=LOGIN, staff=MOVED,
             data={"title": "Matrix", "place": "Hall", "starts_at": "2099-01-01 19:30"}),
    ],
    "meetings:detail": [get(NOT_FOUND, url=at("meetings:detail", "meeting"), anonymous=LOGIN,
                            **who(OK, "member", "author", "auditor", "staff"))],
    "meetings:notice": [post(NOT_FOUND, url=at("meetings:notice", "meeting"), anonymous=LOGIN,
                             staff=MOVED)],
    # Officers who are not members of the branch are told so, and nothing changes.
    "meetings:reply": [post(NOT_FOUND, url=at("meetings:reply", "meeting"),
                            data={"answer": "coming"}, anonymous=LOGIN,
                            **who(MOVED, "member", "author"), **who(BACK, "auditor", "staff"))],
    "meetings:motion_new": [
        get(NOT_FOUND, url=at("meetings:motion_new", "meeting"), anonymous=LOGIN,
            **who(OK, "member", "author", "auditor", "staff")),
        # An empty motion: its form again with the reason; auditors may not submit.
        post(NOT_FOUND, url=at("meetings:motion_new", "meeting"), data={}, anonymous=LOGIN,
             **who(INVALID, "member", "author", "staff")),
    ],
    "meetings:amendment_new": [post(NOT_FOUND, url=path("/meetings/{meeting}/motions/1/amend/"),
                                    data={}, anonymous=LOGIN,
                                    **who(BACK, "member", "author", "staff"))],
    # The door, the chair's page and the minutes' drafts: the body's officers (staff here).
    "meetings:door": [
        get(NOT_FOUND, url=at("meetings:door", "meeting"), anonymous=LOGIN, staff=OK),
        post(NOT_FOUND, url=at("meetings:door", "meeting"), data={"guest_name": "Gita"},
             anonymous=LOGIN, staff=OK),
    ],
    "meetings:check_out": [post(NOT_FOUND, url=path("/meetings/{meeting}/door/out/{attendance}/"),
                                anonymous=LOGIN, staff=MOVED)],
    "meetings:chair": [get(NOT_FOUND, url=at("meetings:chair", "meeting"), anonymous=LOGIN,
                           staff=OK)],
    "meetings:live": [get(NOT_FOUND, url=at("meetings:live", "meeting"), anonymous=LOGIN,
                          staff=OK)],
    "meetings:open": [post(NOT_FOUND, url=at("meetings:open", "meeting"), anonymous=LOGIN,
                           staff=MOVED)],
    # Motion 1's vote is already open: refused, with the reason.
    "meetings:put": [post(NOT_FOUND, url=at("meetings:put", "meeting"), anonymous=LOGIN,
                          staff=BACK, data=lambda w: {"motion": _motion_pk(w), "method": "hands"})],
    "meetings:close": [post(NOT_FOUND, url=path("/meetings/{meeting}/questions/{question}/close/"),
                            anonymous=LOGIN, staff=MOVED)],
    # A secret vote takes no show of hands.
    "meetings:hands": [post(NOT_FOUND, url=path("/meetings/{meeting}/questions/{question}/hands/"),
                            data={"votes_for": "1", "votes_against": "0", "abstentions": "0"},
                            anonymous=LOGIN, staff=BACK)],
    "meetings:vote": [get(NOT_FOUND, url=at("meetings:vote", "meeting"), anonymous=LOGIN,
                          **who(OK, "member", "author", "auditor", "staff"))],
    # Without the vote page's signed ticket (``t``) no one, logged in or not, polls it.
    "meetings:vote_status": [get(NOT_FOUND, url=at("meetings:vote_status", "meeting"))],
    # Only the member persona is checked in; the others are told to see a teller.
    "meetings:cast": [post(NOT_FOUND, url=path("/meetings/{meeting}/questions/{question}/vote/"),
                           data={"choice": "for"}, anonymous=LOGIN, member=MOVED,
                           **who(BACK, "author", "auditor", "staff"))],
    # Unpublished minutes: the secretary's (staff's) only.
    "meetings:minutes": [
        get(NOT_FOUND, url=at("meetings:minutes", "meeting"), anonymous=LOGIN, staff=OK),
        post(NOT_FOUND, url=at("meetings:minutes", "meeting"), data={"action": "generate"},
             anonymous=LOGIN, staff=MOVED),
    ],
    # A meeting open to the public: its page, calendar and sign-up, for anyone; a private
    # meeting's public address is not found, for everyone alike.
    "meetings:public": [
        get(OK, url=_rally("meetings:public")),
        get(NOT_FOUND, url=at("meetings:public", "meeting")),
        post(MOVED, url=_rally("meetings:public"),
             data={"name": "Gita Guest", "email": "gita@example.org", "consent": "no"}),
        post(INVALID, url=_rally("meetings:public"), data={"name": "Gita", "email": "nope"}),
        post(NOT_FOUND, url=at("meetings:public", "meeting"),
             data={"name": "Gita Guest", "email": "gita@example.org", "consent": "no"}),
    ],
    "meetings:public_calendar": [get(OK, url=_rally("meetings:public_calendar")),
                                 get(NOT_FOUND, url=at("meetings:public_calendar", "meeting"))],
    "meetings:calendar": [get(NOT_FOUND, url=at("meetings:calendar", "meeting"), anonymous=LOGIN,
                              **who(OK, "member", "author", "auditor", "staff"))],
    # No notice sent yet: the secretary (staff) is told to send it first, nothing queued.
    "meetings:reminder": [post(NOT_FOUND, url=at("meetings:reminder", "meeting"),
                               anonymous=LOGIN, staff=BACK)],
    # Delegates' cards: the secretary's (staff's); an empty card is refused at its form.
    "meetings:cards": [
        get(NOT_FOUND, url=at("meetings:cards", "meeting"), anonymous=LOGIN, staff=OK),
        post(NOT_FOUND, url=at("meetings:cards", "meeting"), data={}, anonymous=LOGIN,
             staff=INVALID),
    ],
    "meetings:card_sheet": [get(NOT_FOUND, url=lambda w: _card_question(w) + "/cards/",
                                anonymous=LOGIN, staff=OK)],
    # A card is cast by its holder (the member persona, checked in) or a teller.
    "meetings:card_cast": [post(NOT_FOUND, url=lambda w: _card_question(w) + "/card/",
                                data=_card, anonymous=LOGIN, **who(MOVED, "member", "staff"))],
    # The secret vote is still open: no recount, with the reason.
    "meetings:recount": [post(NOT_FOUND,
                              url=path("/meetings/{meeting}/questions/{question}/recount/"),
                              data={"method": "hands"}, anonymous=LOGIN, staff=BACK)],
    "meetings:group_join": [post(BACK, url=path("/groups/G-MATRIX/join/"), anonymous=LOGIN,
                                 **who(MOVED, *MEMBERS))],
    "meetings:group_leave": [post(MOVED, url=path("/groups/G-MATRIX/leave/"), anonymous=LOGIN)],

    # The admin site's own pages (each model's are in ADMIN_MODELS, below).
    "admin:index": [get(DENIED, anonymous=ADMIN_LOGIN, **who(OK, *ADMINS))],
    "admin:login": [get(DENIED, anonymous=LOGIN, **who(MOVED, *ADMINS)),
                    post(DENIED, data={"username": "staff@example.org",
                                       "password": "correct horse battery"},
                         anonymous=LOGIN, **who(MOVED, *ADMINS))],
    "admin:logout": [post(DENIED, anonymous=A(302, "/admin/"), **who(OK, *ADMINS))],
    "admin:password_change": [get(DENIED, anonymous=ADMIN_LOGIN,
                                  **who(A(302, "/accounts/password/change/"), *ADMINS))],
    "admin:password_change_done": [get(DENIED, anonymous=ADMIN_LOGIN,
                                       **who(A(302, "/accounts/password/change/"), *ADMINS))],
    "admin:jsi18n": [get(DENIED, anonymous=ADMIN_LOGIN, **who(OK, *ADMINS))],
    "admin:autocomplete": [
        get(DENIED, url=path("/admin/autocomplete/?app_label=accounts&model_name=role"
                             "&field_name=user&term=st"),
            anonymous=ADMIN_LOGIN, **who(OK, *ADMINS)),
    ],
    "admin:view_on_site": [
        get(DENIED, url=lambda w: reverse("admin:view_on_site", args=[
            _content_type("discussion.article"), w.admin_objects["discussion.article"].pk]),
            anonymous=ADMIN_LOGIN, **who(MOVED, *ADMINS)),
    ],
    "admin:app_list": [
        get(DENIED, url=path(f"/admin/{label}/"), anonymous=ADMIN_LOGIN, **who(OK, *ADMINS))
        for label in ("accounts", "account", "branches", "membership", "discussion",
                      "django_tasks_database")
    ],
    # Anything else under /admin/: not found, once you may see the admin at all.
    "admin/(?P<url>.*)$": [get(DENIED, url=path("/admin/no/such/page/"),
                               anonymous=ADMIN_LOGIN, **who(NOT_FOUND, *ADMINS))],
}


def _content_type(label: str) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(apps.get_model(label)).pk


# -- the admin -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    """What national staff may do with a model in the admin; auditors only read it.

    ``add``: staff may add one (its form sent empty comes back with its errors).
    ``change``: staff's answer to saving its change form sent empty (SHOWN: the
    form again with its errors; SAVED; DENIED: read-only). ``delete``: staff's
    answer to confirming a deletion (SAVED: deleted; PROTECTED: still in use, so
    the page says why; DENIED: not here). ``actions``: each action's form data
    and the staff's answer (an auditor is never offered one: the list again).
    """

    add: bool = False
    change: A = DENIED
    delete: A = DENIED
    actions: dict[str, tuple[dict[str, Any], A]] = field(default_factory=dict)


SAVED, PROTECTED = MOVED, SHOWN


def _no_delete(answer: A = SHOWN) -> dict[str, tuple[dict[str, Any], A]]:
    # "Delete selected" is offered only where deleting is: elsewhere staff get the list again.
    return {"delete_selected": ({"post": "yes"}, answer)}

ADMIN_MODELS: dict[str, AdminModel] = {
    # Logins and e-mail addresses: read here; rights come from roles.
    "accounts.user": AdminModel(actions=_no_delete()),
    "account.emailaddress": AdminModel(actions=_no_delete()),
    # Roles: granted, ended and deleted through the role services.
    "accounts.role": AdminModel(add=True, change=SAVED, delete=SAVED,
                                actions={"delete_selected": ({"post": "yes"}, MOVED)}),
    # Tokens: created by their owner on the site; staff revoke them here.
    "accounts.apitoken": AdminModel(actions={
        "delete_selected": ({"post": "yes"}, BACK),
        "revoke_tokens": ({}, MOVED)}),
    "django_tasks_database.dbtaskresult": AdminModel(actions=_no_delete()),
    # Places change with import_geo only.
    "branches.body": AdminModel(actions=_no_delete()),
    "branches.ward": AdminModel(actions=_no_delete()),
    "branches.wardplacement": AdminModel(actions=_no_delete()),
    "branches.postcode": AdminModel(actions=_no_delete()),
    # What one may join: through services.offers. Windows and categories in use stay.
    "membership.category": AdminModel(add=True, change=SHOWN, delete=PROTECTED,
                                      actions=_no_delete(PROTECTED)),
    "membership.joiningwindow": AdminModel(add=True, change=SHOWN, delete=PROTECTED,
                                           actions=_no_delete(PROTECTED)),
    "membership.affiliatedunion": AdminModel(add=True, change=SHOWN, delete=SAVED,
                                             actions=_no_delete(MOVED)),
    # Memberships and payments: read here; the status changes through the action.
    "membership.membership": AdminModel(actions={
        "delete_selected": ({"post": "yes"}, BACK),
        "change_status": ({"apply": "1", "status": "expired", "reason": "Never paid"},
                          MOVED)}),
    "membership.payment": AdminModel(actions=_no_delete()),
    # Officers' two-factor apps: who has one, never the secret; set up by each officer.
    "mfa.authenticator": AdminModel(actions=_no_delete()),
    # Written by the payment services (refunds, Stripe's webhook, bank statements).
    "membership.refund": AdminModel(actions=_no_delete()),
    "membership.stripeevent": AdminModel(actions=_no_delete()),
    # Applications with a known address: written by membership_apply.
    "membership.repeatapplication": AdminModel(actions=_no_delete()),
    "membership.bankstatement": AdminModel(actions=_no_delete()),
    # Articles: changed and deleted through the article services.
    "discussion.article": AdminModel(change=SHOWN, delete=SAVED, actions=_no_delete(MOVED)),
    "discussion.tag": AdminModel(add=True, change=SHOWN, delete=SAVED, actions=_no_delete(MOVED)),
    "discussion.comment": AdminModel(actions={
        "delete_selected": ({"post": "yes"}, BACK),
        "erase_emails": ({}, MOVED)}),
    "discussion.commentreport": AdminModel(actions=_no_delete()),
    "discussion.moderationlog": AdminModel(actions=_no_delete()),
    "discussion.blockedterm": AdminModel(add=True, change=SHOWN, delete=SAVED,
                                         actions=_no_delete(MOVED)),
    "discussion.approvedcommenter": AdminModel(add=True, change=SHOWN, delete=SAVED,
                                               actions=_no_delete(MOVED)),
    "discussion.bodydiscussionsettings": AdminModel(add=True, change=SHOWN, delete=SAVED,
                                                    actions=_no_delete(MOVED)),
    # Elections: read here, run on their own pages through the election services.
    "elections.election": AdminModel(actions=_no_delete()),
    "elections.candidate": AdminModel(actions=_no_delete()),
    "elections.rollrules": AdminModel(actions=_no_delete()),
    "elections.rollentry": AdminModel(actions=_no_delete()),
    "elections.credential": AdminModel(actions=_no_delete()),
    "elections.ballot": AdminModel(actions=_no_delete()),
    "elections.auditentry": AdminModel(actions=_no_delete()),
}


def _admin_answers(staff: A, auditor: A = DENIED) -> dict[str, A]:
    return _answers(DENIED, {"anonymous": ADMIN_LOGIN, "auditor": auditor, "staff": staff})


def _admin_calls(label: str, spec: AdminModel) -> Iterator[tuple[str, Call]]:
    app, model = label.split(".")
    base = f"admin:{app}_{model}"

    def obj_url(view: str) -> Url:
        return lambda w: reverse(f"{base}_{view}", args=[w.admin_objects[label].pk])

    def new(method: str, url: Url, staff: A, auditor: A = DENIED, data: Data | None = None
            ) -> Call:
        return Call(method, _admin_answers(staff, auditor), url=url, data=data)

    yield f"{base}_changelist", new("get", at(f"{base}_changelist"), OK, OK)
    yield f"{base}_add", new("get", at(f"{base}_add"), OK if spec.add else DENIED)
    yield f"{base}_add", new("post", at(f"{base}_add"), SHOWN if spec.add else DENIED)
    yield f"{base}_change", new("get", obj_url("change"), OK, OK)
    yield f"{base}_change", new("post", obj_url("change"), spec.change)
    yield f"{base}_delete", new("get", obj_url("delete"),
                                DENIED if spec.delete == DENIED else OK)
    yield f"{base}_delete", new("post", obj_url("delete"), spec.delete,
                                data=lambda w: {"post": "yes"})
    yield f"{base}_history", new("get", obj_url("history"), OK, OK)
    yield f"admin/{app}/{model}/<path:object_id>/", new(
        "get", lambda w: f"/admin/{app}/{model}/{w.admin_objects[label].pk}/", MOVED, MOVED)
    for action, (extra, staff) in spec.actions.items():
        def form(w: World, action: str = action, extra: dict[str, Any] = extra
                 ) -> dict[str, Any]:
            return {"action": action, "index": "0", "select_across": "0",
                    "_selected_action": [w.admin_objects[label].pk], **extra}

        yield f"{base} action {action}", new("post", at(f"{base}_changelist"), staff, SHOWN,
                                             data=form)


# -- the API -------------------------------------------------------------------------------


def _application(w: World) -> dict[str, Any]:
    return {"category": "registered_supporter", "first_name": "Api", "last_name": "Joiner",
            "email": "api.joiner@example.org", "postcode": "e4 7aa",
            "date_of_birth": "1980-05-17", "consent": True}


def _ballot(w: World) -> dict[str, Any]:
    return {"credential": "AAAAA-AAAAA-AAAAA-AAAAA", "ranking": [1]}


API: dict[str, list[Call]] = {
    # Elections: the list is public; a voting code, not a login, casts a ballot (an
    # unknown one is refused alike for everyone); results once published only.
    "elections": [get(OK, url=path("/api/elections"))],
    "ballot_cast": [post(DENIED, url=path("/api/elections/{election}/ballots"), data=_ballot,
                         json=True)],
    "election_results": [get(NOT_FOUND, url=path("/api/elections/{election}/results"))],
    "election_bulletin_blt": [get(NOT_FOUND, url=path("/api/elections/{election}/bulletin.blt"))],
    "election_bulletin_csv": [get(NOT_FOUND, url=path("/api/elections/{election}/bulletin.csv"))],
    "election_bulletin_trackers": [
        get(NOT_FOUND, url=path("/api/elections/{election}/bulletin-trackers.txt"))],
    "join": [post(CREATED, url=path("/api/join"), data=_application, json=True)],
    "stats": [get(OK, url=path("/api/stats"))],
    # Only a token reads members: a session never does. A member outside the token's
    # role answers exactly as a reference that does not exist.
    "member": [
        get(UNAUTHENTICATED, url=path("/api/members/{member_ref}"), api=True,
            other_secretary=NOT_FOUND, **who(OK, *ADMINS)),
        get(UNAUTHENTICATED, url=path("/api/members/{highams_ref}"), api=True,
            **who(OK, *OFFICERS)),
        get(UNAUTHENTICATED, url=path("/api/members/RF-NOSUCH00"), api=True,
            **who(NOT_FOUND, *OFFICERS)),
    ],
}


# -- running it ----------------------------------------------------------------------------


def every_call() -> Iterator[tuple[str, Call]]:
    for name, calls in SITE.items():
        for call in calls:
            yield name, call
    for label, spec in ADMIN_MODELS.items():
        yield from _admin_calls(label, spec)
    for operation, calls in API.items():
        for call in calls:
            yield f"API {operation}", call


# The access log is written for a refused look at a member's record too, by design.
UNWATCHED = ("django_session", "membership_recordaccess")
# Bookkeeping a refused request may still write: when a token or login was last used.
BOOKKEEPING = {"accounts.ApiToken": {"last_used_at"}, "accounts.User": {"last_login"}}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for model in apps.get_models():
        if model._meta.db_table in UNWATCHED:
            continue
        skip = BOOKKEEPING.get(model._meta.label, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
        found[model._meta.label] = list(
            model._base_manager.order_by("pk").values_list(*columns))
    return found


class Writes:
    """Notes whether a request sent an INSERT, UPDATE or DELETE to the database."""

    def __init__(self) -> None:
        self.seen = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        head = sql.lstrip()[:6].upper()
        if head in ("INSERT", "UPDATE", "DELETE") and not any(t in sql for t in UNWATCHED):
            self.seen = True
        return execute(sql, params, many, context)


def _changes(before: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    after = snapshot()
    return sorted(label for label in before if before[label] != after[label])


def ask(client: Client, call: Call, world: World, persona: str, url: str) -> tuple[int, str]:
    headers = {}
    if call.api and persona in world.tokens:
        headers["Authorization"] = f"Bearer {world.tokens[persona]}"
    data = call.data(world) if call.data else {}
    if call.method == "get":
        response = client.get(url, headers=headers)
    elif call.json:
        headers["Idempotency-Key"] = "matrix-key"
        response = client.post(url, json.dumps(data), content_type="application/json",
                               headers=headers)
    else:
        response = client.post(url, data, headers=headers)
    return response.status_code, response.get("Location", "")


def check(persona: str, calls: Iterator[tuple[str, Call]]) -> list[str]:
    """Ask every call as ``persona``; what answered otherwise than the table says."""
    from django.core.cache import cache

    world = build_world()
    world.admin_objects = {label: apps.get_model(label)._default_manager.order_by("pk").first()
                           for label in ADMIN_MODELS}
    missing = [label for label, obj in world.admin_objects.items() if obj is None]
    assert not missing, f"build_world makes no {missing}: add one, so its pages can be asked for"
    client = Client()
    if world.people[persona] is not None:
        client.force_login(world.people[persona])
    before = snapshot()
    wrong = []
    for key, call in calls:
        expected = call.expect[persona]
        url = call.url(world) if call.url else reverse(key)
        cookies = copy.deepcopy(client.cookies)  # a logout must not end the persona's session
        cache.clear()  # nor may rate limits carry over from one request to the next
        writes = Writes()
        try:
            with transaction.atomic(), connection.execute_wrapper(writes):
                try:
                    status, location = ask(client, call, world, persona, url)
                except Exception as e:  # noqa: BLE001 - reported below with the entry
                    status, location = 500, f"{type(e).__name__}: {e}"
                changed = _changes(before) if expected.refused and writes.seen else []
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies
        what = f"{key}: {call.method.upper()} {url}"
        if not expected.matches(status, location):
            wrong.append(f"{what} answered {status} {location}, not {expected}")
        if changed:
            wrong.append(f"{what} refused ({status}) but changed {', '.join(changed)}")
    return wrong


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_answer_in_the_table(db, persona):
    wrong = check(persona, every_call())

    assert not wrong, f"As {persona}:\n" + "\n".join(wrong)


def test_a_wrong_answer_and_a_refused_change_are_reported(db, monkeypatch):
    """The matrix is real: a page answering otherwise, or a refusal that writes, is reported."""
    from rankfile.accounts.models import Role

    answer = ask

    def writing_ask(*args: Any, **kwargs: Any) -> tuple[int, str]:
        got = answer(*args, **kwargs)
        Role.objects.update(note="written by a refusal")
        return got

    monkeypatch.setattr(__import__(__name__, fromlist=["ask"]), "ask", writing_ask)

    wrong = check("staff", iter([("front:home", get(DENIED))]))

    assert ["front:home: GET / answered 200 , not 403 (refused)",
            "front:home: GET / refused (200) but changed accounts.Role"] == wrong


# -- every URL, model, action and operation has an entry -----------------------------------


def _patterns(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[
        tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (
                p.namespace or namespace)
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns or "")
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield name, route


def _admin_keys() -> set[str]:
    return {key.split(" ")[0] for label, spec in ADMIN_MODELS.items()
            for key, _ in _admin_calls(label, spec)}


def test_every_url_has_an_entry():
    covered = set(SITE) | _admin_keys() | {f"api:{op}" for op in API}
    missing = sorted({name or route for name, route in _patterns(get_resolver().url_patterns)}
                     - covered)

    assert not missing, (
        "These URLs have no entry in tests/test_permissions_matrix.py. Add each to SITE "
        "(keyed by its URL name, or its route if it has none) with the answer of every "
        "persona, e.g.  \"app:name\": [get(DENIED, anonymous=LOGIN, staff=OK)],\n  "
        + "\n  ".join(missing))


def test_every_entry_is_a_url_that_exists():
    names = {name or route for name, route in _patterns(get_resolver().url_patterns)}

    assert [] == sorted(set(SITE) - names), "SITE has entries for URLs that no longer exist"


def test_every_model_in_the_admin_has_an_entry():
    registered = {m._meta.label_lower for m in admin.site._registry}

    assert [] == sorted(registered - set(ADMIN_MODELS)), (
        "These models are in the admin but not in ADMIN_MODELS of "
        "tests/test_permissions_matrix.py: add each, saying what staff may do there, e.g. "
        "\"app.model\": AdminModel(add=True, change=SHOWN, delete=SAVED),")
    assert [] == sorted(set(ADMIN_MODELS) - registered), "ADMIN_MODELS names models no longer there"


def test_every_admin_action_has_an_entry():
    missing = []
    for model, model_admin in admin.site._registry.items():
        spec = ADMIN_MODELS.get(model._meta.label_lower, AdminModel())
        for _, name, _ in model_admin._get_base_actions():
            if name not in spec.actions:
                missing.append(f"{model._meta.label_lower}: {name}")

    assert not missing, (
        "These admin actions have no entry: add each to its model's actions in ADMIN_MODELS "
        "of tests/test_permissions_matrix.py, with its form data and the staff's answer:\n  "
        + "\n  ".join(missing))


def test_every_api_operation_has_an_entry(client, db):
    document = client.get("/api/openapi.json").json()
    operations = {op["operationId"] for item in document["paths"].values()
                  for op in item.values() if isinstance(op, dict) and "operationId" in op}

    assert [] == sorted(operations - set(API)), (
        "These API operations have no entry in API of tests/test_permissions_matrix.py: add "
        "each, keyed by its operationId, with the answer of every persona.")
    assert [] == sorted(set(API) - operations), "API has entries for operations no longer there"


def test_a_missing_entry_is_reported(monkeypatch):
    """The coverage check is real: an entry taken out is reported by name."""
    monkeypatch.delitem(SITE, "core:healthz")

    with pytest.raises(AssertionError) as e:
        test_every_url_has_an_entry()

    assert "core:healthz" in str(e.value)
