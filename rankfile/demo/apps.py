from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Waltham Forest demo and the test personas: above every app, imported by none."""

    name = "rankfile.demo"
    label = "demo"
