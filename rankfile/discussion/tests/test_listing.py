from django.urls import reverse

from rankfile.demo.personas import give_role
from rankfile.discussion.models import Article

from .conftest import make_member, publish


def titles(response):
    return [a.title for a in response.context["page"].object_list]


def test_it_lists_published_public_articles_by_tag_author_and_body(client, area, author,
                                                                   moderator, staff):
    give_role(author, "author", area.constituency)
    publish(author, moderator, area.branch, title="Branch news", tags=["Joining"])
    publish(author, moderator, area.branch, title="Other news", tags=["Meetings"])
    publish(author, staff, area.constituency, title="Constituency news", tags=["Joining"])
    from rankfile.discussion.services.articles import article_create
    article_create(by=author, body=area.branch, title="Unpublished", standfirst="S",
                   markdown="M")

    url = reverse("discussion:list")
    assert {"Branch news", "Constituency news"} == set(titles(client.get(url + "?tag=joining")))
    assert {"Branch news", "Other news"} == set(titles(client.get(url + "?body=WF-CHN")))
    assert 3 == len(titles(client.get(url + "?author=ava%20author")))
    assert 3 == len(titles(client.get(url + f"?body={area.constituency.code}")))
    assert "Unpublished" not in titles(client.get(url))


def test_it_lists_body_only_articles_to_that_body_s_members_only(client, area, author,
                                                                 moderator):
    publish(author, moderator, area.branch, title="For Chingford",
            visibility=Article.Visibility.BODY)
    other = make_member("hp@example.org", "Hana", "Park", area.other_branch)
    local = make_member("ch@example.org", "Chi", "Ford", area.branch)

    assert [] == titles(client.get(reverse("discussion:list")))
    client.force_login(other)
    assert [] == titles(client.get(reverse("discussion:list")))
    client.force_login(local)
    assert ["For Chingford"] == titles(client.get(reverse("discussion:list")))


def test_it_puts_only_public_articles_in_the_atom_feed(client, area, author, moderator):
    publish(author, moderator, area.branch, title="Open letter", tags=["Joining"])
    publish(author, moderator, area.branch, title="Members briefing",
            visibility=Article.Visibility.MEMBERS)
    publish(author, moderator, area.branch, title="Branch briefing",
            visibility=Article.Visibility.BODY)

    response = client.get(reverse("discussion:feed"))

    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert 'xmlns="http://www.w3.org/2005/Atom"' in body
    assert "Open letter" in body and "<name>Ava Author</name>" in body
    assert "Members briefing" not in body and "Branch briefing" not in body
