"""What the selections' tests need besides the personas: a returning officer."""

from __future__ import annotations

import pytest


@pytest.fixture
def returning_officer(area):
    from rankfile.demo.personas import make_returning_officer

    return make_returning_officer(area)
