import pytest
from django.urls import reverse

from rankfile.discussion.models import Article, Comment
from rankfile.discussion.services.comments import comment_post
from rankfile.membership.models import Membership

from .conftest import publish


def url(article, name="discussion:article"):
    return reverse(name, args=[article.slug])


def test_it_shows_a_published_article_with_link_preview_tags(client, article, settings):
    response = client.get(url(article))

    html = response.content.decode()
    assert 200 == response.status_code
    assert '<meta property="og:title" content="Why join now">' in html
    assert ('<meta property="og:description" content="The case for joining, in two minutes.">'
            in html)
    assert f'<meta property="og:url" content="{settings.SITE_URL}/articles/why-join-now/">' in html
    assert "<strong>now</strong>" in html
    assert "Ava Author" in html and "(Chingford)" in html


def test_it_hides_a_draft_from_visitors(client, area, author):
    from rankfile.discussion.services.articles import article_create

    draft = article_create(by=author, body=area.branch, title="Secret plan", standfirst="S",
                           markdown="M")

    assert 404 == client.get(url(draft)).status_code
    client.force_login(author)
    assert 200 == client.get(url(draft)).status_code


def test_it_keeps_members_only_articles_from_visitors_and_previews(client, area, author,
                                                                    moderator, member):
    inside = publish(author, moderator, area.branch, title="Inside",
                     visibility=Article.Visibility.MEMBERS)

    assert 404 == client.get(url(inside)).status_code
    client.force_login(member)
    response = client.get(url(inside))
    assert 200 == response.status_code
    assert "og:description" not in response.content.decode()


def test_it_posts_a_visitor_comment_and_remembers_the_browser(client, article):
    response = client.post(url(article, "discussion:comment_post"),
                           {"name": "Val Visitor", "text": "Count me in."})

    comment = Comment.objects.get()
    assert 302 == response.status_code
    assert "/articles/why-join-now/?page=1#c1" == response["Location"]
    assert "rf_commenter" in response.cookies
    assert response.cookies["rf_commenter"]["httponly"]
    assert ("Val Visitor", "Count me in.") == (comment.name, comment.text)
    page = client.get(url(article)).content.decode()
    assert "Count me in." in page and "Withdraw" in page


def test_it_shows_the_required_field_messages_next_to_the_fields(client, article):
    response = client.post(url(article, "discussion:comment_post"),
                           {"name": "", "text": ""})

    html = response.content.decode()
    assert 400 == response.status_code
    assert '<p class="field-error" id="id_name-error">Please enter your name</p>' in html
    assert '<p class="field-error" id="id_text-error">Please enter your comment</p>' in html
    assert '<a href="#id_text">Please enter your comment</a>' in html
    assert 0 == Comment.objects.count()


def test_it_keeps_what_was_typed_when_a_field_is_missing(client, article):
    response = client.post(url(article, "discussion:comment_post"),
                           {"name": "", "text": "My careful words", "parent": ""})

    assert "My careful words</textarea>" in response.content.decode()


def test_it_renders_script_in_a_comment_and_name_inert(client, article):
    client.post(url(article, "discussion:comment_post"), {
        "name": "<script>alert('n')</script>", "text": "<script>alert('t')</script><img src=x "
                                                       "onerror=alert(1)>"})

    html = client.get(url(article)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;n&#x27;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_it_shows_a_reply_form_for_the_chosen_comment(client, article):
    comment_post(article=article, text="First", name="Ann")

    html = client.get(url(article) + "?reply=1").content.decode()

    assert "Reply to #1 by Ann" in html
    assert 'name="parent" value="1"' in html


def test_it_shows_replies_in_thread_with_their_parent_number(client, article):
    comment_post(article=article, text="First", name="Ann")
    client.post(url(article, "discussion:comment_post"),
                {"name": "Bob", "text": "I disagree", "parent": "1"})

    html = client.get(url(article)).content.decode()
    assert 'In reply to <a href="#c1">#1</a>' in html
    assert 2 == Comment.objects.get(number=2).number and 1 == Comment.objects.get(number=2).depth


def test_it_shows_a_member_badge(client, article, member):
    comment_post(article=article, text="As a member", user=member)

    html = client.get(url(article)).content.decode()
    assert '<strong class="name">Mo Member</strong> <span class="badge">Member</span>' in html


@pytest.mark.parametrize(("status", "badged"), [
    (Membership.Status.IN_ARREARS, True), (Membership.Status.LAPSED, False)])
def test_it_shows_a_badge_only_while_in_good_standing(client, article, member, status, badged):
    Membership.objects.filter(user=member).update(status=status)
    comment_post(article=article, text="Still here", user=member)

    html = client.get(url(article)).content.decode()
    assert badged == ('<span class="badge">Member</span>' in html)


def test_it_answers_a_refused_reply_with_the_reason(client, article):
    response = client.post(url(article, "discussion:comment_post"),
                           {"name": "Bob", "text": "Hi", "parent": "99"})

    assert 400 == response.status_code
    assert "The comment you are replying to is not on this article." in response.content.decode()


def test_it_answers_a_flood_with_429_and_a_clear_message(client, article):
    for i in range(5):
        client.post(url(article, "discussion:comment_post"), {"name": "Bot", "text": f"{i}"})

    response = client.post(url(article, "discussion:comment_post"),
                           {"name": "Bot", "text": "more"})

    assert 429 == response.status_code
    assert "You have sent too many comments in a short time." in response.content.decode()


@pytest.mark.parametrize("name", ["discussion:comment_post"])
def test_it_refuses_get_on_post_only_views(client, article, name):
    assert 405 == client.get(url(article, name)).status_code


@pytest.mark.parametrize("name", ["discussion:comment_edit", "discussion:comment_withdraw",
                                  "discussion:comment_report"])
def test_it_refuses_get_on_comment_actions(client, article, name):
    comment_post(article=article, text="Hi", name="Ann")

    assert 405 == client.get(reverse(name, args=[article.slug, 1])).status_code
