from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "rankfile.privacy"
    label = "privacy"
    verbose_name = "Data protection"
