from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "rankfile.membership"
    label = "membership"
