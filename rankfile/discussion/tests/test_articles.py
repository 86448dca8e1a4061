import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.demo.personas import give_role
from rankfile.discussion.markdown import render_article
from rankfile.discussion.models import Article, ModerationLog
from rankfile.discussion.services.articles import (
    AuthorSpec,
    article_create,
    article_publish,
    article_submit,
    article_update,
)

from .conftest import publish

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

State = Article.State


def draft(author, body, **fields):
    fields.setdefault("title", "Why join now")
    fields.setdefault("standfirst", "The case.")
    fields.setdefault("markdown", "Text")
    return article_create(by=author, body=body, **fields)


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<img src=x onerror="alert(1)">',
    '<p onclick="alert(1)">hi</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<a href="https://ok.example" style="color:red" onmouseover="alert(1)">ok</a>',
])
def test_it_renders_script_injection_in_article_markdown_inert(source):
    html = render_article(source)

    for bad in ("<script", "javascript:", "onerror", "onclick", "onload", "onmouseover",
                "<iframe", "<svg", "style="):
        assert bad not in html


def test_it_keeps_ordinary_markdown(author, area):
    article = draft(author, area.branch, markdown="# Head\n\nSome *em* and [a](https://x.org).")

    assert ('<h2>Head</h2>\n<p>Some <em>em</em> and <a href="https://x.org" rel="noopener">a</a>'
            '.</p>') == article.html


def test_it_names_the_author_with_their_branch_by_default(author, area):
    article = draft(author, area.branch)

    assert [("Ava Author", area.branch)] == [(a.name, a.affiliation)
                                             for a in article.authors.all()]


def test_it_names_several_authors(author, area):
    article = draft(author, area.branch, authors=[
        AuthorSpec("Ava Author", area.branch, author), AuthorSpec("Ben Co", area.constituency)])

    assert ["Ava Author", "Ben Co"] == [a.name for a in article.authors.all()]


def test_it_refuses_a_writer_without_the_author_role(member, area):
    with pytest.raises(PermissionRefused):
        draft(member, area.branch)


def test_it_refuses_an_author_writing_for_another_branch(author, area):
    with pytest.raises(PermissionRefused):
        draft(author, area.other_branch)


def test_it_goes_from_draft_to_review_to_published(author, moderator, area):
    article = draft(author, area.branch)
    article_submit(article=article, by=author)

    article_publish(article=article, by=moderator)

    article.refresh_from_db()
    assert (State.PUBLISHED, moderator) == (article.state, article.published_by)
    assert ["publish", "submit"] == list(ModerationLog.objects.values_list("action", flat=True))


def test_it_refuses_publishing_by_its_author_or_another_branch_moderator(
        author, other_moderator, area):
    article = draft(author, area.branch)

    with pytest.raises(PermissionRefused):
        article_publish(article=article, by=author)
    with pytest.raises(PermissionRefused):
        article_publish(article=article, by=other_moderator)
    assert State.DRAFT == Article.objects.get().state


def test_it_refuses_an_author_changing_a_published_article(author, moderator, area):
    article = publish(author, moderator, area.branch)

    with pytest.raises(PermissionRefused):
        article_update(article=article, by=author, title="Changed", standfirst="S",
                       markdown="M")


def test_it_keeps_the_slug_unique(author, area):
    assert ["why-join-now", "why-join-now-2"] == [draft(author, area.branch).slug,
                                                  draft(author, area.branch).slug]


@pytest.mark.parametrize("fields,field", [
    ({"title": ""}, "title"),
    ({"title": "t" * 201}, "title"),
    ({"standfirst": ""}, "standfirst"),
    ({"markdown": "  "}, "markdown"),
    ({"image": SimpleUploadedFile("p.png", PNG, "image/png")}, "image_alt"),
    ({"image": SimpleUploadedFile("p.png", b"<html>", "image/png"), "image_alt": "A"}, "image"),
    ({"image": SimpleUploadedFile("p.svg", b"<svg/>", "image/svg+xml"), "image_alt": "A"},
     "image"),
    ({"link_kind": "meeting"}, "link_url"),
    ({"link_kind": "meeting", "link_url": "javascript:alert(1)"}, "link_url"),
    ({"link_kind": "meeting", "link_url": "/meetings/12/"}, "link_url"),
    ({"authors": [AuthorSpec(name="\u202eevil", affiliation=None, user=None)]}, "authors"),
])
def test_it_refuses_bad_article_fields_and_saves_nothing(author, area, fields, field):
    with pytest.raises(Refusal) as e:
        draft(author, area.branch, **fields)

    assert field == e.value.field
    assert 0 == Article.objects.count()


