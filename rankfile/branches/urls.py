from django.urls import path

from rankfile.branches import views

app_name = "branches"
urlpatterns = [
    path("branches/", views.index, name="index"),
    path("branches/find/", views.find, name="find"),
]
