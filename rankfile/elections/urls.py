from django.urls import path

from rankfile.elections import views, views_nominations, views_roll

app_name = "elections"
urlpatterns = [
    path("", views.election_list, name="list"),
    path("nominations/mine/", views_nominations.my_nominations, name="my_nominations"),
    path("<slug:slug>/", views.election_detail, name="detail"),
    path("<slug:slug>/can-i-vote/", views.can_i_vote, name="can_i_vote"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/can-i-vote/claim/", views_roll.claim, name="claim"),
    path("<slug:slug>/can-i-vote/object/", views_roll.objection, name="object"),
    path("<slug:slug>/manage/claims/", views_roll.claims, name="claims"),
    path("<slug:slug>/manage/claims/<int:pk>/", views_roll.claim_decision,
         name="claim_decision"),
    path("<slug:slug>/manage/credentials/", views_roll.credentials, name="credentials"),
    path("<slug:slug>/manage/postal/", views.postal, name="postal"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/declaration/", views.declaration, name="declaration"),
    path("<slug:slug>/nominations/", views_nominations.nominations, name="nominations"),
    path("<slug:slug>/nominations/nominate/", views_nominations.nominate, name="nominate"),
    path("<slug:slug>/nominations/consent/", views_nominations.consent, name="consent"),
    path("<slug:slug>/manage/nominations/", views_nominations.manage_nominations,
         name="manage_nominations"),
]
