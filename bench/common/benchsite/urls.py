"""The site's URLs, with the benchmarks' comparison views first."""

from django.urls import include, path

from benchsite import views

urlpatterns = [
    path("api/bench/trivial", views.trivial, name="bench-trivial"),
    path("api/bench/insert", views.insert, name="bench-insert"),
    path("", include("rankfile.urls")),
]
