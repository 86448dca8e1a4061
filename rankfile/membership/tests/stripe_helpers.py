"""Stripe, offline: a fake HTTP client for the ``stripe`` library, and signed webhook events.

Only the HTTP request that would leave the process is replaced (through
``stripe_provider.http_client``, the one function that picks the client): the
library still encodes every request and parses every answer, and webhooks are
signed here with a test secret and checked by the library's own
``construct_event``.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import stripe

SECRET_KEY = "sk_test_rankfile"
WEBHOOK_SECRET = "whsec_rankfile_test_secret"
_ids = itertools.count(1)

Handler = Callable[[dict[str, list[str]]], tuple[int, dict[str, Any]]]


@dataclass
class Sent:
    method: str
    path: str
    params: dict[str, list[str]]
    idempotency_key: str | None

    def one(self, name: str) -> str:
        return self.params[name][0]


@dataclass
class FakeStripe(stripe.HTTPClient):
    """Answers the ``stripe`` library's requests as Stripe's API would, from the test.

    ``routes`` maps (method, path) to a handler; a path ending in ``/`` matches
    anything below it. ``down`` makes every request fail as if Stripe could
    not be reached.
    """

    name = "fake"
    sent: list[Sent] = field(default_factory=list)
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    down: bool = False
    fingerprint: str = "fp_card_ada"
    method: str = "card"
    refund_status: str = "succeeded"

    def __post_init__(self) -> None:
        super().__init__()
        self.routes.update({
            ("POST", "/v1/checkout/sessions"): self._session,
            ("GET", "/v1/payment_intents/"): self._intent,
            ("POST", "/v1/refunds"): self._refund,
            ("GET", "/v1/invoice_payments"): self._invoice_payments,
        })

    def request(self, method: str, url: str, headers: Any, post_data: Any = None, *,
                _usage: Any = None) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        params = parse_qs(body or parts.query, keep_blank_values=True)
        self.sent.append(Sent(method.upper(), parts.path, params,
                              (headers or {}).get("Idempotency-Key")))
        if self.down:
            raise stripe.APIConnectionError("Could not connect to Stripe (a test).")
        handler = self.routes.get((method.upper(), parts.path))
        if handler is None:
            handler = next((h for (m, p), h in self.routes.items()
                            if m == method.upper() and p.endswith("/")
                            and parts.path.startswith(p)), None)
        answer: dict[str, Any]
        if handler is None:
            status, answer = 404, {"error": {"type": "invalid_request_error",
                                             "message": f"No fake for {method} {parts.path}"}}
        else:
            status, answer = handler(params)
        if parts.path.startswith("/v1/payment_intents/") and status == 200:
            answer = {**answer, "id": parts.path.rsplit("/", 1)[1]}
        return json.dumps(answer), status, {"Request-Id": f"req_{next(_ids)}"}

    def close(self) -> None:
        pass

    def paths(self, method: str = "POST") -> list[str]:
        return [s.path for s in self.sent if s.method == method]

    # -- default answers --------------------------------------------------------------------

    def _session(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        number = next(_ids)
        return 200, {
            "id": f"cs_test_{number}", "object": "checkout.session",
            "url": f"https://checkout.stripe.com/c/pay/cs_test_{number}",
            "expires_at": int(params["expires_at"][0]), "mode": params["mode"][0],
            "status": "open", "client_reference_id": params["client_reference_id"][0],
        }

    def _intent(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        return 200, {"object": "payment_intent", "status": "succeeded", "latest_charge": {
            "id": f"ch_{next(_ids)}", "object": "charge",
            "payment_method_details": {"type": self.method,
                                       self.method: {"fingerprint": self.fingerprint}}}}

    def _refund(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        return 200, {"id": f"re_{next(_ids)}", "object": "refund", "status": self.refund_status,
                     "amount": int(params["amount"][0]),
                     "payment_intent": params["payment_intent"][0]}

    def _invoice_payments(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        invoice = params["invoice"][0]
        return 200, {"object": "list", "url": "/v1/invoice_payments", "has_more": False,
                     "data": [{"id": f"inpay_{next(_ids)}", "object": "invoice_payment",
                               "invoice": invoice, "payment": {
                                   "type": "payment_intent",
                                   "payment_intent": f"pi_for_{invoice}"}}]}


def event(kind: str, obj: dict[str, Any], *, event_id: str | None = None,
          livemode: bool = False) -> dict[str, Any]:
    """A Stripe event as the webhook receives it."""
    return {"id": event_id or f"evt_test_{next(_ids)}", "object": "event", "type": kind,
            "api_version": stripe.api_version, "created": int(time.time()),
            "livemode": livemode, "data": {"object": obj}}


def signed(payload: dict[str, Any] | str, *, secret: str = WEBHOOK_SECRET,
           at: int | None = None) -> tuple[bytes, str]:
    """The body and ``Stripe-Signature`` header Stripe would send, signed at ``at``."""
    body = payload if isinstance(payload, str) else json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=at if at is not None else int(time.time()))
    return body.encode(), header


def paid_session(payment: Any, *, session_id: str = "cs_test_paid", intent: str = "pi_test_1",
                 payment_status: str = "paid", amount: int | None = None) -> dict[str, Any]:
    """A completed Checkout session for ``payment``."""
    return {"id": session_id, "object": "checkout.session", "mode": "payment",
            "status": "complete", "payment_status": payment_status,
            "amount_total": payment.amount_pence if amount is None else amount,
            "currency": "gbp", "client_reference_id": payment.reference,
            "payment_intent": intent,
            "metadata": {"payment_reference": payment.reference,
                         "membership_reference": payment.membership.reference}}
