"""Membership: categories and their joining windows, memberships with their
status history, and payments.

Rules live in ``membership/services.py``; these models only hold the facts.
Money is in integer pence. Times are aware (Europe/London in display).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Category(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        AFFILIATED_SUPPORTER = "affiliated_supporter", "Affiliated supporter"
        REGISTERED_SUPPORTER = "registered_supporter", "Registered supporter"

    kind = models.CharField(max_length=30, choices=Kind.choices, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(default=14)
    # Members may join at any time; supporters only through an open window.
    needs_window = models.BooleanField(default=False)
    # Rights this category carries (read by later parts: meetings, elections).
    may_vote_in_meetings = models.BooleanField(default=False)
    may_vote_in_leadership = models.BooleanField(default=True)
    may_hold_office = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.name


class Rate(models.Model):
    """A dues rate of a category (standard, reduced ...)."""

    class Period(models.TextChoices):
        MONTHLY = "monthly", "per month"
        YEARLY = "yearly", "per year"

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="rates")
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    amount_pence = models.PositiveIntegerField()
    period = models.CharField(max_length=10, choices=Period.choices, default=Period.MONTHLY)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("category", "-amount_pence")
        constraints = [models.UniqueConstraint(fields=("category", "code"), name="unique_rate_code")]

    def __str__(self) -> str:
        return f"{self.name} (£{self.amount_pence / 100:.2f} {self.get_period_display()})"


class JoiningWindow(models.Model):
    """A time-limited window through which a category may be joined, with its fee."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="windows")
    name = models.CharField(max_length=100)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    fee_pence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("opens_at",)
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="window_closes_after_opening")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.name}"


