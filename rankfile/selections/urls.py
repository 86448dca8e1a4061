from django.urls import path

from rankfile.selections import views

app_name = "selections"
urlpatterns = [
    path("", views.index, name="list"),
    path("new/<str:code>/", views.new, name="new"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/decide/<str:code>/", views.decide, name="decide"),
]
