from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "rankfile.outbox"
    label = "outbox"
    verbose_name = "Outbox"
