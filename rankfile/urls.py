from django.contrib import admin
from django.urls import include, path

# The API first: a surge's POST /api/join is resolved without trying every page's pattern.
urlpatterns = [
    path("api/", include("rankfile.api.urls")),
    path("", include("rankfile.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("rankfile.accounts.urls")),
    path("", include("rankfile.membership.urls.joining")),
    path("", include("rankfile.membership.urls.stats")),
    path("", include("rankfile.membership.urls.me")),
    path("", include("rankfile.branches.urls")),
    path("", include("rankfile.front.urls")),
    path("articles/", include("rankfile.discussion.urls")),
    path("admin/", admin.site.urls),
]
