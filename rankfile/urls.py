from django.contrib import admin
from django.urls import include, path

from rankfile.accounts import views as accounts_views

# The API first: a surge's POST /api/join is resolved without trying every page's pattern.
urlpatterns = [
    path("api/", include("rankfile.api.urls")),
    path("", include("rankfile.core.urls")),
    # allauth's e-mail page with our rule for the primary address (verified only).
    path("accounts/email/", accounts_views.email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("", include("rankfile.accounts.urls")),
    path("", include("rankfile.membership.urls.joining")),
    path("", include("rankfile.membership.urls.stats")),
    path("", include("rankfile.membership.urls.me")),
    path("", include("rankfile.vetting.urls")),
    path("", include("rankfile.mailings.urls")),
    path("", include("rankfile.privacy.urls")),
    path("", include("rankfile.branches.urls")),
    path("", include("rankfile.front.urls")),
    path("articles/", include("rankfile.discussion.urls")),
    path("", include("rankfile.meetings.urls")),
    path("elections/", include("rankfile.elections.urls")),
    path("selections/", include("rankfile.selections.urls")),
    path("admin/", admin.site.urls),
]

# Error pages in the site's layout; under /api/, the API's JSON error shape.
handler400 = "rankfile.core.errorpages.bad_request"
handler403 = "rankfile.core.errorpages.permission_denied"
handler404 = "rankfile.core.errorpages.page_not_found"
handler500 = "rankfile.core.errorpages.server_error"
