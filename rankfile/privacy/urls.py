from django.urls import path

from rankfile.privacy import views

app_name = "privacy"
urlpatterns = [
    path("me/data/", views.my_data, name="my_data"),
    path("me/data.json", views.my_data_json, name="my_data_json"),
    path("staff/erasures/", views.staff_erasures, name="staff_erasures"),
    path("staff/erasures/guest/", views.staff_guest_erasure, name="staff_guest_erasure"),
]
