import pytest
from django.urls import reverse

from rankfile.discussion.models import Article, BlockedTerm, Comment, ModerationLog
from rankfile.discussion.services.comments import comment_post


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.parametrize("model", ["article", "tag", "comment", "commentreport", "blockedterm",
                                   "moderationlog", "approvedcommenter",
                                   "bodydiscussionsettings"])
def test_it_lists_every_model_in_the_admin(staff_client, article, model):
    comment_post(article=article, text="Hi", name="Val")

    assert 200 == staff_client.get(reverse(f"admin:discussion_{model}_changelist")).status_code


def test_it_erases_commenters_emails_from_the_admin(staff_client, article):
    comment = comment_post(article=article, text="Hi", name="Val", email="val@example.org")

    staff_client.post(reverse("admin:discussion_comment_changelist"), {
        "action": "erase_emails", "_selected_action": [comment.pk]})

    assert "" == Comment.objects.get().email


def test_an_auditor_cannot_erase_commenters_emails(client, auditor, article):
    comment = comment_post(article=article, text="Hi", name="Val", email="val@example.org")
    client.force_login(auditor)

    client.post(reverse("admin:discussion_comment_changelist"), {
        "action": "erase_emails", "_selected_action": [comment.pk]})

    assert "val@example.org" == Comment.objects.get().email


def _article_form(client, article):
    form = client.get(reverse("admin:discussion_article_change", args=[article.pk])).context[
        "adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["tags"] = [t.pk for t in article.tags.all()]
    data.update({"authors-TOTAL_FORMS": 0, "authors-INITIAL_FORMS": 0})
    return data


def test_an_article_edited_in_the_admin_goes_through_the_service(staff_client, staff, article):
    data = _article_form(staff_client, article)
    data["markdown"] = "Join **today**."

    r = staff_client.post(reverse("admin:discussion_article_change", args=[article.pk]), data)

    article.refresh_from_db()
    assert 302 == r.status_code
    assert "<strong>today</strong>" in article.html
    assert ModerationLog.objects.filter(action="edit", actor=staff, article=article).exists()


def test_the_admin_shows_the_article_services_refusal_on_the_form(staff_client, article):
    data = _article_form(staff_client, article)
    data.update({"link_kind": "meeting", "link_url": ""})

    r = staff_client.post(reverse("admin:discussion_article_change", args=[article.pk]), data)

    article.refresh_from_db()
    assert 200 == r.status_code
    assert "Give both the kind and the address" in r.content.decode()
    assert "" == article.link_kind


def test_an_article_deleted_in_the_admin_is_logged(staff_client, staff, article):
    r = staff_client.post(reverse("admin:discussion_article_delete", args=[article.pk]),
                          {"post": "yes"})

    assert 302 == r.status_code
    assert not Article.objects.exists()
    assert "Why join now" in ModerationLog.objects.get(action="delete", actor=staff).reason


def test_an_auditor_reads_articles_but_cannot_change_or_delete_them(client, auditor, article):
    client.force_login(auditor)
    url = reverse("admin:discussion_article_change", args=[article.pk])

    read = client.get(url)
    change = client.post(url, {"title": "Hijacked"})
    delete = client.post(reverse("admin:discussion_article_delete", args=[article.pk]),
                         {"post": "yes"})

    article.refresh_from_db()
    assert (200, 403, 403) == (read.status_code, change.status_code, delete.status_code)
    assert "Why join now" == article.title


def test_a_blocked_term_added_in_the_admin_records_who(staff_client, staff, area):
    r = staff_client.post(reverse("admin:discussion_blockedterm_add"),
                          {"kind": "word", "value": "spam", "note": ""})

    assert 302 == r.status_code
    assert staff == BlockedTerm.objects.get().created_by
