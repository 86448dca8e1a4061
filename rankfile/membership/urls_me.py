"""A member's own pages (/me/) and officers' member lists (/officers/members/)."""

from django.urls import path

from rankfile.membership import views_me, views_officers

app_name = "me"
urlpatterns = [
    path("me/", views_me.me, name="home"),
    path("me/address/", views_me.address, name="address"),
    path("me/resign/", views_me.resign, name="resign"),
    path("officers/members/", views_officers.member_list, name="officers_members"),
    path("officers/members/<str:reference>/", views_officers.member_detail,
         name="officers_member"),
]