def test_it_stores_an_image_with_alt_text_and_serves_it(author, moderator, area, client,
                                                        settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = publish(author, moderator, area.branch, image_alt="Members queuing at the door",
                      image=SimpleUploadedFile("queue.png", PNG, "image/png"),
                      image_caption="The queue", image_credit="A. Photographer")

    response = client.get(reverse("discussion:image", args=[article.slug]))
    html = client.get(article.get_absolute_url()).content.decode()

    assert ("image/png", PNG) == (response["Content-Type"], b"".join(response.streaming_content))
    assert 'alt="Members queuing at the door"' in html
    assert '<meta property="og:image:alt" content="Members queuing at the door">' in html


def test_it_links_a_meeting(author, moderator, area, client):
    article = publish(author, moderator, area.branch, link_kind="meeting",
                      link_url="https://example.org/meetings/12", link_label="Hustings, 3 July")

    html = client.get(article.get_absolute_url()).content.decode()
    assert 'Meeting: <a href="https://example.org/meetings/12">Hustings, 3 July</a>' in html


def test_it_lets_an_author_write_and_submit_through_the_pages(author, area, client):
    client.force_login(author)

    response = client.post(reverse("discussion:write"), {
        "body": area.branch.pk, "title": "A new article", "standfirst": "Short",
        "markdown": "Long", "tags": "joining, Leadership election", "visibility": "public",
        "other_authors": "Ben Co, Highams Park"})

    article = Article.objects.get()
    assert 302 == response.status_code
    assert ["joining", "leadership-election"] == sorted(t.slug for t in article.tags.all())
    assert [("Ava Author", "Chingford"), ("Ben Co", "Highams Park")] == [
        (a.name, a.affiliation and a.affiliation.name) for a in article.authors.all()]
    client.post(reverse("discussion:submit", args=[article.slug]))
    assert State.IN_REVIEW == Article.objects.get().state


def test_a_relative_meeting_link_answers_a_form_error_not_a_500(author, area, client):
    """The link is stored as a full address: "/meetings/12/" is refused beside its field."""
    client.force_login(author)

    response = client.post(reverse("discussion:write"), {
        "body": area.branch.pk, "title": "A new article", "standfirst": "Short",
        "markdown": "Long", "visibility": "public", "link_kind": "meeting",
        "link_url": "/meetings/12/"})

    assert 400 == response.status_code
    assert "starting with https://" in response.content.decode()
    assert 0 == Article.objects.count()


def test_it_hides_the_writing_page_from_members_without_the_role(member, client):
    client.force_login(member)

    assert 404 == client.get(reverse("discussion:write")).status_code


def test_it_publishes_through_the_page(author, moderator, area, client):
    article = draft(author, area.branch)
    client.force_login(moderator)

    client.post(reverse("discussion:publish", args=[article.slug]))

    assert State.PUBLISHED == Article.objects.get().state


def test_it_lets_a_moderator_role_in_the_constituency_reach_its_branches(author, area):
    from rankfile.demo.personas import make_user

    regional = make_user("con-mod@example.org")
    give_role(regional, "moderator", area.constituency)
    article = draft(author, area.branch)

    assert State.PUBLISHED == article_publish(article=article, by=regional).state


@pytest.mark.parametrize("name", ["discussion:submit", "discussion:publish"])
def test_it_refuses_get_on_article_actions(author, area, client, name):
    article = draft(author, area.branch)
    client.force_login(author)

    assert 405 == client.get(reverse(name, args=[article.slug])).status_code
