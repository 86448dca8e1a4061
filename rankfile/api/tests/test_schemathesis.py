"""A short schemathesis run over /api/openapi.json: every operation, fed what its
schema allows and much it does not, answers without a 5xx.

Deterministic (derandomised, no example database) and small (``max_examples``), so
it costs seconds in ``make test``; ``make test-deep`` explores further by profile.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from rankfile.membership.tests.join_helpers import make_offers

MAX_EXAMPLES = 30


@pytest.fixture
def api_schema(db, staff, settings):
    """The API's own schema, over the WSGI app in this test's database; rate limits off
    so that every generated case reaches the endpoint."""
    settings.RATELIMIT_ENABLE = False
    make_offers()
    # As Django's test client does: a request must not close the test's connection
    # (on PostgreSQL it would, being inside the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(staff):
    from rankfile.accounts.services import api_token_create

    return api_token_create(user=staff, name="schemathesis")[1]


def test_no_operation_answers_a_server_error(api_schema, token):
    """Each operation in turn (the Python API: pytest's plugin hook does not suit this
    pytest), with examples generated from the schema, valid and not."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {"join", "stats", "member"} <= {o.definition.raw.get("operationId")
                                          for o in operations}

    answered: dict[str, set[int]] = {}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        def answers_without_a_5xx(case: Any) -> None:
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
            answered.setdefault(case.operation.label, set()).add(response.status_code)

        answers_without_a_5xx()

    # Each operation was reached and answered, none with a 5xx (checked case by case).
    assert len(operations) == len(answered)
    assert 200 in answered["GET /api/stats"]
