"""The architecture's rules that import-linter cannot state.

The import contracts themselves live in pyproject.toml and run in ``make lint``;
this checks that no app reaches into another's private names.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "rankfile"


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "rankfile" else None


def _private_imports() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        own_app = relative.parts[1] if len(relative.parts) > 2 else None
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            app = _app_of(node.module)
            if app is None or app == own_app:
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{relative}:{node.lineno} imports {node.module}.{alias.name}")
    return found


def test_it_finds_no_app_importing_another_apps_private_names():
    assert [] == _private_imports()


def test_the_check_would_see_a_private_import(tmp_path, monkeypatch):
    """The scan is real: a planted private import across apps is reported."""
    app = tmp_path / "rankfile" / "someapp"
    app.mkdir(parents=True)
    (app / "views.py").write_text("from rankfile.otherapp.services import _secret\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE",
                        tmp_path / "rankfile")

    assert ["rankfile/someapp/views.py:1 imports rankfile.otherapp.services._secret"] == (
        _private_imports())
