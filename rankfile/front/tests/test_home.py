"""The front page: what is on, the latest articles, finding a branch; for a member,
their branch and what they can take part in."""

from rankfile.membership.stats import stats_clear
from rankfile.membership.tests.factories import make_member_in, make_payment


def test_it_shows_a_visitor_what_is_on_the_latest_articles_and_the_branch_finder(
        client, offers, article):
    page = client.get("/").content.decode()

    assert "Join now" in page
    assert "Registration as a registered supporter is open until" in page
    assert 'href="/join/registered_supporter/"' in page
    assert "Why join now" in page and article.get_absolute_url() in page
    assert 'action="/branches/find/"' in page


def test_it_counts_those_in_good_standing_only(client, area):
    for status in ("active", "in_arrears", "resigned", "lapsed", "applied"):
        make_member_in(area, status=status)
    stats_clear()

    page = client.get("/").content.decode()

    assert '<span class="big-number">2</span> members and supporters in good standing' in page


def test_it_shows_a_member_their_branch_and_what_they_can_take_part_in(client, offers, member):
    # offers' "Member" category votes in meetings and holds office.
    client.force_login(member)

    page = client.get("/").content.decode()

    assert 'Your branch is <a href="/branches/WF-CHN/">Chingford</a>' in page
    assert "Vote at Chingford branch meetings" in page
    assert "Stand for office" in page
    assert "Join now" not in page


def test_it_shows_an_applicant_the_reference_to_pay_with(client, area, outsider):
    membership = make_member_in(area, outsider, status="applied")
    payment = make_payment(membership, status="pending")
    client.force_login(outsider)

    page = client.get("/").content.decode()

    assert payment.reference in page
    assert "once your membership is active" in page


def test_the_home_page_refuses_post(client, db):
    assert 405 == client.post("/").status_code
