from django.urls import path

from rankfile.membership import views_stats

app_name = "stats"
urlpatterns = [
    path("stats/", views_stats.stats, name="page"),
]
