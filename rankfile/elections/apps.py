from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "rankfile.elections"
    label = "elections"
