from django.apps import AppConfig


class VettingConfig(AppConfig):
    name = "rankfile.vetting"
    label = "vetting"
    verbose_name = "Vetting"
