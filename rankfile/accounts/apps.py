from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rankfile.accounts"
    label = "accounts"
