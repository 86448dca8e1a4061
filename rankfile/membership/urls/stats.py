from django.urls import path

from rankfile.membership.views import stats

app_name = "stats"
urlpatterns = [
    path("stats/", stats.stats, name="page"),
]
