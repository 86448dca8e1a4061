"""The demo's payments: offline unless Stripe test keys are set, and a sample bank statement."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from rankfile.membership.services.stripe_provider import stripe_configured

# Lines that pay three of the demo's applicants (one quoting its reference in lower
# case, one without the hyphen), one that pays the wrong amount, a member's standing
# order, an unknown reference, a deposit with none, and money out.
BANK_STATEMENT = Path(__file__).parent / "bank_statement.csv"


def payments_note() -> str:
    """What to tell whoever runs the demo about paying."""
    statement = BANK_STATEMENT.relative_to(settings.BASE_DIR)
    if stripe_configured():
        cards = ("Cards and Direct Debit go through Stripe in test mode: pay with the card "
                 "4242 4242 4242 4242, and forward Stripe's events to "
                 f"{settings.SITE_URL}/payments/stripe/webhook/ (stripe listen --forward-to).")
    else:
        cards = ("Payments are offline only (bank transfer, cheque, cash). To try cards and "
                 "Direct Debit, set STRIPE_SECRET_KEY=sk_test_… and STRIPE_WEBHOOK_SECRET=whsec_… "
                 "(test keys).")
    return (f"{cards}\nA sample bank statement that pays some demo applicants: {statement} "
            "(import it at /staff/payments/statements/ as staff).")
