"""Admin for elections: read only. An election is run on its own pages (the
returning officer's ``/elections/<slug>/manage/``, postal keying beside it) through
``elections/services``, which write the audit log; nothing is changed here.

Secrecy holds here too: a ballot is shown only once its election's box is closed,
and holds nothing that leads to a voter; a credential shows whose it is and when
it was issued or revoked, never its code (nor the code's HMAC). The keyings of
paper ballots not yet cast (``PostalKeying``) link a voter to a ranking for as
long as the keyers need them, so they are not in the admin at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest

from rankfile.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from rankfile.elections.access import BOX_CLOSED
from rankfile.elections.models import (
    AuditEntry,
    Ballot,
    Candidate,
    Credential,
    Election,
    RollEntry,
    RollRules,
)
from rankfile.elections.services.audit import audit_actor_shown, audit_actors_shown


class CandidateInline(ReadOnlyInline):
    model = Candidate
    fields = ("position", "name", "withdrawn", "statement")
    readonly_fields = fields


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    """Set up with the election services; run on ``/elections/<slug>/manage/``."""

    list_display = ("title", "slug", "body", "method", "seats", "status", "trackers")
    list_filter = ("status", "method", "trackers")
    list_select_related = ("body",)
    search_fields = ("title", "slug")
    inlines = [CandidateInline]
    fields = ("slug", "title", "body", "seats", "method", "options", "sections", "trackers",
              "nominations_open_at", "nominations_close_at", "ballot_opens_at",
              "ballot_closes_at", "status", "created_at", "counted_at", "published_at",
              "bulletin_blt_sha256", "bulletin_csv_sha256", "bulletin_trackers_sha256")
    readonly_fields = fields


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    """Added and withdrawn by the returning officer (``services/setup.py``)."""

    list_display = ("name", "election", "position", "withdrawn")
    list_filter = ("withdrawn",)
    list_select_related = ("election",)
    search_fields = ("name", "election__title")
    fields = ("election", "name", "position", "withdrawn", "statement")
    readonly_fields = fields


@admin.register(RollRules)
class RollRulesAdmin(ReadOnlyAdmin):
    """Written, evaluated and frozen on the returning officer's page."""

    list_display = ("election", "version", "evaluated_at", "frozen_at")
    list_select_related = ("election",)
    fields = ("election", "version", "rules", "created_at", "created_by", "evaluated_at",
              "frozen_at", "rules_sha256", "roll_sha256")
    readonly_fields = fields


@admin.register(RollEntry)
class RollEntryAdmin(ReadOnlyAdmin):
    """Drawn by the rules (``services/roll.py``); claims and objections change it."""

    list_display = ("user", "election", "section", "eligible", "voted_on")
    list_filter = ("eligible", "section")
    list_select_related = ("user", "election")
    search_fields = ("user__email", "membership__reference", "election__title")
    fields = ("election", "rules", "user", "membership", "section", "branch", "eligible",
              "reason", "voted_on")
    readonly_fields = fields


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    """Issued and reissued on the election's pages; never shows the code or its HMAC."""

    list_display = ("entry", "issued_at", "revoked_at")
    list_select_related = ("entry",)
    fields = ("entry", "issued_at", "revoked_at")
    readonly_fields = fields


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    """The box: shown once the election is closed (its contents are sealed till then)."""

    list_display = ("tracker", "election", "section", "cast_on")
    list_filter = ("section",)
    list_select_related = ("election",)
    search_fields = ("tracker",)
    fields = ("election", "section", "ranking", "tracker", "cast_on")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ballot]:
        return super().get_queryset(request).filter(election__status__in=BOX_CLOSED)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Written by each step's service in its transaction; ``rankfile verify_audit``."""

    list_display = ("election", "number", "at", "action", "who")
    list_filter = ("action",)
    list_select_related = ("election",)
    fields = ("election", "number", "at", "action", "who", "actor", "details",
              "previous_hash", "entry_hash")
    readonly_fields = fields

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return _AuditChangeList

    @admin.display(description="who")
    def who(self, entry: AuditEntry) -> str:
        # The chain keeps a person's account number; their address is looked up now
        # (for a page of the list, once: _AuditChangeList).
        shown = getattr(entry, "shown", None)
        return shown if shown is not None else audit_actor_shown(entry.actor)


class _AuditChangeList(ChangeList):
    """The audit list, its page's people looked up in one read, not one per entry."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        shown = audit_actors_shown(entry.actor for entry in self.result_list)
        for entry in self.result_list:
            entry.shown = shown[entry.actor]
