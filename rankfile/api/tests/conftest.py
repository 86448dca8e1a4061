"""Fixtures for the API tests: what one may join, and a JSON client."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rankfile.membership.models import AffiliatedUnion, Category, JoiningWindow, Rate


@pytest.fixture
def offers(area):
    """Members (two rates), affiliated supporters (Unite), and an open £25 supporters' window."""
    now = timezone.now()
    member = Category.objects.create(kind="member", name="Member", minimum_age=14)
    Rate.objects.create(category=member, code="standard", name="Standard", amount_pence=450)
    Category.objects.create(kind="affiliated_supporter", name="Affiliated supporter",
                            minimum_age=16)
    supporter = Category.objects.create(kind="registered_supporter", name="Registered supporter",
                                        minimum_age=18, needs_window=True)
    AffiliatedUnion.objects.create(code="unite", name="Unite")
    return JoiningWindow.objects.create(
        category=supporter, name="the summer window", fee_pence=2500,
        opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=47),
    )


def application(**changes: Any) -> dict[str, Any]:
    """A registered supporter living in the Chingford branch, changed by ``changes``."""
    body = {
        "category": "registered_supporter", "first_name": "Ada", "last_name": "Joiner",
        "email": "ada@example.org", "postcode": "e4 7aa", "date_of_birth": "1980-05-17",
        "consent": True,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


class JsonClient(Client):
    def join(self, body: Any, *, key: str | None = "key-1", raw: bytes | None = None):
        headers = {} if key is None else {"Idempotency-Key": key}
        data = raw if raw is not None else json.dumps(body)
        return self.post("/api/join", data, content_type="application/json", headers=headers)


@pytest.fixture
def api_client():
    return JsonClient()
