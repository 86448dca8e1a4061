from django.urls import path

from rankfile.meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/call/<str:code>/", views.call, name="call"),
    path("meetings/<int:meeting_id>/", views.detail, name="detail"),
    path("meetings/<int:meeting_id>/notice/", views.send_notice, name="notice"),
    path("meetings/<int:meeting_id>/reply/", views.reply, name="reply"),
    path("groups/<str:code>/join/", views.join_group, name="group_join"),
    path("groups/<str:code>/leave/", views.leave_group, name="group_leave"),
]
