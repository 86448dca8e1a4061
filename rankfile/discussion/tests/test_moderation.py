import pytest
from django.urls import reverse

from rankfile.core.errors import Conflict, NotFound, PermissionRefused, Refusal
from rankfile.discussion.models import Comment, CommentPolicy, CommentReport, ModerationLog
from rankfile.discussion.services.comments import comment_post, comment_report
from rankfile.discussion.services.moderation import comment_moderate

S = Comment.Status


@pytest.fixture
def thread(article):
    parent = comment_post(article=article, text="Nasty words", name="Troll")
    reply = comment_post(article=article, text="That is unfair", name="Ann", parent_number=1)
    return parent, reply


def test_it_records_a_report_with_its_reason(thread, member):
    report = comment_report(comment=thread[0], reason="abuse", detail="Insults", user=member)

    assert ("abuse", "Insults", member) == (report.reason, report.detail, report.reporter)
    assert 1 == ModerationLog.objects.filter(action="report", comment=thread[0]).count()


def test_it_refuses_a_second_report_from_the_same_account(thread, member):
    comment_report(comment=thread[0], reason="abuse", user=member)

    with pytest.raises(Conflict):
        comment_report(comment=thread[0], reason="spam", user=member)


def test_it_refuses_a_report_on_an_article_the_reporter_may_not_read(thread, outsider):
    article = thread[0].article
    article.visibility = "members"
    article.save()

    with pytest.raises(NotFound):
        comment_report(comment=thread[0], reason="abuse", user=outsider)

    assert not CommentReport.objects.exists()


def test_it_refuses_a_report_without_a_reason(thread):
    with pytest.raises(Refusal) as e:
        comment_report(comment=thread[0], reason="")

    assert "reason" == e.value.field


def test_it_removes_a_comment_and_keeps_its_place(thread, moderator, member, client):
    comment_report(comment=thread[0], reason="abuse", user=member)

    comment_moderate(comment=thread[0], moderator=moderator, action="hide", reason="Insults")

    parent = Comment.objects.get(pk=thread[0].pk)
    assert (S.HIDDEN, "Insults", moderator) == (
        parent.status, parent.moderation_reason, parent.moderated_by)
    assert 0 == CommentReport.objects.filter(resolved_at__isnull=True).count()
    html = client.get(parent.article.get_absolute_url()).content.decode()
    assert "Removed by moderators" in html and "Nasty words" not in html and "Troll" not in html
    assert "That is unfair" in html and 'In reply to <a href="#c1">#1</a>' in html
    assert [("hide", moderator.pk, "Insults")] == list(
        ModerationLog.objects.filter(action="hide").values_list("action", "actor", "reason"))


def test_it_refuses_a_moderator_of_another_branch(thread, other_moderator):
    with pytest.raises(PermissionRefused):
        comment_moderate(comment=thread[0], moderator=other_moderator, action="hide",
                         reason="Not mine")

    assert S.VISIBLE == Comment.objects.get(pk=thread[0].pk).status


def test_it_answers_403_to_a_moderator_of_another_branch(thread, other_moderator, client):
    client.force_login(other_moderator)

    response = client.post(reverse("discussion:decide", args=[thread[0].pk]),
                           {"action": "hide", "reason": "Not mine"})

    assert 403 == response.status_code
    assert S.VISIBLE == Comment.objects.get(pk=thread[0].pk).status


def test_it_lets_staff_of_the_organisation_moderate_any_branch(thread, staff):
    comment_moderate(comment=thread[0], moderator=staff, action="hide", reason="Abuse")

    assert S.HIDDEN == Comment.objects.get(pk=thread[0].pk).status


def test_it_requires_a_reason(thread, moderator):
    with pytest.raises(Refusal) as e:
        comment_moderate(comment=thread[0], moderator=moderator, action="hide", reason=" ")

    assert "Give a reason for your decision." == e.value.message


def test_it_approves_a_pending_comment_and_its_member(article, moderator, member):
    from rankfile.accounts.services import email_address_confirm

    article.comment_policy = CommentPolicy.PREMODERATED
    article.save()
    email_address_confirm(user=member)  # approved under a verified address only
    first = comment_post(article=article, text="Hello", user=member)

    comment_moderate(comment=first, moderator=moderator, action="approve", reason="Fine")

    assert S.VISIBLE == Comment.objects.get(pk=first.pk).status
    assert S.VISIBLE == comment_post(article=article, text="Again", user=member).status


def test_an_approved_member_without_a_verified_address_stays_moderated(article, moderator,
                                                                       member):
    article.comment_policy = CommentPolicy.PREMODERATED
    article.save()
    first = comment_post(article=article, text="Hello", user=member)

    comment_moderate(comment=first, moderator=moderator, action="approve", reason="Fine")

    assert S.PENDING == comment_post(article=article, text="Again", user=member).status


def test_it_hides_a_pending_comment_from_other_readers(article, client):
    article.comment_policy = CommentPolicy.PREMODERATED
    article.save()
    client.post(reverse("discussion:comment_post", args=[article.slug]),
                {"name": "Val", "text": "Wait for me"})

    assert "Wait for me" in client.get(article.get_absolute_url()).content.decode()
    client.cookies.clear()
    assert "Wait for me" not in client.get(article.get_absolute_url()).content.decode()


def test_it_shows_the_queue_to_moderators_of_the_body_only(thread, moderator, other_moderator,
                                                           member, client):
    comment_report(comment=thread[0], reason="abuse", detail="Insults", user=member)

    client.force_login(moderator)
    html = client.get(reverse("discussion:moderation")).content.decode()
    assert "Nasty words" in html and "Insults" in html and "That is unfair" not in html
    client.force_login(other_moderator)
    assert "Nasty words" not in client.get(reverse("discussion:moderation")).content.decode()
    client.force_login(member)
    assert 403 == client.get(reverse("discussion:moderation")).status_code


def test_it_removes_from_the_queue_through_the_page(thread, moderator, client):
    client.force_login(moderator)

    response = client.post(reverse("discussion:decide", args=[thread[0].pk]),
                           {"action": "hide", "reason": "Insults"})

    assert 302 == response.status_code
    assert S.HIDDEN == Comment.objects.get(pk=thread[0].pk).status


def test_it_refuses_get_on_the_moderation_action(thread, moderator, client):
    client.force_login(moderator)

    assert 405 == client.get(reverse("discussion:decide", args=[thread[0].pk])).status_code


def test_it_reports_through_the_page(thread, member, client):
    client.force_login(member)

    response = client.post(reverse("discussion:comment_report", args=[thread[0].article.slug, 1]),
                           {"reason": "abuse", "detail": ""})

    assert 302 == response.status_code
    assert 1 == CommentReport.objects.filter(comment=thread[0], reporter=member).count()
