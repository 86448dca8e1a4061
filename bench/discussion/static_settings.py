"""Settings used only to collect static files for this benchmark.

rankfile.settings does not list the site-wide directory rankfile/static in
STATICFILES_DIRS, so in production mode base.html's site.css has no manifest
entry and every page fails. Until core fixes that, the benchmark collects
with this directory added; the server itself runs on rankfile.settings.
"""

from rankfile.settings import *  # noqa: F403

STATICFILES_DIRS = [BASE_DIR / "rankfile" / "static"]  # noqa: F405
