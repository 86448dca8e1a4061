"""A branch's page: its wards, officers, contact, articles and a way to join."""

import pytest

from rankfile.branches.models import Body
from rankfile.demo.personas import give_role, make_user


def test_it_shows_a_branch_with_its_wards_and_constituency(client, area):
    response = client.get("/branches/WF-CHN/")

    assert 200 == response.status_code
    page = response.content.decode()
    assert "Chingford branch" in page
    assert "Chingford Green" in page
    assert 'href="/branches/WF-HPH/"' in page


def test_it_names_the_officers_but_not_their_addresses(client, area, secretary):
    chair = make_user("chair@example.org", first_name="Chi", last_name="Chair")
    give_role(chair, "chair", area.branch)
    give_role(make_user("mod@example.org", first_name="Hidden"), "moderator", area.branch)

    page = client.get("/branches/WF-CHN/").content.decode()

    assert page.index("Chair: Chi Chair") < page.index("Secretary: Sue Secretary")
    assert "secretary@example.org" not in page and "chair@example.org" not in page
    assert "Hidden" not in page


def test_it_gives_the_branch_contact_or_else_the_membership_office(client, area, settings):
    settings.MEMBERSHIP_OFFICE_EMAIL = "office@example.org"
    Body.objects.filter(pk=area.branch.pk).update(contact_email="chingford@example.org")

    own = client.get("/branches/WF-CHN/").content.decode()
    other = client.get("/branches/WF-HPH/").content.decode()

    assert 'href="mailto:chingford@example.org"' in own
    assert 'href="mailto:office@example.org"' in other
    assert "say it is about the Highams Park branch" in other


def test_it_lists_the_branch_articles_and_offers_to_join(client, area, article):
    page = client.get("/branches/WF-CHN/").content.decode()

    assert article.get_absolute_url() in page
    assert 'href="/articles/?body=WF-CHN"' in page
    assert 'href="/join/"' in page and "Join and be part of Chingford" in page


def test_it_tells_a_member_it_is_their_branch(client, area, member):
    client.force_login(member)

    page = client.get("/branches/WF-CHN/").content.decode()

    assert "This is your branch." in page
    assert "Join and be part of" not in page


@pytest.mark.parametrize("code", ["WF-NOPE", "E14000634", "ORG"])
def test_it_answers_404_for_anything_but_a_branch(client, area, code):
    assert 404 == client.get(f"/branches/{code}/").status_code
