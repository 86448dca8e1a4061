"""With DEBUG off (as in tests and production): error pages in the site's layout, the
API's errors in its JSON shape, and a CSRF failure that keeps the joiner's details."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory

from rankfile.core import errorpages
from rankfile.membership.models import Membership
from rankfile.membership.tests.join_helpers import make_offers


def test_a_missing_page_is_in_the_sites_layout(client, db):
    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert 404 == response.status_code
    assert "<h1>Page not found</h1>" in page
    assert 'aria-label="Main"' in page and "/static/rankfile/site.css" in page
    assert "Resolver404" not in page


def visitor_request(path: str):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def test_a_missing_page_says_our_own_words_but_never_a_models_name(db):
    ours = errorpages.page_not_found(visitor_request("/x/"),
                                     Http404("No receipt with that reference is yours."))
    django = errorpages.page_not_found(visitor_request("/x/"),
                                       Http404("No Membership matches the given query."))

    assert "No receipt with that reference is yours." in ours.content.decode()
    assert "Membership matches" not in django.content.decode()


def test_the_api_answers_a_missing_address_in_its_error_shape(client, db):
    response = client.get("/api/no-such-endpoint")

    assert 404 == response.status_code
    assert "application/json" == response["Content-Type"]
    assert "not_found" == response.json()["error"]["code"]
    assert "/api/docs" in response.json()["error"]["message"]


def test_a_refusal_is_in_the_sites_layout(db):
    response = errorpages.permission_denied(visitor_request("/somewhere/"), PermissionDenied())

    assert 403 == response.status_code
    assert "You cannot see this page" in response.content.decode()
    assert 'aria-label="Main"' in response.content.decode()


def test_a_server_error_page_needs_nothing_but_the_template(db, settings):
    settings.ORGANISATION_NAME = "Test Party"

    response = errorpages.server_error(RequestFactory().get("/boom/"))
    api = errorpages.server_error(RequestFactory().get("/api/boom"))

    assert 500 == response.status_code
    assert "Something went wrong on our side" in response.content.decode()
    assert "Test Party" in response.content.decode()
    assert "server_error" == __import__("json").loads(api.content)["error"]["code"]


@pytest.mark.urls("rankfile.core.tests.boom_urls")
def test_an_uncaught_error_answers_the_500_page(client, db):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert 500 == response.status_code
    assert "Something went wrong on our side" in response.content.decode()


def test_a_bad_request_is_in_the_sites_layout(db):
    response = errorpages.bad_request(RequestFactory().get("/join/"))

    assert 400 == response.status_code
    assert "We could not read that request" in response.content.decode()


@pytest.fixture
def offers(area):
    return make_offers()


def test_a_csrf_failure_on_the_joining_form_keeps_what_was_typed(offers):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/join/registered_supporter/", {
        "first_name": "Ada", "last_name": "Joiner", "email": "ada@example.org",
        "date_of_birth": "17/05/1980", "postcode": "E4 7AA", "consent": "on",
        "form_token": "tok-1"})

    page = response.content.decode()
    assert 403 == response.status_code
    assert "Your details were not sent" in page
    assert 'value="Ada"' in page and 'value="ada@example.org"' in page
    assert 'value="17/05/1980"' in page and 'value="tok-1"' in page
    assert re.search(r'name="consent"[^>]* checked', page)
    assert 'name="csrfmiddlewaretoken"' in page
    assert 0 == Membership.objects.count()


def test_a_csrf_failure_elsewhere_says_nothing_was_done(db, area, outsider):
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)

    response = client.post("/accounts/logout/")

    assert 403 == response.status_code
    assert "Your form was not sent" in response.content.decode()
    assert "Nothing was saved or changed." in response.content.decode()
