from django.urls import path

from rankfile.elections import views, views_nominations

app_name = "elections"
urlpatterns = [
    path("", views.election_list, name="list"),
    path("nominations/mine/", views_nominations.my_nominations, name="my_nominations"),
    path("<slug:slug>/", views.election_detail, name="detail"),
    path("<slug:slug>/can-i-vote/", views.can_i_vote, name="can_i_vote"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/declaration/", views.declaration, name="declaration"),
    path("<slug:slug>/nominations/", views_nominations.nominations, name="nominations"),
    path("<slug:slug>/nominations/nominate/", views_nominations.nominate, name="nominate"),
    path("<slug:slug>/nominations/consent/", views_nominations.consent, name="consent"),
    path("<slug:slug>/manage/nominations/", views_nominations.manage_nominations,
         name="manage_nominations"),
]
