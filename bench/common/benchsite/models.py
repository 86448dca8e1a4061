"""Rows the benchmarks keep for themselves."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class BenchRow(models.Model):
    """One row per hit of the bare insert view: the cost of one committed INSERT
    through the full stack, the ceiling a sign-up is compared with."""

    created_at = models.DateTimeField()

    # Named, since this app is not installed in the settings mypy reads.
    objects: ClassVar[models.Manager[BenchRow]] = models.Manager()

    def __str__(self) -> str:
        return f"bench row {self.pk}"
