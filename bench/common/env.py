"""The environment a benchmark's Django processes run in.

``django_env(base)`` adds the benchmarks' settings module (``benchsite``: the
site plus its comparison views and their table) to an environment.
"""

from __future__ import annotations

import os
from pathlib import Path

COMMON = Path(__file__).resolve().parent
ROOT = COMMON.parents[1]


def django_env(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    paths = [str(COMMON), str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["DJANGO_SETTINGS_MODULE"] = "benchsite.settings"
    return env
