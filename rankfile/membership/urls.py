from django.urls import path

from rankfile.membership import views

app_name = "membership"
urlpatterns = [
    path("join/", views.join_choose, name="join"),
    path("join/done/<str:reference>/", views.join_done, name="join_done"),
    path("join/confirm/<str:token>/", views.join_confirm, name="confirm"),
    path("join/receipt/<str:reference>/", views.receipt, name="receipt"),
    path("join/<slug:category>/", views.join_details, name="join_details"),
    path("privacy/", views.privacy, name="privacy"),
    path("staff/payments/", views.staff_payments, name="staff_payments"),
    path("staff/placements/", views.staff_placements, name="staff_placements"),
    path("staff/placements/<str:reference>/", views.staff_place, name="staff_place"),
    path("staff/payments/<str:reference>/record/", views.staff_payment_record,
         name="staff_payment_record"),
]
