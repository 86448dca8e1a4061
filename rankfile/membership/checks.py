"""System checks of the payments and dues settings: a half-configured Stripe says what is missing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

STRIPE_METHODS = ("card", "bacs_debit")


@register()
def check_stripe(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Stripe needs both keys, of the right kinds, and payment methods it knows."""
    key, secret = settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET
    problem = Error if settings.PRODUCTION else Warning
    found: list[CheckMessage] = []
    if bool(key) != bool(secret):
        missing = "STRIPE_WEBHOOK_SECRET" if key else "STRIPE_SECRET_KEY"
        found.append(problem(
            f"Stripe is half set up: {missing} is missing, so card and Direct Debit "
            "payments are not offered.",
            hint="Set STRIPE_SECRET_KEY (sk_live_… or rk_live_…, from Stripe's Developers > API "
                 "keys) and STRIPE_WEBHOOK_SECRET (whsec_…, shown when you add the endpoint "
                 f"{settings.SITE_URL}/payments/stripe/webhook/ in Stripe), or neither.",
            id="rankfile.E101"))
    if key and not key.startswith(("sk_", "rk_")):
        found.append(problem("STRIPE_SECRET_KEY is not a Stripe secret key (sk_… or rk_…).",
                             hint="Copy the secret key, not the publishable one (pk_…).",
                             id="rankfile.E102"))
    if secret and not secret.startswith("whsec_"):
        found.append(problem("STRIPE_WEBHOOK_SECRET is not a webhook signing secret (whsec_…).",
                             hint="Copy it from the webhook endpoint's page in Stripe.",
                             id="rankfile.E103"))
    if not settings.PRODUCTION and key.startswith(("sk_live_", "rk_live_")):
        found.append(Warning("STRIPE_SECRET_KEY is a live key outside production: Stripe is not "
                             "offered, so that no real money is taken here.",
                             hint="Use a test key (sk_test_…) in development and the demo.",
                             id="rankfile.W109"))
    if settings.PRODUCTION and key.startswith(("sk_test_", "rk_test_")):
        found.append(Warning("STRIPE_SECRET_KEY is a test key: no real money is taken.",
                             hint="Use the live key in production.", id="rankfile.W104"))
    unknown = [m for m in settings.STRIPE_PAYMENT_METHODS if m not in STRIPE_METHODS]
    if unknown or not settings.STRIPE_PAYMENT_METHODS:
        found.append(Error(f"STRIPE_PAYMENT_METHODS must list card, bacs_debit or both, not "
                           f"{', '.join(unknown) or 'nothing'}.", id="rankfile.E105"))
    if not 60 <= settings.STRIPE_WEBHOOK_TOLERANCE <= 3600:
        found.append(Error("STRIPE_WEBHOOK_TOLERANCE must be between 60 and 3600 seconds.",
                           hint="Stripe's own default is 300: an older event is a replay.",
                           id="rankfile.E106"))
    return found


@register()
def check_dues(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The dues rules must make sense: a notice before arrears, arrears before lapse."""
    notice = settings.DUES_NOTICE_DAYS
    arrears, lapse = settings.DUES_ARREARS_AFTER_DAYS, settings.DUES_LAPSE_AFTER_DAYS
    if not 1 <= notice < arrears < lapse:
        return [Error(
            f"The dues rules do not add up: DUES_NOTICE_DAYS={notice}, "
            f"DUES_ARREARS_AFTER_DAYS={arrears}, DUES_LAPSE_AFTER_DAYS={lapse}.",
            hint="Each must be greater than the one before, the notice at least a day, and "
                 "the lapse more than the notice after arrears.",
            id="rankfile.E107")]
    if lapse - arrears <= notice:
        return [Error("DUES_LAPSE_AFTER_DAYS must leave more than DUES_NOTICE_DAYS after "
                      "DUES_ARREARS_AFTER_DAYS, for the reminder before lapsing.",
                      id="rankfile.E108")]
    return []
