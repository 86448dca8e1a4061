from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"ORGANISATION_NAME": settings.ORGANISATION_NAME, "SITE_URL": settings.SITE_URL}
