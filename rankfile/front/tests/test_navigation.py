"""Each role gets the links to its own pages, and nobody gets a link to a page that
would refuse them."""

import pytest
from django.contrib.auth.models import AnonymousUser

from rankfile.demo.personas import give_role, make_user
from rankfile.front.navigation import navigation_for

EVERYONE = ["Branches", "Articles", "Elections", "Live count", "Join"]


def labels(links):
    return [link.label for link in links]


def test_it_gives_a_visitor_the_public_pages_only(db):
    nav = navigation_for(AnonymousUser())

    assert EVERYONE == labels(nav.main)
    assert [] == nav.work


def test_it_gives_a_member_their_membership_and_no_work(member):
    nav = navigation_for(member)

    assert EVERYONE + ["My membership", "Meetings"] == labels(nav.main)
    assert [] == nav.work


def test_it_gives_national_staff_their_pages_and_the_admin(staff):
    nav = navigation_for(staff)

    assert ["Payments", "Placements", "Members", "Vetting", "Erasures", "CSV export",
            "CSV import", "Moderation", "Selections", "Admin"] == labels(nav.work)


def test_it_gives_an_auditor_the_members_and_the_admin_to_read(auditor):
    assert ["Members", "Erasures", "Access log", "Admin"] == labels(navigation_for(auditor).work)


def test_it_gives_a_secretary_their_members(secretary):
    assert ["Members", "Branch e-mail", "CSV export", "Selections"] == labels(
        navigation_for(secretary).work)


def test_it_gives_a_moderator_the_moderation_queue(moderator):
    assert ["Moderation"] == labels(navigation_for(moderator).work)


def test_it_gives_an_author_their_articles(author):
    assert ["My articles"] == labels(navigation_for(author).work)


def test_it_gives_branch_staff_no_national_staff_pages(area):
    user = make_user("branch-staff@example.org")
    give_role(user, "staff", area.branch)

    # Branch staff vet their branch's applications.
    assert ["Members", "Vetting", "CSV export", "Moderation", "Selections"] == labels(
        navigation_for(user).work)


@pytest.mark.parametrize("path, current", [
    ("/articles/", "Articles"), ("/articles/why-join/", "Articles"),
    ("/articles/moderation/", "Moderation"), ("/staff/payments/", "Payments"),
    ("/privacy/", None), ("/elections/", "Elections"), ("/elections/leader/", "Elections"),
])
def test_it_marks_the_section_the_page_is_in(staff, path, current):
    nav = navigation_for(staff, path)

    assert current == next((link.label for link in nav.main + nav.work if link.current), None)


@pytest.mark.parametrize("who, url", [
    ("staff", "/staff/payments/"), ("staff", "/staff/placements/"),
    ("staff", "/officers/members/"), ("staff", "/articles/moderation/"),
    ("secretary", "/officers/members/"), ("moderator", "/articles/moderation/"),
    ("author", "/articles/mine/"), ("member", "/me/"), ("auditor", "/officers/members/"),
    ("auditor", "/admin/"), ("auditor", "/officers/access-log/"),
    ("secretary", "/officers/export/"), ("staff", "/officers/export/"),
    ("staff", "/staff/members/import/"), ("member", "/elections/"), ("staff", "/elections/"),
])
def test_every_link_opens_for_its_holder(client, request, who, url):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.get(url)

    assert url in [link.url for link in navigation_for(user).work + navigation_for(user).main]
    assert 200 == response.status_code


def test_the_header_shows_a_roles_links(client, secretary):
    client.force_login(secretary)

    header = client.get("/").content.decode().split("</header>")[0]

    assert 'aria-label="Your work"' in header and 'href="/officers/members/"' in header
    assert 'href="/staff/payments/"' not in header


def test_a_visitor_finds_the_elections_in_the_header_and_the_list_opens(client, db):
    response = client.get("/elections/")

    header = response.content.decode().split("</header>")[0]
    assert 200 == response.status_code
    assert 'href="/elections/"' in header
