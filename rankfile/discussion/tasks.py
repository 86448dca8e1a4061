"""Background jobs of the discussion app (Django's Tasks API)."""

from __future__ import annotations

from django_tasks import TaskContext, task


@task(takes_context=True)
def send_erase_link(context: TaskContext, *, email: str, url: str | None = None) -> bool:
    """Mail a commenter the signed link that erases their address, if any comment has it.

    ``url`` is ignored: jobs queued by earlier versions carried the link, which
    is now made when the job runs (a job's arguments hold no secret).
    """
    from rankfile.discussion.services.moderation import commenter_erase_link_send

    return commenter_erase_link_send(email=email, key=str(context.task_result.id))
