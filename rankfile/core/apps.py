from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rankfile.core"
    label = "core"

    def ready(self) -> None:
        from rankfile.core import checks  # noqa: F401  (registers the system checks)
