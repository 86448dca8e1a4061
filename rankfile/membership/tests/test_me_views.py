import pytest

from rankfile.membership.models import BranchChange, Membership
from rankfile.membership.tests.factories import make_member_in, make_payment
from rankfile.membership.tests.join_helpers import run_tasks

S = Membership.Status


@pytest.fixture
def member(area):
    # An active member in Chingford who has paid once.
    membership = make_member_in(area, first_name="Mo", last_name="Member")
    make_payment(membership, amount_pence=2500, receipt_number="R-000042")
    return membership


@pytest.fixture
def logged_in(client, member):
    client.force_login(member.user)
    return client


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    r = client.get("/me/")

    assert 302 == r.status_code
    assert r.url.startswith("/accounts/login/?next=/me/")


def test_it_shows_the_membership_its_place_and_payments(logged_in, member):
    body = logged_in.get("/me/").content.decode()

    for expected in (member.reference, "Active", "good standing", "Chingford", "E4 7AA",
                     "Chingford and Woodford Green", "Chingford Green", "£25.00", "R-000042"):
        assert expected in body
    assert "API tokens" not in body


def test_it_offers_someone_without_a_membership_a_way_to_join(client, outsider):
    client.force_login(outsider)

    body = client.get("/me/").content.decode()

    assert "You are not a member yet" in body
    assert 'href="/join/"' in body


def test_it_links_officers_to_their_tools(client, secretary):
    client.force_login(secretary)

    body = client.get("/me/").content.decode()

    assert "/officers/members/" in body
    assert "/account/tokens/" in body


def test_it_moves_the_member_when_their_new_postcode_is_in_another_branch(logged_in, member, area):
    r = logged_in.post("/me/address/", {"address": "9 Hale End Road", "postcode": "e4 9aa"},
                       follow=True)

    member.refresh_from_db()
    assert area.other_branch == member.branch
    assert "You are now in the Highams Park branch." in r.content.decode()
    assert 1 == BranchChange.objects.filter(membership=member).count()


def test_it_shows_an_unknown_postcode_next_to_the_field_and_changes_nothing(logged_in, member):
    r = logged_in.post("/me/address/", {"address": "9 Nowhere", "postcode": "E4 1ZZ"})

    body = r.content.decode()
    member.refresh_from_db()
    assert 400 == r.status_code
    assert 'class="error-summary"' in body
    assert 'href="#id_postcode"' in body
    assert "E4 1ZZ is not in our list" in body
    assert 'aria-describedby="id_postcode_helptext id_postcode_error"' in body
    assert 'aria-invalid="true"' in body
    assert "E4 7AA" == member.postcode


def test_it_prefills_the_address_form(logged_in, member):
    body = logged_in.get("/me/address/").content.decode()

    assert 'value="E4 7AA"' in body
    assert '<label for="id_postcode">' in body


def test_it_sends_someone_without_a_membership_back_from_the_address_form(client, outsider):
    client.force_login(outsider)

    r = client.get("/me/address/", follow=True)

    assert "You have no current membership." in r.content.decode()


def test_it_does_not_let_a_member_pick_someone_elses_membership(logged_in, member, area):
    other = make_member_in(area)

    logged_in.post("/me/address/", {"membership": other.reference, "address": "x",
                                    "postcode": "E4 9AA"})

    other.refresh_from_db()
    assert area.branch == other.branch


def test_it_explains_resignation_before_doing_it(logged_in, member):
    body = logged_in.get("/me/resign/").content.decode()

    member.refresh_from_db()
    assert "This cannot be undone." in body
    assert S.ACTIVE == member.status


def test_it_resigns_with_the_reason_given(logged_in, member):
    r = logged_in.post("/me/resign/", {"membership": member.reference, "reason": "Moving"},
                       follow=True)

    member.refresh_from_db()
    assert S.RESIGNED == member.status
    assert "You have resigned." in r.content.decode()
    assert "Resigned by the member: Moving" == member.history.last().reason


def test_it_answers_a_second_resignation_with_what_happened_not_the_form(logged_in, member):
    """A double click, a refresh or an old tab: the member is told it is done."""
    logged_in.post("/me/resign/", {"membership": member.reference})

    again = logged_in.post("/me/resign/", {"membership": member.reference}, follow=True)
    form = logged_in.get(f"/me/resign/?membership={member.reference}", follow=True)

    for r in (again, form):
        assert [("/me/", 302)] == r.redirect_chain
        assert f"Membership {member.reference} has already ended (resigned on " in (
            r.content.decode())
        assert "Resign my membership" not in r.content.decode()
    assert 2 == member.history.count()


def test_it_e_mails_the_member_to_confirm_the_resignation(logged_in, member, mailoutbox):
    logged_in.post("/me/resign/", {"membership": member.reference, "reason": "Moving"})
    run_tasks()

    (mail,) = mailoutbox
    assert [member.user.email] == mail.to
    assert "your resignation" in mail.subject
    assert "You resigned as a member" in mail.body and member.reference in mail.body


def test_it_lists_status_changes_and_branch_moves_in_the_order_they_happened(
        logged_in, member, area):
    logged_in.post("/me/address/", {"membership": member.reference, "address": "9 Hale End Road",
                                    "postcode": "E4 9AA"})
    logged_in.post("/me/resign/", {"membership": member.reference})

    page = logged_in.get("/me/").content.decode()

    history = page.split("<h3>History</h3>")[1]
    assert history.index("Set up for a test") < history.index("moved from Chingford") < (
        history.index("Resigned by the member"))


def test_it_shows_an_unpaid_applicant_the_reference_and_where_to_pay(client, area, settings):
    settings.PAYMENT_BANK_ACCOUNT_NAME = "Rank and File Party"
    settings.PAYMENT_BANK_SORT_CODE = "12-34-56"
    settings.PAYMENT_BANK_ACCOUNT_NUMBER = "12345678"
    applicant = make_member_in(area, status=S.APPLIED)
    payment = make_payment(applicant, status="pending", amount_pence=2500)
    client.force_login(applicant.user)

    page = client.get("/me/").content.decode()

    assert "Pay your fee" in page
    assert f'<span class="reference">{payment.reference}</span>' in page
    assert "12-34-56" in page and "12345678" in page and "Rank and File Party" in page
