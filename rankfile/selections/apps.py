from django.apps import AppConfig


class SelectionsConfig(AppConfig):
    name = "rankfile.selections"
    default_auto_field = "django.db.models.BigAutoField"
