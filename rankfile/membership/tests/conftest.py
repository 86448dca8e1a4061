"""Fixtures for the payment tests: Stripe set up with test keys, answered offline."""

import pytest

from rankfile.membership.services import stripe_provider
from rankfile.membership.tests.stripe_helpers import SECRET_KEY, WEBHOOK_SECRET, FakeStripe


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    """Stripe configured with test keys; every request answered by a ``FakeStripe``."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(stripe_provider, "http_client", lambda: fake)
    return fake
