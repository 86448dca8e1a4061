from django.urls import path

from rankfile.front import views

app_name = "front"
urlpatterns = [
    path("", views.home, name="home"),
    # After branches' own pages (branches/find/ is not a branch's code).
    path("branches/<str:code>/", views.branch, name="branch"),
]
