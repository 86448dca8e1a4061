"""A URL configuration with a view that fails, and the site's 500 handler."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom)]
handler500 = "rankfile.core.errorpages.server_error"
