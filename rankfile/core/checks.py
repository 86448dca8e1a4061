"""System checks: a misconfigured server refuses to start."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db.models import NOT_PROVIDED, Model
from django.db.models.signals import post_save, pre_save

from rankfile.core.db import FastPath, fast_path_models


@register()
def check_settings(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.PRODUCTION:
        if not settings.ALLOWED_HOSTS:
            problems.append(
                Error("ALLOWED_HOSTS is empty.", hint="Set ALLOWED_HOSTS=your.domain.", id="rankfile.E001")
            )
        if not settings.SITE_URL.startswith(("https://", "http://")):
            problems.append(Error(
                "SITE_URL is not set." if not settings.SITE_URL else
                f"SITE_URL must be an address starting with https://, not {settings.SITE_URL!r}.",
                hint="Set SITE_URL=https://your.domain: links in e-mails start with it.",
                id="rankfile.E003"))
        if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
            problems.append(
                Warning(
                    "E-mail goes to the console in production.",
                    hint="Set EMAIL_BACKEND and EMAIL_HOST.",
                    id="rankfile.W002",
                )
            )
        if len(settings.ELECTIONS_CREDENTIAL_KEY) < 32:
            problems.append(Warning(
                "ELECTIONS_CREDENTIAL_KEY is not set: voting codes cannot be issued.",
                hint="Set it to a random string of at least 32 characters, kept secret "
                     "(voting codes are stored as HMAC-SHA256 under it).",
                id="rankfile.W120"))
    if settings.STATS_CACHE_SECONDS < 1 or settings.STATS_CACHE_SECONDS > 60:
        problems.append(
            Error(
                "STATS_CACHE_SECONDS must be between 1 and 60.",
                hint="The public counters promise figures at most a minute old.",
                id="rankfile.E002",
            )
        )
    return problems


SINGLE_PROCESS_HINT = ("Set RANKFILE_SINGLE_PROCESS=1 only if the site runs as one process "
                       "on one machine, on purpose.")
PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache",
                      "django.core.cache.backends.dummy.DummyCache")


@register(deploy=True)
def check_shared_state(app_configs: Sequence[AppConfig] | None, **kwargs: object
                       ) -> list[CheckMessage]:
    """Production runs several processes: they must share the database and the cache.

    Rate limits and the live counters live in the cache; with a cache per process
    each worker counts on its own, and a limit of 10 becomes 10 per worker.
    """
    if not settings.PRODUCTION or settings.SINGLE_PROCESS:
        return []
    problems: list[CheckMessage] = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(Error(
            "The database is SQLite.",
            hint="Set DATABASE_URL=postgres://... " + SINGLE_PROCESS_HINT, id="rankfile.E004"))
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        problems.append(Error(
            "The cache is local to each process: rate limits and counters would count per "
            "process.", hint="Set REDIS_URL=redis://... " + SINGLE_PROCESS_HINT,
            id="rankfile.E005"))
    if not settings.REDIS_URL:
        problems.append(Error(
            "REDIS_URL is not set.", hint="Set REDIS_URL=redis://... " + SINGLE_PROCESS_HINT,
            id="rankfile.E006"))
    return problems


@register()
def check_jobs(app_configs: Sequence[AppConfig] | None, **kwargs: object) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if not 2 <= settings.JOB_LEASE_SECONDS <= 3600:
        problems.append(Error(
            "JOB_LEASE_SECONDS must be between 2 and 3600.",
            hint="It is how long a job whose worker died waits before it runs again; "
                 "workers renew it every third of that.", id="rankfile.E010"))
    if settings.JOB_MAX_ATTEMPTS < 1:
        problems.append(Error("JOB_MAX_ATTEMPTS must be at least 1.", id="rankfile.E011"))
    return problems


def _name(thing: object) -> str:
    thing = getattr(thing, "__func__", thing)  # a bound method: its function
    return f"{getattr(thing, '__module__', '?')}.{getattr(thing, '__qualname__', repr(thing))}"


def _save_receivers(model: type[Model]) -> list[str]:
    found = []
    for signal in (pre_save, post_save):
        sync, async_ = signal._live_receivers(model)
        found += [_name(receiver) for receiver in [*sync, *async_]]
    return found


def _save_override(model: type[Model]) -> str | None:
    """The nearest ``save()`` or ``save_base()`` defined below ``Model``, if any."""
    for klass in model.__mro__:
        if klass is Model:
            return None
        for method in ("save", "save_base"):
            if method in vars(klass):
                return _name(vars(klass)[method])
    return None


def fast_path_problems(entry: FastPath) -> list[str]:
    """Why ``insert_together`` would not store ``entry.model``'s rows as ``save()`` would."""
    model = entry.model
    problems = [f"a {signal} receiver it does not repeat, {name}"
                for signal, name in (("pre_save/post_save", n) for n in _save_receivers(model))
                if name not in entry.receivers]
    override = _save_override(model)
    if override is not None and override != entry.save:
        problems.append(f"an overridden save(), {override}")
    for field in model._meta.get_fields():
        if getattr(field, "generated", False):
            problems.append(f"a generated field, {field.name}")
        elif getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
            problems.append(f"a db_default, on {field.name}")
    # A proxy's parent is its own table (no link); multi-table inheritance links a row.
    linked = [parent for parent, link in model._meta.parents.items() if link is not None]
    if linked:
        parents = ", ".join(p._meta.label for p in linked)
        problems.append(f"a parent model ({parents}) whose row save() would write first")
    return problems


@register()
def check_fast_path(app_configs: Sequence[AppConfig] | None,
                    **kwargs: object) -> list[CheckMessage]:
    """Refuse ``core.db.insert_together`` for a model it would store unlike ``save()``."""
    return [
        Error(f"insert_together writes {entry.model._meta.label}, which has {problem}.",
              hint="Write this model with save(), or repeat what the receiver or override "
                   "does and name it in core.db.allow_fast_path.",
              obj=entry.model, id="rankfile.E020")
        for entry in fast_path_models() for problem in fast_path_problems(entry)
    ]
