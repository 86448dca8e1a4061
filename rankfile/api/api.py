"""The HTTP API: joining, the live counters, and members for staff.

Endpoints only translate: they call one service or selector, and every
refusal becomes ``{"error": {"code", "message", "field"}}`` with its status.
The OpenAPI description is served at /api/openapi.json.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Header, NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from rankfile.accounts.models import ApiToken as Token
from rankfile.api.elections import router as elections_router
from rankfile.api.schemas import (
    ErrorOut,
    JoinIn,
    JoinOut,
    MemberOut,
    StatsOut,
    error_body,
    validation_message,
)
from rankfile.core.errors import Refusal
from rankfile.core.net import rate_limit
from rankfile.membership.models import RecordAccess
from rankfile.membership.services.joining import (
    JoinData,
    JoinResult,
    membership_apply,
    payment_instructions,
)
from rankfile.membership.services.records import member_record_open
from rankfile.membership.stats import stats_get_json

# Public joining, as the form: the same "join" bucket, so using both doubles nothing.
JOIN_LIMIT = 30
JOIN_LIMIT_SECONDS = 600


class ApiToken(HttpBearer):
    """``Authorization: Bearer rf_…``: a token an officer created on their account page.

    ``request.auth`` is the ``accounts.models.ApiToken``: its ``user`` acts under
    its ``role`` only."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from rankfile.accounts.services import api_token_authenticate

        return api_token_authenticate(token)


class TokenRequest(HttpRequest):
    """A request that ``ApiToken`` let in: ninja sets ``auth`` to what it returned."""

    auth: Token


class ObjectParser(Parser):
    """JSON bodies must be objects; anything else is malformed (400), not a missing field."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The body is not a JSON object.")
        return data


# No CSRF check (ninja only checks CSRF for cookie-based auth): the API uses no cookies for authentication. /join is public
# (anyone may apply, as with the form) and protected by rate limits and the
# Idempotency-Key; /members needs a bearer token, which a browser never sends
# on its own, so a cross-site request cannot ride on someone's session.
api = NinjaAPI(
    title="Rank & File API",
    version="1.0.0",
    description=(
        "Join, read the live counters, and (staff) look up members. Errors answer "
        '`{"error": {"code", "message", "field"}}` in plain words.'
    ),
    urls_namespace="api",
    parser=ObjectParser(),
    docs_url="/docs",
)


@api.exception_handler(Refusal)
def _refusal(request: HttpRequest, exc: Refusal) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    message, field = validation_message(exc.errors[0] if exc.errors else {})
    return api.create_response(request, error_body("invalid", message, field), status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = error_body(
        "unauthenticated",
        "Send a valid API token in the Authorization header (Bearer rf_…). "
        "Staff create and revoke tokens on their account page.",
    )
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja raises this when the body is not JSON (or not UTF-8).
        body = error_body(
            "malformed", "Send the application as a JSON object, encoded in UTF-8."
        )
    else:
        body = error_body("refused", str(exc))
    return api.create_response(request, body, status=exc.status_code)


REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
            422: ErrorOut, 429: ErrorOut}


@api.post("/join", response={201: JoinOut, **REFUSALS}, summary="Apply to join",
          operation_id="join")
def join(request: HttpRequest, payload: JoinIn,
         idempotency_key: str = Header(..., alias="Idempotency-Key", max_length=100,
                                       description="A fresh random value per application; "
                                       "a retry sends the same key and body again.")
         ) -> HttpResponse:
    """Apply to join in a category. A retry with the same Idempotency-Key and body
    answers the same again and stores nothing new; the same key with another
    body answers 409."""
    rate_limit(request, scope="join", limit=JOIN_LIMIT, per_seconds=JOIN_LIMIT_SECONDS)
    result = membership_apply(data=JoinData(**payload.model_dump()), idempotency_key=idempotency_key)
    # Written as JoinOut's JSON directly: ninja would check and convert the answer
    # through its schema, 5% of a sign-up's time under a surge (bench/RESULTS.md,
    # "2026-11-30"). test_join.py holds it to JoinOut, field for field.
    return HttpResponse(json.dumps(join_answer(result)), status=201,
                        content_type="application/json")


def join_answer(result: JoinResult) -> dict[str, Any]:
    # A neutral answer (known address) is shaped exactly like a new one: show no difference.
    membership, payment = result.membership, result.payment
    return {
        "reference": membership.reference,
        "status": membership.status,
        "category": membership.category.kind,
        "payment": None if payment is None else {
            "reference": payment.reference,
            "amount_pence": payment.amount_pence,
            "status": payment.status,
            "instructions": payment_instructions(payment),
        },
    }


@api.get("/stats", response=StatsOut, summary="Live counters", operation_id="stats")
def stats(request: HttpRequest) -> HttpResponse:
    """People by category and status, and sign-ups per hour over the most recent
    joining window. Exact as of ``as_of``, which is at most a few seconds old."""
    body, age = stats_get_json()
    response = HttpResponse(body, content_type="application/json")
    # Let a cache in front share the same figures until they are due to change.
    response["Cache-Control"] = f"public, max-age={max(0, int(settings.STATS_CACHE_SECONDS - age))}"
    return response


@api.get("/members/{reference}", response={200: MemberOut, **REFUSALS}, auth=ApiToken(),
         summary="A member, for staff", operation_id="member")
def member(request: TokenRequest, reference: str) -> dict[str, Any]:
    """One membership by its reference. A token made under a national staff or auditor
    role sees everyone; one made under a branch secretary's role, that branch's members.
    A member the token may not see answers 404, exactly as a reference that does not
    exist."""
    token = request.auth
    membership = member_record_open(by=token.user, reference=reference, under=token.role,
                                    action=RecordAccess.Action.API, purpose="API: one member")
    branch = membership.branch
    return {
        "reference": membership.reference,
        "first_name": membership.first_name,
        "last_name": membership.last_name,
        "email": membership.user.email,
        "category": membership.category.kind,
        "status": membership.status,
        "branch": None if branch is None else {"code": branch.code, "name": branch.name},
        "applied_at": membership.applied_at,
        "joined_on": membership.joined_on,
        "good_standing_since": membership.good_standing_since,
    }

# Elections (rankfile/api/elections.py): the list, casting with a voting code, results.
api.add_router("/elections", elections_router)
