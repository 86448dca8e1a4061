import os
import subprocess
import sys

import pytest

from rankfile.membership.checks import check_dues, check_stripe


def ids(problems):
    return [p.id for p in problems]


@pytest.mark.parametrize(("key", "secret", "missing"), [
    ("sk_test_abc", "", "STRIPE_WEBHOOK_SECRET is missing"),
    ("", "whsec_abc", "STRIPE_SECRET_KEY is missing"),
])
def test_it_says_what_is_missing_from_a_half_set_up_stripe(settings, key, secret, missing):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = key, secret

    [problem] = check_stripe(None)

    assert missing in problem.msg and "rankfile.E101" == problem.id


def test_it_is_quiet_about_stripe_set_up_or_not_at_all(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "", ""
    assert [] == check_stripe(None)
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_1", "whsec_1"
    assert [] == check_stripe(None)


def test_it_takes_no_real_money_outside_production(settings):
    from rankfile.membership.services.stripe_provider import stripe_configured

    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_live_1", "whsec_1"

    assert ["rankfile.W109"] == ids(check_stripe(None))
    assert not stripe_configured()
    settings.STRIPE_SECRET_KEY = "sk_test_1"
    assert stripe_configured()


def test_it_spots_keys_pasted_in_the_wrong_places(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "pk_live_1", "sk_live_1"
    settings.STRIPE_PAYMENT_METHODS = ["card", "paypal"]

    assert ["rankfile.E102", "rankfile.E103", "rankfile.E105"] == ids(check_stripe(None))


@pytest.mark.parametrize(("notice", "arrears", "lapse"), [(0, 60, 240), (14, 10, 240),
                                                          (14, 60, 60), (14, 60, 70)])
def test_it_refuses_dues_rules_that_do_not_add_up(settings, notice, arrears, lapse):
    settings.DUES_NOTICE_DAYS = notice
    settings.DUES_ARREARS_AFTER_DAYS, settings.DUES_LAPSE_AFTER_DAYS = arrears, lapse

    assert 1 == len(check_dues(None))


def test_it_fails_the_deploy_check_on_a_half_set_up_stripe():
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"RANKFILE_MODE": "production", "ALLOWED_HOSTS": "members.example.org",
                "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-1234567890",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "STRIPE_SECRET_KEY": "sk_live_abc"})

    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], env=env,
                            capture_output=True, text=True, timeout=120)

    assert 0 != result.returncode
    assert "STRIPE_WEBHOOK_SECRET is missing" in result.stderr
