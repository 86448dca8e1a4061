"""Meetings of a body (branch, constituency or group): notice, replies, groups' members.

Who belongs to a body for a meeting: for a branch or a constituency, the
memberships placed there; for a group, the people who joined it
(``GroupMember``). Only those in good standing get notice and take part.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class Majority(models.TextChoices):
    SIMPLE = "simple", "Simple majority of votes cast"
    TWO_THIRDS = "two_thirds", "Two-thirds of votes cast"
    ABSOLUTE = "absolute", "Absolute majority of voting members present"


class MeetingRules(models.Model):
    """A body's standing orders for its meetings; a body without a row uses the defaults."""

    body = models.OneToOneField("branches.Body", on_delete=models.CASCADE, related_name="meeting_rules")
    notice_days = models.PositiveSmallIntegerField(default=7)
    # Voting members present for the meeting to be quorate.
    quorum = models.PositiveSmallIntegerField(default=5)
    majority = models.CharField(max_length=20, choices=Majority.choices, default=Majority.SIMPLE)
    # Procedural questions (taking an emergency motion) need this majority.
    procedural_majority = models.CharField(max_length=20, choices=Majority.choices,
                                           default=Majority.SIMPLE)

    class Meta:
        verbose_name_plural = "meeting rules"

    def __str__(self) -> str:
        return f"Meeting rules of {self.body}"


class GroupMember(models.Model):
    """``user`` joined the group ``group`` (a body of kind group) at ``joined_at``."""

    group = models.ForeignKey("branches.Body", on_delete=models.CASCADE, related_name="group_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="group_memberships")
    joined_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=("group", "user"), name="one_join_per_group")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        CALLED = "called", "Called"
        OPEN = "open", "In session"
        CLOSED = "closed", "Closed"

    body = models.ForeignKey("branches.Body", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True)
    agenda = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CALLED)
    # Motions must arrive before this; later ones only as emergency motions.
    motions_deadline = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    called_at = models.DateTimeField()
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    # The notice went out with fewer days than the body's rules require.
    short_notice = models.BooleanField(default=False)
    # Open to the public (a group's rally): a public page, a calendar file, guests sign up.
    is_public = models.BooleanField("Open to the public", default=False)

    class Meta:
        ordering = ("starts_at",)
        indexes = [models.Index(fields=("body", "starts_at"))]

    def __str__(self) -> str:
        return f"{self.title} ({self.body}, {self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("meetings:public", args=[self.pk])


class Reply(models.Model):
    """A member's answer to a notice: coming, or apologies."""

    class Answer(models.TextChoices):
        COMING = "coming", "I'm coming"
        APOLOGIES = "apologies", "Apologies"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="replies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "replies"
        constraints = [models.UniqueConstraint(fields=("meeting", "user"), name="one_reply_per_member")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_answer_display()} to {self.meeting}"


class Motion(models.Model):
    """A motion to a meeting; ``text`` is its current text (as amended so far)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "On the agenda"
        # An emergency motion waits for the meeting's procedural vote.
        AWAITING_ADMISSION = "awaiting", "Emergency motion: awaiting the meeting's decision"
        NOT_TAKEN = "not_taken", "Not taken (the meeting refused the emergency)"
        CARRIED = "carried", "Carried"
        LOST = "lost", "Lost"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="motions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seconder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField()
    is_emergency = models.BooleanField(default=False)
    urgency_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # The motion to approve an earlier meeting's minutes, put by the secretary.
    approves = models.ForeignKey("Minutes", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="approval_motions")

    class Meta:
        ordering = ("meeting", "number")
        constraints = [models.UniqueConstraint(fields=("meeting", "number"),
                                               name="one_motion_number_per_meeting")]

    def __str__(self) -> str:
        return f"Motion {self.number}: {self.title}"

    @property
    def is_open_to_amendment(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.AWAITING_ADMISSION)


class Amendment(models.Model):
    class Kind(models.TextChoices):
        DELETE = "delete", "Delete"
        INSERT = "insert", "Insert"
        REPLACE = "replace", "Replace"

    class Status(models.TextChoices):
        PENDING = "pending", "To be taken"
        CARRIED = "carried", "Carried"
        LOST = "lost", "Lost"

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # DELETE and REPLACE: the words changed; INSERT: the words after which to insert
    # (empty: at the end).
    target = models.TextField(blank=True)
    new_text = models.TextField(blank=True)
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seconder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ("motion", "number")
        constraints = [models.UniqueConstraint(fields=("motion", "number"),
                                               name="one_amendment_number_per_motion")]

    def __str__(self) -> str:
        return f"Amendment {self.number} to {self.motion}"

    def describe(self) -> str:
        if self.kind == self.Kind.DELETE:
            return f"Delete “{self.target}”."
        if self.kind == self.Kind.REPLACE:
            return f"Replace “{self.target}” with “{self.new_text}”."
        where = f"after “{self.target}”" if self.target else "at the end"
        return f"Insert “{self.new_text}” {where}."


class MotionVersion(models.Model):
    """Every text a motion had: as submitted, then after each amendment carried."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    amendment = models.ForeignKey(Amendment, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ("motion", "number")
        constraints = [models.UniqueConstraint(fields=("motion", "number"),
                                               name="one_version_number_per_motion")]

    def __str__(self) -> str:
        return f"{self.motion}, version {self.number}"


