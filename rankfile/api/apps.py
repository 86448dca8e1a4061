from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rankfile.api"
    label = "api"
