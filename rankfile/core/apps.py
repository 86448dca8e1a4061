from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rankfile.core"
    label = "core"

    def ready(self) -> None:
        from rankfile.core import checks  # noqa: F401  (registers the system checks)
        from rankfile.core.tasks import allow_job_rows

        allow_job_rows()
