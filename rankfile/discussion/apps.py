from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "rankfile.discussion"
    label = "discussion"