class Attendance(models.Model):
    """Someone at the meeting: a member (``membership``) or a guest (``guest_name``).

    ``checked_out_at`` is set when they leave, so "present" stays true; coming
    back clears it. One row per member and meeting (a unique constraint), so
    two tellers checking the same person in at once make one row.
    """

    class Standing(models.TextChoices):
        VOTING = "voting", "Voting member of this body"
        OTHER_BODY = "other_body", "Member of another body: may attend, may not vote"
        NOT_VOTING = "not_voting", "Not a voting member (lapsed, suspended or a supporter)"
        GUEST = "guest", "Guest"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey("membership.Membership", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    guest_name = models.CharField(max_length=200, blank=True)
    standing = models.CharField(max_length=12, choices=Standing.choices)
    reason = models.CharField(max_length=300, blank=True)
    checked_in_at = models.DateTimeField()
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                      related_name="+")
    checked_out_at = models.DateTimeField(null=True, blank=True)
    # A guest who signed up on the public page, checked in from the door's list.
    guest = models.ForeignKey("meetings.Guest", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("meeting", "membership"),
                                               condition=models.Q(membership__isnull=False),
                                               name="one_attendance_per_member"),
                       models.UniqueConstraint(fields=("meeting", "guest"),
                                               condition=models.Q(guest__isnull=False),
                                               name="one_attendance_per_guest")]
        indexes = [models.Index(fields=("meeting", "standing", "checked_out_at"))]

    def __str__(self) -> str:
        return f"{self.guest_name or self.membership} at {self.meeting}"


