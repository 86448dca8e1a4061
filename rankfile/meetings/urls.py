from django.urls import path

from rankfile.meetings import views, views_room

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.meeting_list, name="list"),
    path("meetings/call/<str:code>/", views.call, name="call"),
    path("meetings/<int:meeting_id>/", views.detail, name="detail"),
    path("meetings/<int:meeting_id>/notice/", views.send_notice, name="notice"),
    path("meetings/<int:meeting_id>/reply/", views.reply, name="reply"),
    path("meetings/<int:meeting_id>/motions/new/", views_room.motion_new, name="motion_new"),
    path("meetings/<int:meeting_id>/motions/<int:number>/amend/", views_room.amendment_new,
         name="amendment_new"),
    path("meetings/<int:meeting_id>/door/", views_room.door, name="door"),
    path("meetings/<int:meeting_id>/door/out/<int:attendance_id>/", views_room.check_out,
         name="check_out"),
    path("meetings/<int:meeting_id>/chair/", views_room.chair, name="chair"),
    path("meetings/<int:meeting_id>/live/", views_room.live, name="live"),
    path("meetings/<int:meeting_id>/open/", views_room.open_meeting, name="open"),
    path("meetings/<int:meeting_id>/put/", views_room.put, name="put"),
    path("meetings/<int:meeting_id>/questions/<int:question_id>/close/", views_room.close,
         name="close"),
    path("meetings/<int:meeting_id>/questions/<int:question_id>/hands/", views_room.hands,
         name="hands"),
    path("meetings/<int:meeting_id>/vote/", views_room.vote_page, name="vote"),
    path("meetings/<int:meeting_id>/vote/status/", views_room.vote_status, name="vote_status"),
    path("meetings/<int:meeting_id>/questions/<int:question_id>/vote/", views_room.vote,
         name="cast"),
    path("meetings/<int:meeting_id>/minutes/", views_room.minutes, name="minutes"),
    path("groups/<str:code>/join/", views.join_group, name="group_join"),
    path("groups/<str:code>/leave/", views.leave_group, name="group_leave"),
]
