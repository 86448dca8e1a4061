"""The environment a benchmark's Django processes run in, and the machine it runs on.

``django_env(base)`` adds the benchmarks' settings module (``benchsite``: the
site plus its comparison views and their table) to an environment;
``machine()`` describes the machine for the figures.
"""

from __future__ import annotations

import os
import platform
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
    if env.get("RANKFILE_MODE") == "production":
        # Production refuses to start without SITE_URL (core/checks.py, E003): the
        # benchmarks serve on the loopback address, and their e-mails go nowhere.
        env.setdefault("SITE_URL", "http://127.0.0.1")
    return env


def machine() -> str:
    """Cores, CPU model and Python version, for a benchmark's figures."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"
