from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "rankfile.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from rankfile.accounts.two_factor import on_authenticator_added

        authenticator_added.connect(on_authenticator_added,
                                    dispatch_uid="rankfile.two_factor.added")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site whose doors are roles (``accounts.admin_site``)."""

    default = False
    default_site = "rankfile.accounts.admin_site.RankfileAdminSite"
