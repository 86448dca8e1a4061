"""The HTML declaration in a browser: axe-core finds nothing serious, and it prints."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from rankfile.counting.base import CountOptions
from rankfile.counting.blt import read_blt
from rankfile.counting.engine import count
from rankfile.counting.render import Source, render_html
from rankfile.counting.tests.conftest import DATA

pytestmark = pytest.mark.browser


def test_it_publishes_a_declaration_with_no_serious_accessibility_fault(page: Any) -> None:
    path = DATA / "glasgow2007_calton.blt"
    with open(path, "rb") as f:
        result = count(read_blt(f, path.name), "stv-scottish", options=CountOptions(seed=1))
    page.set_content(render_html(result, Source.of(path.name, path.read_bytes())))

    found = Axe().run(page).response["violations"]

    serious = [(v["id"], v["impact"]) for v in found if v["impact"] in ("serious", "critical")]
    assert [] == serious
    assert page.get_by_role("img", name="CALTON: votes by stage, quota 1300.00000").is_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
