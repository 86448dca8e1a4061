"""Local structure: bodies (organisation, regions, constituencies, branches),
wards, and postcodes.

A branch is a set of wards. Which branch a ward belongs to is dated
(``WardPlacement``) so that a boundary change keeps history: a placement is
closed on the day before the new one starts, never deleted.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


class Body(models.Model):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        REGION = "region", "Region"
        CONSTITUENCY = "constituency", "Constituency"
        BRANCH = "branch", "Branch"
        # A grassroots group inside the organisation: its own members, who join it.
        GROUP = "group", "Group"
        # An affiliated organisation's local branch (a trade union's), affiliated to the
        # constituency that is its parent: it meets, and its delegates join it as in a group.
        AFFILIATE = "affiliate", "Affiliate"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    # Public code: ONS code for a constituency (E14...), our own for others.
    code = models.CharField(max_length=40, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(default=dt.date(2000, 1, 1))
    valid_to = models.DateField(null=True, blank=True)
    # The body's own address (a branch's shared mailbox), shown on its public page;
    # never an officer's personal address.
    contact_email = models.EmailField("contact e-mail address", blank=True)

    class Meta:
        verbose_name_plural = "bodies"
        ordering = ("kind", "name")
        indexes = [models.Index(fields=("kind", "name"))]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Body]:
        """This body's parents, nearest first (not including itself)."""
        found: list[Body] = []
        seen = {self.pk}
        body = self.parent
        while body is not None and body.pk not in seen:
            found.append(body)
            seen.add(body.pk)
            body = body.parent
        return found


class Ward(models.Model):
    # ONS ward code (E05...). Names repeat across areas: key on the code.
    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=200)
    constituency = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="wards",
        limit_choices_to={"kind": Body.Kind.CONSTITUENCY},
    )
    lad_code = models.CharField("local authority code", max_length=9, blank=True)
    lad_name = models.CharField("local authority", max_length=200, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class WardPlacementQuerySet(models.QuerySet["WardPlacement"]):
    def on(self, day: dt.date) -> WardPlacementQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class WardPlacement(models.Model):
    """Ward ``ward`` belongs to branch ``branch`` from ``valid_from`` to ``valid_to`` (inclusive)."""

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="placements")
    branch = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="ward_placements",
        limit_choices_to={"kind": Body.Kind.BRANCH},
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    objects = WardPlacementQuerySet.as_manager()

    class Meta:
        ordering = ("ward", "valid_from")
        constraints = [
            models.UniqueConstraint(
                fields=("ward",), condition=Q(valid_to__isnull=True), name="one_open_placement_per_ward"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ward} in {self.branch} from {self.valid_from}"


class Postcode(models.Model):
    # Normalised form, e.g. "E17 0AB" (see branches.postcodes.normalise_postcode).
    postcode = models.CharField(max_length=8, unique=True)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="postcodes")

    class Meta:
        ordering = ("postcode",)

    def __str__(self) -> str:
        return self.postcode
