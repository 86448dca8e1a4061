"""Rows the API keeps for itself."""

from __future__ import annotations

from django.db import models


class BenchRow(models.Model):
    """One row per hit of the benchmark's bare insert view (bench/signup_surge).

    Only written when the server runs with ``RANKFILE_BENCH_VIEWS=1``: it
    measures the cost of one committed INSERT through the full stack, the
    ceiling a sign-up is compared with.
    """

    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"bench row {self.pk}"
