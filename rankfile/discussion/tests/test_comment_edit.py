import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rankfile.core.errors import PermissionRefused, Refusal
from rankfile.discussion.models import Comment, CommentPolicy
from rankfile.discussion.services.comments import comment_edit, comment_post, comment_withdraw

S = Comment.Status


@pytest.fixture
def visitor_comment(article):
    return comment_post(article=article, text="Frist", name="Val", email="val@example.org",
                        secret="browser-secret")


def test_it_lets_a_visitor_edit_within_15_minutes_and_marks_it_edited(visitor_comment):
    comment_edit(comment=visitor_comment, text="First", secret="browser-secret")

    comment = Comment.objects.get(pk=visitor_comment.pk)
    assert ("First", "<p>First</p>") == (comment.text, comment.html)
    assert comment.edited_at is not None


def test_it_refuses_an_edit_after_15_minutes(visitor_comment):
    later = visitor_comment.created_at + dt.timedelta(minutes=15, seconds=1)

    with pytest.raises(Refusal) as e:
        comment_edit(comment=visitor_comment, text="Late", secret="browser-secret", now=later)

    assert "Comments can only be edited for 15 minutes after posting." == e.value.message


def test_it_refuses_an_edit_from_another_browser(visitor_comment):
    with pytest.raises(PermissionRefused):
        comment_edit(comment=visitor_comment, text="Hijack", secret="other-secret")
    with pytest.raises(PermissionRefused):
        comment_edit(comment=visitor_comment, text="Hijack", secret="")


def test_it_refuses_an_edit_by_another_member(article, member, author):
    comment = comment_post(article=article, text="Mine", user=member)

    with pytest.raises(PermissionRefused):
        comment_edit(comment=comment, text="Theirs", user=author)


def test_it_refuses_an_empty_edit(visitor_comment):
    with pytest.raises(Refusal) as e:
        comment_edit(comment=visitor_comment, text="  ", secret="browser-secret")

    assert "Please enter your comment" == e.value.message


def test_it_withdraws_a_comment_erasing_its_words_and_keeping_its_place(visitor_comment,
                                                                         client):
    comment_post(article=visitor_comment.article, text="Reply", name="Ann", parent_number=1)

    comment_withdraw(comment=visitor_comment, secret="browser-secret")

    comment = Comment.objects.get(pk=visitor_comment.pk)
    assert (S.WITHDRAWN, "", "", "") == (comment.status, comment.text, comment.html,
                                         comment.email)
    html = client.get(comment.article.get_absolute_url()).content.decode()
    assert "Withdrawn by its author" in html and "Reply" in html


def test_it_edits_through_the_page_with_the_browser_cookie(client, article):
    client.post(reverse("discussion:comment_post", args=[article.slug]),
                {"name": "Val", "text": "Frist"})

    response = client.post(reverse("discussion:comment_edit", args=[article.slug, 1]),
                           {"text": "First"})

    assert 302 == response.status_code
    assert "First" == Comment.objects.get().text
    assert "(edited)" in client.get(article.get_absolute_url()).content.decode()


def test_it_refuses_an_edit_through_the_page_without_the_cookie(client, article):
    comment_post(article=article, text="Frist", name="Val", secret="theirs")

    client.post(reverse("discussion:comment_edit", args=[article.slug, 1]), {"text": "Mine"})

    assert "Frist" == Comment.objects.get().text


def test_it_withdraws_through_the_page(client, article):
    client.post(reverse("discussion:comment_post", args=[article.slug]),
                {"name": "Val", "text": "Oops"})

    client.post(reverse("discussion:comment_withdraw", args=[article.slug, 1]))

    assert S.WITHDRAWN == Comment.objects.get().status


def test_it_ignores_a_tampered_cookie(client, article):
    comment_post(article=article, text="Frist", name="Val", secret="theirs")
    client.cookies["rf_commenter"] = "theirs"

    client.post(reverse("discussion:comment_withdraw", args=[article.slug, 1]))

    assert S.VISIBLE == Comment.objects.get().status
    assert timezone.now()


def test_an_approved_comment_edited_later_goes_back_to_the_queue(article, member, moderator):
    from rankfile.discussion.services.moderation import comment_moderate

    article.comment_policy = CommentPolicy.PREMODERATED
    article.save()
    comment = comment_post(article=article, text="Harmless", user=member)
    comment_moderate(comment=comment, moderator=moderator, action="approve", reason="Fine")

    comment_edit(comment=Comment.objects.get(pk=comment.pk), text="Now something else",
                 user=member)

    assert S.PENDING == Comment.objects.get(pk=comment.pk).status


def test_a_comment_approved_after_a_report_goes_back_to_the_queue_when_edited(
        article, member, moderator):
    from rankfile.discussion.services.moderation import comment_moderate

    comment = comment_post(article=article, text="Open article", user=member)
    comment_moderate(comment=comment, moderator=moderator, action="approve", reason="Fine")

    comment_edit(comment=Comment.objects.get(pk=comment.pk), text="Changed", user=member)

    assert S.PENDING == Comment.objects.get(pk=comment.pk).status


def test_an_edit_on_an_open_article_stays_visible(visitor_comment):
    comment_edit(comment=visitor_comment, text="First", secret="browser-secret")

    assert S.VISIBLE == Comment.objects.get(pk=visitor_comment.pk).status


def test_a_moderators_own_edit_stays_visible(article, moderator):
    article.comment_policy = CommentPolicy.PREMODERATED
    article.save()
    comment = comment_post(article=article, text="Ours", user=moderator)

    comment_edit(comment=comment, text="Ours, corrected", user=moderator)

    assert S.VISIBLE == Comment.objects.get(pk=comment.pk).status