class AffiliatedUnion(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One person's membership in one category, from application onwards.

    ``status`` is only ever changed by ``membership.services`` which writes a
    ``StatusChange`` in the same transaction: the history is complete.
    ``joined_on`` is the day it first became active; ``good_standing_since`` the
    day the current unbroken run of good standing (active or in arrears) began.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        ACTIVE = "active", "Active"
        IN_ARREARS = "in_arrears", "In arrears"
        LAPSED = "lapsed", "Lapsed"
        SUSPENDED = "suspended", "Suspended"
        EXPELLED = "expelled", "Expelled"
        RESIGNED = "resigned", "Resigned"
        EXPIRED = "expired", "Expired (never paid)"

    reference = models.CharField(max_length=12, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    # Indexes cost every sign-up a page write each. These foreign keys have none of
    # their own: category and branch lead the composite indexes below, and window,
    # rate and union are a handful of rows that are looked up, never scanned for.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="memberships",
                                 db_index=False)
    window = models.ForeignKey(JoiningWindow, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="memberships", db_index=False)
    rate = models.ForeignKey(Rate, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="memberships", db_index=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED)

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8)
    ward = models.ForeignKey("branches.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("branches.Body", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="memberships", db_index=False)
    constituency = models.ForeignKey("branches.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The joiner said the postcode is missing from our list: staff place it by hand.
    needs_placement = models.BooleanField(default=False)

    union = models.ForeignKey(AffiliatedUnion, null=True, blank=True, on_delete=models.PROTECT,
                              db_index=False)
    union_number = models.CharField(max_length=40, blank=True)
    # Set when the union's list confirmed the number (affiliated supporters only).
    union_verified_at = models.DateTimeField(null=True, blank=True)

    class Vetting(models.TextChoices):
        PENDING = "pending", "Awaiting vetting"
        APPROVED = "approved", "Approved in vetting"
        REJECTED = "rejected", "Rejected in vetting"

    # The outcome of vetting (the decisions, with reasons, are kept apart).
    # Electoral rolls read it: a supporter counts only once approved.
    vetting = models.CharField(max_length=10, choices=Vetting.choices, default=Vetting.PENDING)

    fee_pence = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    joined_on = models.DateField(null=True, blank=True)
    good_standing_since = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)

    consent_version = models.CharField(max_length=20)
    consent_at = models.DateTimeField()

    # Retried or double-clicked submissions carry the same key: one application.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    # The confirmation e-mail is still to be queued: set by the sign-up, in its own
    # INSERT; the worker queues the e-mail and clears it (membership.tasks).
    confirmation_due = models.BooleanField(default=False)

    class Meta:
        ordering = ("-applied_at",)
        indexes = [
            # Only the rows the worker has still to see: empty between surges.
            models.Index(fields=("id",), name="membership_confirmation_due",
                         condition=models.Q(confirmation_due=True)),
            models.Index(fields=("category", "status")),
            models.Index(fields=("branch", "status")),
            models.Index(fields=("status", "expires_at")),
            # The public counter counts people only once they confirmed their address.
            models.Index(fields=("category", "status"), name="membership_confirmed_counts",
                         condition=models.Q(email_confirmed_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RepeatApplication(models.Model):
    """An application made with an e-mail address that already has a login.

    The person applying is answered exactly as a new applicant (so that nobody
    learns whose address it is); this row is what that answer refers to: its
    references are real, so staff can find them, and the address's owner is
    e-mailed what happens next. It counts in the public "applications
    received" like any application.
    """

    reference = models.CharField(max_length=12, unique=True)
    payment_reference = models.CharField(max_length=16, unique=True, null=True, blank=True)
    amount_pence = models.PositiveIntegerField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="repeat_applications", db_index=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    # The status the answer showed, as a new application would have had.
    status = models.CharField(max_length=20, choices=Membership.Status.choices)
    applied_at = models.DateTimeField(db_index=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    # The notice to the address's owner is still to be queued (as Membership's
    # confirmation_due: the same work for a known address as for a new one).
    notice_due = models.BooleanField(default=False)

    class Meta:
        ordering = ("-applied_at",)
        indexes = [
            models.Index(fields=("id",), name="repeat_notice_due",
                         condition=models.Q(notice_due=True)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} (repeat application by {self.user_id})"


# In good standing: active, or in arrears while catching up. Such a member
# comments as a member, wears their category's badge and counts towards
# "continuously in good standing" rules. Defined here only; import it.
GOOD_STANDING: frozenset[str] = frozenset({Membership.Status.ACTIVE, Membership.Status.IN_ARREARS})


class StatusChange(models.Model):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Membership.Status.choices)
    at = models.DateTimeField()
    # Read from the row, never searched by: no index to update on every sign-up.
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", db_index=False)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.from_status or '—'} → {self.to_status}"

    def get_from_status_display(self) -> str:
        """The earlier status in words ("" for the first row)."""
        if self.from_status in Membership.Status.values:
            return str(Membership.Status(self.from_status).label)
        return self.from_status


class BranchChange(models.Model):
    """A move between branches (address change or boundary change), kept as history."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="branch_history")
    from_branch = models.ForeignKey("branches.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey("branches.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_postcode = models.CharField(max_length=8, blank=True)
    to_postcode = models.CharField(max_length=8, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.from_branch_id} → {self.to_branch_id}"


class Payment(models.Model):
    """Money owed or received for a membership: a joining fee, dues, or a supporter's fee.

    ``provider`` says who takes the money: ``offline`` (cash, cheque or bank
    transfer, recorded by staff or from a bank statement) or ``stripe`` (card
    or Bacs Direct Debit, recorded from Stripe's webhook). ``periods`` is how
    many dues periods of the membership's rate it pays for (None for a fee that
    is not dues); arrears are worked out from it (``services/dues.py``).
    """

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        CHEQUE = "cheque", "Cheque"
        BANK = "bank", "Bank transfer"
        CARD = "card", "Card"
        DIRECT_DEBIT = "bacs", "Direct Debit"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=30, default="offline")
    # What the payer quotes (bank reference, cheque memo) so staff can match it.
    reference = models.CharField(max_length=20, unique=True)
    amount_pence = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    # The provider's id for the money taken (Stripe: the PaymentIntent, or the invoice).
    external_id = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    receipt_number = models.CharField(max_length=20, blank=True)
    # Nullable, so a sign-up's INSERT writes NULL for them rather than a parameter each
    # (core/db.py: psycopg caches the conversion of statements of up to 50 parameters).
    periods = models.PositiveSmallIntegerField(null=True, blank=True)
    # The card's (or bank account's) fingerprint as Stripe reports it: the same card
    # used by two applicants is how duplicate detection spots one person twice.
    card_fingerprint = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("card_fingerprint",), name="payment_fingerprint",
                         condition=Q(card_fingerprint__isnull=False)),
        ]
        constraints = [
            # One row per sum taken by a provider: an invoice or a charge is recorded once.
            models.UniqueConstraint(fields=("provider", "external_id"),
                                    name="payment_unique_external_id",
                                    condition=~Q(external_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} £{self.amount_pence / 100:.2f} {self.status}"


class CheckoutSession(models.Model):
    """A Stripe Checkout session opened for a payment (or to set up monthly dues).

    Kept so that a second click reuses an open session instead of opening a
    second one that could be paid as well.
    """

    class Mode(models.TextChoices):
        PAYMENT = "payment", "One payment"
        SUBSCRIPTION = "subscription", "Monthly or yearly dues"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETE = "complete", "Complete"
        EXPIRED = "expired", "Expired"

    session_id = models.CharField(max_length=255, unique=True)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="checkout_sessions")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="checkout_sessions")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.PAYMENT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    url = models.URLField(max_length=2000)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.session_id} ({self.status})"


class StripeSubscription(models.Model):
    """A member's recurring dues through Stripe (a Bacs Direct Debit mandate or a card)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    subscription_id = models.CharField(max_length=255, unique=True)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="stripe_subscriptions")
    customer_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.subscription_id} ({self.status})"


class StripeEvent(models.Model):
    """A Stripe webhook event that was applied (or deliberately ignored): never again.

    Written in the same transaction as the change the event made, so an event
    delivered twice, or replayed, finds its id here and changes nothing.
    """

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField()
    livemode = models.BooleanField(default=False)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False)
    outcome = models.CharField(max_length=300)

    class Meta:
        ordering = ("-received_at",)

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}: {self.outcome}"


class Refund(models.Model):
    """The return of a paid payment, in full: through Stripe, or by hand (``manual``).

    One per payment. A Stripe refund is ``requested`` when staff (or a rejected
    application) ask for it, ``pending`` once Stripe has it, and ``succeeded``
    or ``failed`` when Stripe says so; a manual refund is recorded as
    ``succeeded`` by the staff member who returned the money.
    """

    class Provider(models.TextChoices):
        STRIPE = "stripe", "Through Stripe"
        MANUAL = "manual", "By hand (bank transfer, cheque or cash)"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PENDING = "pending", "Sent, awaiting the provider"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed"

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="refund")
    amount_pence = models.PositiveIntegerField()
    provider = models.CharField(max_length=10, choices=Provider.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=300)
    external_id = models.CharField(max_length=100, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-requested_at",)

    def __str__(self) -> str:
        return f"Refund of {self.payment_id}: {self.status}"


class BankStatement(models.Model):
    """A bank statement imported by staff; its lines say what each one became."""

    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-imported_at",)

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%Y-%m-%d})"


