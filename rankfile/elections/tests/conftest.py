"""What the elections' tests need besides the personas (rankfile/demo/personas.py):

- ``returning_officer`` and ``scrutineer`` of the organisation;
- ``election``: the organisation's leadership election, three candidates, in
  nominations, with rules that let the ``member`` persona vote;
- ``open_election``: the same with the roll drawn and frozen, and the box open.
"""

from __future__ import annotations

import pytest

from rankfile.elections.tests.helpers import make_election, open_it


@pytest.fixture
def returning_officer(area):
    from rankfile.demo.personas import make_returning_officer

    return make_returning_officer(area)


@pytest.fixture
def scrutineer(area):
    from rankfile.demo.personas import make_scrutineer

    return make_scrutineer(area)


@pytest.fixture
def election(area, returning_officer):
    return make_election(area, returning_officer)


@pytest.fixture
def open_election(election, returning_officer, member, supporter):
    return open_it(election, returning_officer)


@pytest.fixture
def chair(area, returning_officer):
    """An election taking nominations (``nomination_helpers.make_chair``)."""
    from rankfile.elections.tests.nomination_helpers import make_chair

    return make_chair(area, returning_officer)
