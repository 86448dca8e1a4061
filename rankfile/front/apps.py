from django.apps import AppConfig


class FrontConfig(AppConfig):
    """The front page, branch pages and the site's navigation: pages made of several apps."""

    name = "rankfile.front"
    label = "front"