class BankLine(models.Model):
    """One line of an imported statement and how it was reconciled.

    ``key`` identifies the transaction across statements (date, amount,
    description and its place among identical lines), so a line in two
    overlapping statements is recorded once.
    """

    class Outcome(models.TextChoices):
        MATCHED = "matched", "Matched and recorded"
        AMBIGUOUS = "ambiguous", "Ambiguous: decide by hand"
        UNMATCHED = "unmatched", "Unmatched: no known reference"
        SKIPPED = "skipped", "Not a payment to reconcile"

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField()
    key = models.CharField(max_length=64, unique=True)
    date = models.DateField()
    description = models.CharField(max_length=300)
    amount_pence = models.IntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.CharField(max_length=300, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="bank_lines")

    class Meta:
        ordering = ("statement", "row")

    def __str__(self) -> str:
        return f"{self.statement_id} row {self.row}: {self.outcome}"


class DuesReminder(models.Model):
    """A reminder sent before a member moves into arrears or lapses: once per step and debt.

    ``due_on`` is the day the oldest unpaid period fell due; a member who
    catches up and falls behind again owes a new debt and gets new reminders.
    """

    class Step(models.TextChoices):
        ARREARS = "in_arrears", "Before going into arrears"
        LAPSE = "lapsed", "Before lapsing"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="dues_reminders")
    step = models.CharField(max_length=20, choices=Step.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ("sent_at",)
        constraints = [models.UniqueConstraint(fields=("membership", "step", "due_on"),
                                               name="one_reminder_per_step_and_debt")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.step} {self.due_on}"


class RecordAccess(models.Model):
    """One look at a member's record by an officer: a page, an export or an API call.

    Written for refusals too (an officer asking for a member outside their
    scope, or a reference that does not exist). ``by_id`` and ``membership_id``
    are plain numbers rather than foreign keys, so erasing a person leaves the
    log whole and verifiable (issue 9 section 8 pseudonymises them); ``reference``
    is what was asked for, as typed, cut to its column.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Opened the record"
        EXPORT = "export", "Exported in a CSV file"
        API = "api", "Read through the API"

    at = models.DateTimeField(db_index=True)
    by_id = models.BigIntegerField(db_index=True)
    membership_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reference = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    purpose = models.CharField(max_length=200)
    allowed = models.BooleanField()

    class Meta:
        ordering = ("-at", "-pk")
        verbose_name = "access to a member's record"
        verbose_name_plural = "accesses to members' records"

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "refused"
        return f"{self.at:%Y-%m-%d %H:%M} user {self.by_id} {self.action} {self.reference} {verdict}"
