"""A login moves to a new e-mail address, confirmed from the new address."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from rankfile.accounts.email_change import (
    email_change_confirm,
    email_change_request,
    email_change_token,
)
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.outbox.models import OutboxMessage


@pytest.fixture
def ada(db):
    user = User.objects.create_user("ada@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _token_sent_to(address):
    body = OutboxMessage.objects.get(to=address, purpose="email_change").body
    return body.split("/account/email/confirm/")[1].split("/")[0]


def test_it_keeps_the_old_address_until_the_new_one_confirms(ada):
    email_change_request(user=ada, new_email="ada@New.example.org", by=ada)

    ada.refresh_from_db()
    assert "ada@example.org" == ada.email
    token = _token_sent_to("ada@new.example.org")

    email_change_confirm(token=token)

    ada.refresh_from_db()
    assert "ada@new.example.org" == ada.email
    assert [("ada@new.example.org", True, True)] == list(
        EmailAddress.objects.filter(user=ada).values_list("email", "verified", "primary"))


def test_it_refuses_the_link_a_second_time(ada):
    email_change_request(user=ada, new_email="ada2@example.org", by=ada)
    token = _token_sent_to("ada2@example.org")
    email_change_confirm(token=token)

    with pytest.raises(Refusal) as e:
        email_change_confirm(token=token)

    assert "bad_link" == e.value.code


@pytest.mark.parametrize("token", ["", "nonsense", "a" * 5000, "x:y:z", "\x00"])
def test_it_refuses_a_forged_link(ada, token):
    with pytest.raises(Refusal):
        email_change_confirm(token=token)

    ada.refresh_from_db()
    assert "ada@example.org" == ada.email


def test_it_answers_alike_for_an_address_another_account_holds(ada):
    User.objects.create_user("taken@example.org")

    answer = email_change_request(user=ada, new_email="Taken@example.org", by=ada)

    assert "Taken@example.org" == answer
    sent = OutboxMessage.objects.get(to="Taken@example.org")
    assert "email_change_held" == sent.purpose
    assert "/account/email/confirm/" not in sent.body
    ada.refresh_from_db()
    assert "ada@example.org" == ada.email


def test_it_refuses_a_link_for_an_address_taken_meanwhile(ada):
    token = email_change_token(ada, "late@example.org")
    User.objects.create_user("late@example.org")

    with pytest.raises(Refusal):
        email_change_confirm(token=token)

    ada.refresh_from_db()
    assert "ada@example.org" == ada.email


@pytest.mark.parametrize("new, code", [
    ("", "required"), ("not an address", "invalid_email"), ("ada@example.org", "same_email"),
    ("a\x00@example.org", "invalid_email"),
])
def test_it_refuses_a_bad_new_address(ada, new, code):
    with pytest.raises(Refusal) as e:
        email_change_request(user=ada, new_email=new, by=ada)

    assert code == e.value.code
    assert 0 == OutboxMessage.objects.count()


def test_it_changes_only_ones_own_login(ada):
    other = User.objects.create_user("other@example.org")

    with pytest.raises(PermissionRefused):
        email_change_request(user=ada, new_email="x@example.org", by=other)


def test_it_answers_the_same_page_for_a_held_and_a_free_address(client, ada):
    User.objects.create_user("taken@example.org")
    client.force_login(ada)

    held = client.post(reverse("accounts:email_change"), {"email": "taken@example.org"},
                       follow=True)
    free = client.post(reverse("accounts:email_change"), {"email": "free@example.org"},
                       follow=True)

    assert held.status_code == free.status_code == 200
    def same(text, address):
        return re.sub(r'value="[^"]{40,}"', "", text).replace(address, "X@")

    assert same(held.text, "taken@") == same(free.text, "free@")


def test_it_confirms_only_on_post(client, ada):
    token = email_change_token(ada, "post@example.org")

    page = client.get(reverse("accounts:email_confirm", args=[token]))
    ada.refresh_from_db()
    assert 200 == page.status_code
    assert "ada@example.org" == ada.email

    client.post(reverse("accounts:email_confirm", args=[token]))

    ada.refresh_from_db()
    assert "post@example.org" == ada.email


def test_it_answers_a_forged_link_with_a_400_page(client, ada):
    response = client.post(reverse("accounts:email_confirm", args=["forged"]))

    assert 400 == response.status_code
    assert "cannot be used" in response.text


def test_it_limits_requests_per_login_and_sends_nothing_past_the_limit(client, ada):
    from rankfile.accounts.email_views import CHANGE_LIMIT

    client.force_login(ada)
    for i in range(CHANGE_LIMIT):
        client.post(reverse("accounts:email_change"), {"email": f"new{i}@example.org"})
    sent = OutboxMessage.objects.filter(purpose="email_change").count()

    refused = client.post(reverse("accounts:email_change"), {"email": "victim@example.org"})

    assert 400 == refused.status_code
    assert "too many" in refused.content.decode().lower()
    assert sent == OutboxMessage.objects.filter(purpose="email_change").count() == CHANGE_LIMIT
