"""NUL characters and oversized bodies answer a clear 400/413 at every URL of the site,
before any view, form or query sees them (PostgreSQL refuses NUL in text: a 500)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from rankfile.membership.models import Membership

GROUP = re.compile(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)|\([^)]*\)")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def every_url(value: str) -> list[str]:
    """Every route of the site as an address, each parameter given ``value``."""
    urls = set()
    for route in _routes(get_resolver().url_patterns):
        path = GROUP.sub(value, route).replace("^", "").replace("$", "").replace("\\", "")
        urls.add("/" + path)
    return sorted(urls)


def _assert_refused(response: Any, url: str, status: int = 400) -> None:
    assert status == response.status_code, url
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json"), url
        assert response.json()["error"]["code"] in ("unreadable", "too_large"), url
    else:
        assert "NUL" in response.content.decode() or status == 413, url


@pytest.mark.parametrize("url", every_url("RF-%00x"))
def test_a_nul_in_any_path_segment_answers_400(client, db, url):
    if "%00" not in url:
        url += "%00"

    _assert_refused(client.get(url), url)


@pytest.mark.parametrize("url", every_url("1"))
def test_a_nul_in_the_query_or_a_form_field_answers_400_everywhere(client, db, url):
    _assert_refused(client.get(url, {"q": "a\x00b", "tag": "\x00"}), url)
    _assert_refused(client.post(url, {"name": "Ann\x00", "email": "a@example.org"}), url)
    _assert_refused(client.post(url, json.dumps({"first_name": "Ann\u0000"}),
                                content_type="application/json"), url)


@pytest.mark.parametrize("url", ["/articles/?tag=%00", "/branches/%00/", "/api/members/RF-%00",
                                 "/articles/?%00=1", "/join/member/?x=%00"])
def test_the_known_nul_500s_answer_400(client, db, url):
    _assert_refused(client.get(url), url.split("?")[0])


def test_a_nul_in_a_cookie_answers_400(client, db):
    response = client.get("/", HTTP_COOKIE='sessionid="\\000abcdefgh12345"')

    assert 400 == response.status_code


def test_a_nul_in_the_api_join_body_answers_400_in_the_api_shape_and_stores_nothing(client, db):
    body = {"category": "member", "first_name": "Ann\u0000", "last_name": "Lee",
            "email": "ann@example.org", "date_of_birth": "1980-05-17", "postcode": "E4 7AA",
            "consent": True}

    response = client.post("/api/join", json.dumps(body), content_type="application/json",
                           headers={"Idempotency-Key": "k-nul"})

    assert 400 == response.status_code
    assert ("unreadable", "first_name") == (response.json()["error"]["code"],
                                            response.json()["error"]["field"])
    assert "NUL" in response.json()["error"]["message"]
    assert 0 == Membership.objects.count()


def test_a_json_string_that_only_looks_like_a_nul_is_not_refused(client, db):
    """An escaped backslash before "u0000" is text, not a NUL: the view answers it."""
    response = client.post("/api/join", json.dumps({"first_name": "\\u0000"}),
                           content_type="application/json", headers={"Idempotency-Key": "k"})

    assert "malformed" != response.json()["error"]["code"], response.json()


def test_a_large_body_to_api_join_answers_413_in_the_api_shape(client, db):
    body = json.dumps({"first_name": "A" * (5 * 1024 * 1024 // 2)})

    response = client.post("/api/join", body, content_type="application/json",
                           headers={"Idempotency-Key": "k-big"})

    assert 413 == response.status_code
    assert "too_large" == response.json()["error"]["code"]
    assert 0 == Membership.objects.count()


def test_a_large_form_answers_413_on_a_page(client, db):
    response = client.post("/join/member/", {"first_name": "A" * (2 * 1024 * 1024)})

    assert 413 == response.status_code
    assert "too large" in response.content.decode()


def test_an_uploaded_file_may_hold_nul_bytes(client, db, staff):
    """A bank statement export may contain NUL bytes: the statement's own check answers."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    upload = SimpleUploadedFile("statement.csv", b"Date,Amount\x00\r\n", "text/csv")

    response = client.post("/staff/payments/statements/", {"statement": upload, "encoding": "utf-8"})

    assert "NUL character (%00)" not in response.content.decode()
    assert "The statement" in response.content.decode()
