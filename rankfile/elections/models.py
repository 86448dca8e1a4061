"""Elections: candidates, the electoral roll and its rules, credentials and ballots.

Ballot secrecy is a property of these models: a ``Ballot`` holds its election,
section, ranking, a random tracker and the day it was cast, under a random
primary key, and nothing that leads to a voter (no foreign key to a person, a
roll entry or a credential; no time finer than the day; no sequential id).
Rules live in ``elections/services``; who may do what in ``elections/access.py``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

# The engine's methods an election may be counted by (rankfile.counting.engine.METHODS).
METHOD_CHOICES = [
    ("irv", "Alternative vote (instant runoff)"),
    ("stv-scottish", "Single transferable vote (Scottish rules)"),
    ("stv-meek", "Single transferable vote (Meek)"),
    ("plurality", "First past the post"),
    ("block", "Block vote"),
]


class Election(models.Model):
    """An election held by a body, counted by one of the engine's methods.

    ``options`` are the engine's options in the form of its groups file
    (``{"groups": {"women": ["Ann", ...]}, "minimum": {"women": 1}}``) plus
    ``seed``. ``sections`` are the membership categories whose results are
    reported separately (``member``, ``registered_supporter`` ...).
    """

    class Status(models.TextChoices):
        NOMINATIONS = "nominations", "Nominations"
        OPEN = "open", "Open for voting"
        CLOSED = "closed", "Closed"
        PUBLISHED = "published", "Result published"

    slug = models.SlugField(max_length=80, unique=True)
    body = models.ForeignKey("branches.Body", on_delete=models.PROTECT, related_name="elections")
    title = models.CharField(max_length=200)
    seats = models.PositiveSmallIntegerField(default=1)
    method = models.CharField(max_length=20, choices=METHOD_CHOICES, default="irv")
    options = models.JSONField(default=dict, blank=True)
    sections = models.JSONField(default=list, blank=True)
    nominations_open_at = models.DateTimeField(null=True, blank=True)
    nominations_close_at = models.DateTimeField(null=True, blank=True)
    ballot_opens_at = models.DateTimeField(null=True, blank=True)
    ballot_closes_at = models.DateTimeField(null=True, blank=True)
    class Trackers(models.TextChoices):
        BESIDE = "beside", "Beside their rankings"
        APART = "apart", "Listed apart from the ballots"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOMINATIONS)
    created_at = models.DateTimeField()
    # How the bulletin shows trackers, chosen by the returning officer before opening:
    # beside each ballot's ranking (a voter can check their ballot's content, and could
    # show it to someone), or in a separate list in random order (a voter can check only
    # that their ballot was counted).
    trackers = models.CharField(max_length=8, choices=Trackers.choices,
                                default=Trackers.BESIDE)

    # The count, kept as published: the engine's JSON result overall and per section,
    # the printable declaration, and the bulletin with its SHA-256 hashes.
    counted_at = models.DateTimeField(null=True, blank=True)
    result_json = models.TextField(blank=True)
    section_results = models.JSONField(default=dict, blank=True)
    declaration_html = models.TextField(blank=True)
    bulletin_blt = models.TextField(blank=True)
    bulletin_blt_sha256 = models.CharField(max_length=64, blank=True)
    bulletin_csv = models.TextField(blank=True)
    bulletin_csv_sha256 = models.CharField(max_length=64, blank=True)
    # With trackers apart: the trackers alone, one a line, sorted by value.
    bulletin_trackers = models.TextField(blank=True)
    bulletin_trackers_sha256 = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "slug")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("elections:detail", args=[self.slug])


class Candidate(models.Model):
    """A candidate: ``id`` is how a ranking names them (the API's ``candidates[].id``)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=200)
    statement = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ("position", "pk")
        constraints = [models.UniqueConstraint(fields=("election", "name"),
                                               name="candidate_unique_name")]

    def __str__(self) -> str:
        return self.name


class RollRules(models.Model):
    """One version of an election's eligibility rules, as data (``elections/rules.py``).

    Frozen once the roll drawn from it is frozen: a change then makes a new version.
    """

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="rule_sets")
    version = models.PositiveSmallIntegerField()
    rules = models.JSONField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    evaluated_at = models.DateTimeField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the rules and of the roll (person, section, in or out) when frozen.
    rules_sha256 = models.CharField(max_length=64, blank=True)
    roll_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("election", "-version")
        verbose_name_plural = "roll rules"
        constraints = [models.UniqueConstraint(fields=("election", "version"),
                                               name="roll_rules_unique_version")]

    def __str__(self) -> str:
        return f"{self.election} rules v{self.version}"


