"""The discussion's settings: tags, blocked terms, approved commenters and bodies'
comment policies. Staff edit them in the admin, which saves and deletes through
these two functions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rankfile.accounts.http import Actor
from rankfile.accounts.models import User
from rankfile.core.errors import PermissionRefused, full_clean_or_refuse
from rankfile.discussion.access import can_configure_discussion
from rankfile.discussion.models import ApprovedCommenter, BlockedTerm, BodyDiscussionSettings, Tag

Setting = Tag | BlockedTerm | ApprovedCommenter | BodyDiscussionSettings


def _check(by: Actor) -> None:
    if not can_configure_discussion(by):
        raise PermissionRefused("Only membership staff can change the discussion's settings.",
                                code="not_staff")


def discussion_setting_save(*, instance: Setting, by: Actor) -> Setting:
    """Save a tag, blocked term, approved commenter or body's comment policy. A new
    blocked term or approval records who made it.

    Raises:
        PermissionRefused: ``by`` is not national staff.
        Refusal: a field is not valid (``field`` names it). Nothing is saved.
    """
    _check(by)
    person = by if isinstance(by, User) else None
    if instance.pk is None and isinstance(instance, BlockedTerm):
        instance.created_by = person
    if isinstance(instance, ApprovedCommenter):
        if instance.pk is None:
            instance.approved_by = person
            instance.approved_at = instance.approved_at or timezone.now()
        instance.email = (instance.email or "").strip().lower() or None
    full_clean_or_refuse(instance)
    with transaction.atomic():
        instance.save()
    return instance


def discussion_setting_delete(*, instance: Setting, by: Actor) -> None:
    """Delete a tag (from every article), blocked term, approval or comment policy.

    Raises:
        PermissionRefused: ``by`` is not national staff.
    """
    _check(by)
    with transaction.atomic():
        instance.delete()
