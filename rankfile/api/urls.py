"""URLs of the API, mounted at /api/ (OpenAPI description at /api/openapi.json)."""

from django.urls import path

from rankfile.api.api import api

urlpatterns = [path("", api.urls)]
