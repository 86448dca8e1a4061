"""Rank & File's settings plus the benchmarks' app and URLs."""

from rankfile.settings import *  # noqa: F403
from rankfile.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchsite"]
ROOT_URLCONF = "benchsite.urls"