class RollEntry(models.Model):
    """One person's place on (or off) the roll drawn from one version of the rules.

    ``voted_on`` is set, once, by the conditional UPDATE that casting makes in the
    same transaction as it stores the ballot. It is a day, not a time, like the
    ballot's own date: an exact time here could be matched to a ballot's.
    """

    rules = models.ForeignKey(RollRules, on_delete=models.CASCADE, related_name="entries")
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="roll_entries")
    membership = models.ForeignKey("membership.Membership", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    section = models.CharField(max_length=30, blank=True)
    branch = models.ForeignKey("branches.Body", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", db_index=False)
    eligible = models.BooleanField()
    reason = models.TextField()
    # The rule that decided, in a word (rules.REASON_WORDS): what counts by reason group by.
    reason_code = models.CharField(max_length=20, blank=True)
    voted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("rules", "pk")
        verbose_name_plural = "roll entries"
        constraints = [models.UniqueConstraint(fields=("rules", "user"),
                                               name="roll_entry_one_per_person")]
        indexes = [models.Index(fields=("election", "eligible", "section"))]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.user_id}: {'in' if self.eligible else 'out'}"


class Credential(models.Model):
    """A voting code, stored only as HMAC-SHA256 under ``ELECTIONS_CREDENTIAL_KEY``.

    The code itself is made in the sending step, put in the voter's e-mail and
    forgotten. One live (unrevoked) credential per roll entry; reissuing revokes
    the old one.
    """

    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="credentials")
    code_hmac = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("issued_at", "pk")
        constraints = [models.UniqueConstraint(fields=("entry",), condition=Q(revoked_at=None),
                                               name="credential_one_live_per_entry")]

    def __str__(self) -> str:
        return f"credential of {self.entry_id}{' (revoked)' if self.revoked_at else ''}"


class Ballot(models.Model):
    """A ballot in the box. Holds nothing that links it to a voter: see the module doc."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    section = models.CharField(max_length=30, blank=True)
    # Candidate ids, first preference first.
    ranking = models.JSONField()
    tracker = models.CharField(max_length=24, unique=True)
    cast_on = models.DateField()

    class Meta:
        ordering = ("tracker",)

    def __str__(self) -> str:
        return f"ballot {self.tracker}"


class PostalKeying(models.Model):
    """One person's keying of one paper ballot: whose paper (the roll entry) and its ranking.

    A paper is keyed twice, by two different people; when both keyings agree the
    ballot is cast as an online one is (``services/casting.py``: the roll entry
    marked voted and a ``Ballot`` stored with no link to the voter), and when they
    differ a third person keys it and decides. Until then these rows must link a
    voter to a ranking: that is what a second keying is compared with. So they
    live only as long as that: the transaction that casts the ballot deletes every
    keying of the paper, closing the box deletes any left, and a refusal because
    the voter has voted already deletes them too. After a postal ballot is cast
    nothing stored links its voter to it, as after an online one (the audit log
    records who keyed, never whose paper or what it said).
    """

    class Stage(models.IntegerChoices):
        FIRST = 1, "First keying"
        SECOND = 2, "Second keying, different from the first"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="+")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    ranking = models.JSONField()
    keyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    keyed_at = models.DateTimeField()

    class Meta:
        ordering = ("election", "entry", "stage")
        constraints = [
            models.UniqueConstraint(fields=("entry", "stage"), name="postal_keying_one_per_stage"),
            models.UniqueConstraint(fields=("entry", "keyed_by"),
                                    name="postal_keying_once_per_keyer"),
        ]

    def __str__(self) -> str:
        return f"postal keying {self.stage} of {self.entry_id}"


class AuditEntry(models.Model):
    """One step of an election, in a hash chain: each entry's hash covers the one before.

    Written in the transaction of the step it records (``services/audit.py``);
    ``rankfile verify_audit`` recomputes the chain. Never holds a tracker or a code.
    """

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="audit")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    actor = models.CharField(max_length=254)
    details = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("election", "number")
        verbose_name_plural = "audit entries"
        constraints = [models.UniqueConstraint(fields=("election", "number"),
                                               name="audit_entry_unique_number")]

    def __str__(self) -> str:
        return f"{self.election_id} #{self.number} {self.action}"


# -- nominations (services/nominations.py) -------------------------------------------------


class NominationRules(models.Model):
    """How an election's candidates are nominated: the thresholds as its rules write them.

    Each kind of threshold (members, branches, affiliates) is met when the nominee
    has at least ``*_number`` nominations of that kind *and* at least ``*_share``
    per cent of the possible nominators (each only if set); ``combine`` says
    whether one kind met is enough ("either") or every kind set must be ("all").
    ``order_seed`` is drawn once, when the list is confirmed, for a random order.
    """

    class Combine(models.TextChoices):
        EITHER = "either", "Any one of the thresholds is enough"
        ALL = "all", "Every threshold must be met"

    class Order(models.TextChoices):
        FIXED = "fixed", "In ballot-paper order (by surname)"
        RANDOM = "random", "In an order drawn at random, once"

    election = models.OneToOneField(Election, on_delete=models.CASCADE,
                                    related_name="nomination_rules")
    members_number = models.PositiveIntegerField(null=True, blank=True)
    members_share = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    branches_number = models.PositiveIntegerField(null=True, blank=True)
    branches_share = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    affiliates_number = models.PositiveIntegerField(null=True, blank=True)
    affiliates_share = models.DecimalField(max_digits=5, decimal_places=2, null=True,
                                           blank=True)
    combine = models.CharField(max_length=6, choices=Combine.choices, default=Combine.EITHER)
    statement_order = models.CharField(max_length=6, choices=Order.choices,
                                       default=Order.FIXED)
    statement_max_length = models.PositiveIntegerField(default=2000)
    order_seed = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField()
    # Set, once, when the returning officer confirms the validated list.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The possible nominators counted at confirmation (members, branches, affiliates).
    bases = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "nomination rules"

    def __str__(self) -> str:
        return f"nomination rules of {self.election}"


class Nominee(models.Model):
    """A member proposed as a candidate. Counts only once they accept (``consent``).

    ``valid``, ``reason`` and ``counts`` are written when the list is confirmed;
    ``candidate`` is the ballot's candidate made from them then.
    """

    class Consent(models.TextChoices):
        PENDING = "pending", "Not answered yet"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="nominations_received")
    name = models.CharField(max_length=200)
    consent = models.CharField(max_length=10, choices=Consent.choices,
                               default=Consent.PENDING)
    consent_at = models.DateTimeField(null=True, blank=True)
    statement = models.TextField(blank=True)
    created_at = models.DateTimeField()
    valid = models.BooleanField(null=True, blank=True)
    reason = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True)
    statement_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    candidate = models.OneToOneField(Candidate, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="nominee")

    class Meta:
        ordering = ("election", "name", "pk")
        constraints = [models.UniqueConstraint(fields=("election", "user"),
                                               name="nominee_once_per_election")]

    def __str__(self) -> str:
        return f"{self.name} in {self.election_id}"


class MemberNomination(models.Model):
    """A member of the body nominating a nominee. Never shown publicly by name."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE,
                                 related_name="member_nominations")
    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE,
                                related_name="member_nominations")
    nominator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="nominations_made")
    made_at = models.DateTimeField()

    class Meta:
        ordering = ("election", "made_at", "pk")
        constraints = [models.UniqueConstraint(fields=("nominee", "nominator"),
                                               name="member_nominates_nominee_once")]
        indexes = [models.Index(fields=("election", "nominator"))]

    def __str__(self) -> str:
        return f"{self.nominator_id} nominates {self.nominee_id}"