class Question(models.Model):
    """One question put to the meeting: admit an emergency motion, an amendment, a motion.

    ``voting_present`` and ``quorum`` are recorded when it is put, and never change.
    """

    class Kind(models.TextChoices):
        ADMIT_EMERGENCY = "admit", "Take the emergency motion"
        AMENDMENT = "amendment", "Amendment"
        MOTION = "motion", "Motion"

    class Method(models.TextChoices):
        HANDS = "hands", "Show of hands"
        SECRET = "secret", "Secret electronic vote"
        CARD = "card", "Card vote"

    class Status(models.TextChoices):
        OPEN = "open", "Voting"
        CLOSED = "closed", "Closed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="questions")
    amendment = models.ForeignKey(Amendment, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="questions")
    # The text put to the vote, as it stood when the question was put.
    text = models.TextField()
    method = models.CharField(max_length=10, choices=Method.choices)
    majority = models.CharField(max_length=20, choices=Majority.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    voting_present = models.PositiveIntegerField()
    quorum = models.PositiveIntegerField()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Votes, or for a card vote the cards' weights added up (a card may weigh 12,000).
    votes_for = models.PositiveBigIntegerField(null=True, blank=True)
    votes_against = models.PositiveBigIntegerField(null=True, blank=True)
    abstentions = models.PositiveBigIntegerField(null=True, blank=True)
    carried = models.BooleanField(null=True, blank=True)
    # Said in the record when the figures entered exceed the voting members present.
    warning = models.CharField(max_length=300, blank=True)
    # A card vote: the weight of the cards whose holders were present when it was put
    # (an absolute majority is of that), and the number of cards cast when it closed.
    weight_present = models.PositiveBigIntegerField(null=True, blank=True)
    cards_cast = models.PositiveIntegerField(null=True, blank=True)
    # A recount of a contested result by a second method; the recount's result stands.
    recount_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="recount")

    class Meta:
        ordering = ("meeting", "opened_at", "pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.motion}"

    @property
    def quorate(self) -> bool:
        return self.voting_present >= self.quorum

    @property
    def figures(self) -> str:
        """The result's figures in words; a card vote's are the cards' weights added up."""
        if self.status != self.Status.CLOSED:
            return ""
        if self.method == self.Method.CARD:
            return (f"{self.votes_for or 0:,} for, {self.votes_against or 0:,} against, "
                    f"{self.abstentions or 0:,} abstentions (cards' weights), "
                    f"{self.cards_cast or 0} card{'' if self.cards_cast == 1 else 's'} cast")
        return f"{self.votes_for} for, {self.votes_against} against, {self.abstentions} abstentions"

    @property
    def superseded(self) -> bool:
        """Whether a recount replaced this result (the recount's result stands)."""
        try:
            return self.recount is not None
        except Question.DoesNotExist:
            return False


class VoteMark(models.Model):
    """``user`` has voted on ``question``: it says that, never how."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("question", "user"), name="one_vote_each")]

    def __str__(self) -> str:
        return f"{self.user} voted on {self.question}"


class SecretVote(models.Model):
    """One vote, with no link to who cast it: no user, no time, a random key."""

    class Choice(models.TextChoices):
        FOR = "for", "For"
        AGAINST = "against", "Against"
        ABSTAIN = "abstain", "Abstain"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="secret_votes")
    choice = models.CharField(max_length=10, choices=Choice.choices)

    def __str__(self) -> str:
        return f"A vote on {self.question}"


class Card(models.Model):
    """A delegate's card: ``holder`` casts ``weight`` votes for ``casts_for`` (an affiliate,
    a branch) in the meeting's card votes. Set up by the secretary before the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="cards")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    casts_for = models.CharField(max_length=200)
    weight = models.PositiveIntegerField()
    added_at = models.DateTimeField()

    class Meta:
        ordering = ("meeting", "casts_for")
        constraints = [models.UniqueConstraint(fields=("meeting", "casts_for"),
                                               name="one_card_per_organisation")]

    def __str__(self) -> str:
        return f"Card of {self.casts_for} ({self.weight}) at {self.meeting}"


class CardVote(models.Model):
    """How one card was cast on one question. Card votes are not secret: the record
    says how each card voted, and who entered it (the holder or a teller)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="card_votes")
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=10, choices=SecretVote.Choice.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ("question", "card__casts_for")
        constraints = [models.UniqueConstraint(fields=("question", "card"),
                                               name="one_vote_per_card")]

    def __str__(self) -> str:
        return f"{self.card.casts_for}: {self.get_choice_display()} on {self.question}"


class Minutes(models.Model):
    """The minutes: generated from the record, edited by the secretary, published, then
    approved by the body's next meeting (a motion there carrying ``approval``)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField()
    generated_at = models.DateTimeField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when the motion to approve them carries at a later meeting of the body.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"


class Guest(models.Model):
    """Someone who signed up on a public meeting's page: expected at the door as a guest.

    Nothing here says whether the address belongs to a member: sign-up never
    looks. ``consent_to_contact`` is the answer given to ``consent_wording``
    (recorded as shown) at ``signed_up_at``; signing up again replaces both.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    consent_to_contact = models.BooleanField()
    consent_wording = models.TextField()
    signed_up_at = models.DateTimeField()

    class Meta:
        ordering = ("meeting", "name")
        constraints = [models.UniqueConstraint(fields=("meeting", "email"),
                                               name="one_sign_up_per_address")]

    def __str__(self) -> str:
        return f"{self.name} (guest at {self.meeting})"
