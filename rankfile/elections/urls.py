from django.urls import path

from rankfile.elections import views

app_name = "elections"
urlpatterns = [
    path("", views.election_list, name="list"),
    path("<slug:slug>/", views.election_detail, name="detail"),
    path("<slug:slug>/can-i-vote/", views.can_i_vote, name="can_i_vote"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/manage/postal/", views.postal, name="postal"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/declaration/", views.declaration, name="declaration"),
]