class BodyNomination(models.Model):
    """A branch's or an affiliate's decision to nominate, entered by staff or the
    returning officer with its date and vote. ``record`` names the meeting's record
    (the meetings app links it later)."""

    class Kind(models.TextChoices):
        BRANCH = "branch", "Branch"
        AFFILIATE = "affiliate", "Affiliate"

    election = models.ForeignKey(Election, on_delete=models.CASCADE,
                                 related_name="body_nominations")
    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE,
                                related_name="body_nominations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    branch = models.ForeignKey("branches.Body", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    union = models.ForeignKey("membership.AffiliatedUnion", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    votes_for = models.PositiveIntegerField()
    votes_against = models.PositiveIntegerField()
    abstentions = models.PositiveIntegerField(default=0)
    record = models.CharField(max_length=300, blank=True)
    entered_at = models.DateTimeField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("election", "decided_on", "pk")
        constraints = [
            models.UniqueConstraint(fields=("nominee", "branch"), condition=Q(kind="branch"),
                                    name="branch_nominates_nominee_once"),
            models.UniqueConstraint(fields=("nominee", "union"), condition=Q(kind="affiliate"),
                                    name="affiliate_nominates_nominee_once"),
            models.CheckConstraint(
                condition=(Q(kind="branch", branch__isnull=False, union__isnull=True)
                           | Q(kind="affiliate", union__isnull=False, branch__isnull=True)),
                name="body_nomination_names_its_body"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} nominates {self.nominee_id}"

    @property
    def body_name(self) -> str:
        body = self.branch if self.kind == self.Kind.BRANCH else self.union
        return str(body)
class RollClaim(models.Model):
    """A claim (a person says their own entry is wrong) or an objection (someone on the
    roll says another's entry is wrong), and the returning officer's decision.

    Decided with a reason. An upheld one changes the person's entry; the entry as
    it was and as it became are kept here (``before_*`` and ``after_*``), and
    every later draw of the roll applies the change again (``services/claims.py``).
    """

    class Kind(models.TextChoices):
        CLAIM = "claim", "Claim"
        OBJECTION = "objection", "Objection"

    class Outcome(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Whose entry: the claimant, or the person objected to.
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="roll_claims")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    # The section a claimant says they belong in (a claim only).
    section = models.CharField(max_length=30, blank=True)
    grounds = models.TextField(max_length=3000)
    lodged_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # The amendment an upheld claim made: the roll version it was made on, and the
    # entry before ("" eligible: there was none) and after.
    rules_version = models.PositiveSmallIntegerField(null=True, blank=True)
    before_eligible = models.BooleanField(null=True, blank=True)
    before_section = models.CharField(max_length=30, blank=True)
    before_reason = models.TextField(blank=True)
    after_eligible = models.BooleanField(null=True, blank=True)
    after_section = models.CharField(max_length=30, blank=True)
    after_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("lodged_at", "pk")
        indexes = [models.Index(fields=("election", "outcome"))]

    def __str__(self) -> str:
        return f"{self.kind} on {self.election_id}/{self.person_id}: {self.outcome}"
