from django.urls import path

from rankfile.accounts import email_views, views

app_name = "accounts"
urlpatterns = [
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/email/", email_views.email_change, name="email_change"),
    path("account/email/confirm/<str:token>/", email_views.email_confirm,
         name="email_confirm"),
]
