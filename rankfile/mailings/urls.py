from django.urls import path

from rankfile.mailings import views

app_name = "mailings"
urlpatterns = [
    path("me/mail/", views.preferences, name="preferences"),
    path("mail/unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("officers/mail/", views.officer_home, name="officer_home"),
    path("officers/mail/<str:code>/", views.compose, name="compose"),
]
