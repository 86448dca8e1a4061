"""The engine's tests need no Django: override the project's Django fixtures."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

DATA = Path(__file__).parent / "data"

settings.register_profile(
    "counting",
    deadline=None,
    derandomize=True,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("counting")


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Shadow the project's cache-clearing fixture, which needs Django."""
    yield
