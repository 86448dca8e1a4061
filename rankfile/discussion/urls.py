from django.urls import path

from rankfile.discussion import feeds, views

app_name = "discussion"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("feed.atom", feeds.PublicArticlesFeed(), name="feed"),
    path("write/", views.article_write, name="write"),
    path("mine/", views.my_articles, name="mine"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/comments/<int:comment_id>/", views.comment_decide, name="decide"),
    path("forget-my-email/", views.erase_request, name="erase_request"),
    path("forget-my-email/<str:token>/", views.erase_confirm, name="erase_confirm"),
    path("<slug:slug>/", views.article_detail, name="article"),
    path("<slug:slug>/image", views.article_image, name="image"),
    path("<slug:slug>/edit/", views.article_edit, name="edit"),
    path("<slug:slug>/submit/", views.article_submit_view, name="submit"),
    path("<slug:slug>/publish/", views.article_publish_view, name="publish"),
    path("<slug:slug>/comments/", views.comment_create, name="comment_post"),
    path("<slug:slug>/comments/<int:number>/", views.comment_goto, name="comment"),
    path("<slug:slug>/comments/<int:number>/edit/", views.comment_change, name="comment_edit"),
    path("<slug:slug>/comments/<int:number>/withdraw/", views.comment_remove_own,
         name="comment_withdraw"),
    path("<slug:slug>/comments/<int:number>/report/", views.comment_flag, name="comment_report"),
]
