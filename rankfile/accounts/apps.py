from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "rankfile.accounts"
    label = "accounts"


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site whose doors are roles (``accounts.admin_site``)."""

    default = False
    default_site = "rankfile.accounts.admin_site.RankfileAdminSite"
