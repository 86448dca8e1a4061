"""The benchmarks' own Django app: comparison views and their table.

Never installed in a deployment: a benchmark's server runs with
``DJANGO_SETTINGS_MODULE=benchsite.settings`` and ``bench/common`` on
``PYTHONPATH`` (``bench/common/env.py`` sets both).
"""
