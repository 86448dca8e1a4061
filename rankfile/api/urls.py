"""URLs of the API, mounted at /api/ (OpenAPI description at /api/openapi.json).

With ``RANKFILE_BENCH_VIEWS=1`` in the environment, /api/bench/trivial and
/api/bench/insert are mounted too, for bench/signup_surge only.
"""

import os

from django.urls import path

from rankfile.api import bench
from rankfile.api.api import api

urlpatterns = []
# Read at import, not from settings: the benchmark's server sets it; nothing else should.
if os.environ.get("RANKFILE_BENCH_VIEWS") == "1":
    urlpatterns += [
        path("bench/trivial", bench.trivial, name="bench-trivial"),
        path("bench/insert", bench.insert, name="bench-insert"),
    ]
urlpatterns += [path("", api.urls)]
