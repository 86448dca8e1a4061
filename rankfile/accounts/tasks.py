"""Background jobs of the accounts app."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.utils import user_pk_to_url_str
from django_tasks import TaskContext, task

from rankfile.accounts.adapter import mail_from_job


@task(takes_context=True)
def send_password_reset(context: TaskContext, *, email: str) -> int:
    """Mail a password reset link to ``email`` if it belongs to an account; else nothing.

    Queued for every request, known address or not, so that the reset form
    answers alike for both: the lookup happens here, out of sight. Returns how
    many accounts were mailed.
    """
    # As allauth's own reset form looks up: for_login compares addresses by
    # lower case only, not Unicode folding, which could match another mailbox.
    users = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
    adapter = get_adapter()
    with mail_from_job(f"password_reset:{context.task_result.id}"):
        for user in users:  # as allauth's request_password_reset does
            uid, temp_key = user_pk_to_url_str(user), default_token_generator.make_token(user)
            adapter.send_password_reset_mail(user, email, {
                "user": user, "uid": uid, "key": temp_key,
                "password_reset_url": adapter.get_reset_password_from_key_url(
                    f"{uid}-{temp_key}"),
            })
    return len(users)
