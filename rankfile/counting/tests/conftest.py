"""The engine's tests need no Django: override the project's Django fixtures."""

from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Shadow the project's cache-clearing fixture, which needs Django."""
    yield
