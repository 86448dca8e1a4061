"""Vetting: staff pages under /staff/vetting/, the applicant's page at /me/vetting/."""

from django.urls import path

from rankfile.vetting import views

app_name = "vetting"
urlpatterns = [
    path("staff/vetting/", views.queue, name="queue"),
    path("staff/vetting/bulk/", views.bulk, name="bulk"),
    path("staff/vetting/check/", views.run_checks, name="check"),
    path("staff/vetting/appeals/", views.appeals, name="appeals"),
    path("staff/vetting/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("staff/vetting/exclusions/", views.exclusions, name="exclusions"),
    path("staff/vetting/exclusions/<int:pk>/remove/", views.exclusion_remove,
         name="exclusion_remove"),
    path("staff/vetting/unions/", views.unions, name="unions"),
    path("staff/vetting/duplicates/", views.duplicates, name="duplicates"),
    path("staff/vetting/duplicates/<int:pk>/", views.pair, name="pair"),
    path("staff/vetting/duplicates/<int:pk>/merge/", views.pair_merge, name="pair_merge"),
    path("staff/vetting/duplicates/<int:pk>/distinct/", views.pair_distinct,
         name="pair_distinct"),
    path("staff/vetting/<str:reference>/", views.application, name="application"),
    path("staff/vetting/<str:reference>/decide/", views.decide, name="decide"),
    path("staff/vetting/<str:reference>/union/", views.union_check, name="union_check"),
    path("me/vetting/", views.me, name="me"),
]
