"""A member's own pages (/me/) and officers' member lists (/officers/members/)."""

from django.urls import path

from rankfile.membership.views import me, me_profile, officers, payments

app_name = "me"
urlpatterns = [
    path("me/", me.me, name="home"),
    path("me/address/", me.address, name="address"),
    path("me/resign/", me.resign, name="resign"),
    path("me/name/", me_profile.name, name="name"),
    path("me/rate/", me_profile.rate, name="rate"),
    path("me/upgrade/", me_profile.upgrade, name="upgrade"),
    path("me/rejoin/", me_profile.rejoin, name="rejoin"),
    path("me/pay/<str:reference>/", payments.pay, name="pay"),
    path("me/pay/<str:reference>/return/", payments.pay_return, name="pay_return"),
    path("me/dues/<str:reference>/", payments.dues, name="dues"),
    path("me/dues/<str:reference>/return/", payments.dues_return, name="dues_return"),
    path("officers/members/", officers.member_list, name="officers_members"),
    path("officers/members/<str:reference>/", officers.member_detail,
         name="officers_member"),
    path("officers/access-log/", officers.access_log, name="officers_access_log"),
    path("officers/export/", officers.export_list, name="officers_export"),
    path("officers/export/<int:branch_id>/", officers.export_branch,
         name="officers_export_branch"),
]
