import pytest
from django.urls import reverse

from rankfile.discussion.models import Comment
from rankfile.discussion.services.comments import comment_post


@pytest.mark.parametrize("model", ["article", "tag", "comment", "commentreport", "blockedterm",
                                   "moderationlog", "approvedcommenter",
                                   "bodydiscussionsettings"])
def test_it_lists_every_model_in_the_admin(admin_client, article, model):
    comment_post(article=article, text="Hi", name="Val")

    assert 200 == admin_client.get(reverse(f"admin:discussion_{model}_changelist")).status_code


def test_it_erases_commenters_emails_from_the_admin(admin_client, article):
    comment = comment_post(article=article, text="Hi", name="Val", email="val@example.org")

    admin_client.post(reverse("admin:discussion_comment_changelist"), {
        "action": "erase_emails", "_selected_action": [comment.pk]})

    assert "" == Comment.objects.get().email
