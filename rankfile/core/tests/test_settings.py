import os
import subprocess
import sys

import pytest

from rankfile.branches.postcodes import normalise_postcode


def _deploy_check(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )


def test_it_refuses_production_without_a_secret_key():
    result = _deploy_check({"RANKFILE_MODE": "production", "ALLOWED_HOSTS": "example.org"})

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


COMPLETE = {
    "RANKFILE_MODE": "production",
    "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-1234567890",
    "ALLOWED_HOSTS": "members.example.org",
    "SITE_URL": "https://members.example.org",
    "DATABASE_URL": "postgres://rankfile@db.example.org:5432/rankfile",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "ELECTIONS_CREDENTIAL_KEY": "an-election-credential-key-of-32-characters-or-more",
}


def test_it_passes_the_deploy_check_in_production_mode():
    """A complete production configuration passes (the check connects to no server)."""
    result = _deploy_check(COMPLETE)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("change", "error"), [
    ({"SITE_URL": ""}, "rankfile.E003"),
    ({"SITE_URL": "members.example.org"}, "rankfile.E003"),
    ({"DATABASE_URL": "sqlite:////tmp/rankfile-deploy-check.sqlite3"}, "rankfile.E004"),
    ({"REDIS_URL": ""}, "rankfile.E005"),
    ({"REDIS_URL": ""}, "rankfile.E006"),
])
def test_the_deploy_check_refuses_a_misconfigured_production(change, error):
    """Production without SITE_URL, or on SQLite, a per-process cache or no REDIS_URL fails."""
    result = _deploy_check({**COMPLETE, **change})

    assert result.returncode != 0
    assert error in result.stderr + result.stdout


def test_a_single_process_site_may_use_sqlite_and_local_memory_when_it_says_so():
    env = {k: v for k, v in COMPLETE.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL="sqlite:////tmp/rankfile-deploy-check.sqlite3",
               RANKFILE_SINGLE_PROCESS="1")

    result = _deploy_check(env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_warns_in_production_without_an_election_credential_key():
    result = _deploy_check({
        "RANKFILE_MODE": "production",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-1234567890",
        "ALLOWED_HOSTS": "members.example.org",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    })

    assert result.returncode != 0
    assert "rankfile.W120" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("e170ab", "E17 0AB"), ("E17 0AB", "E17 0AB"), (" e4  7aa ", "E4 7AA"), ("SW1A1AA", "SW1A 1AA"),
     ("ig8 0aa", "IG8 0AA"), ("W1A 0AX", "W1A 0AX"), ("E17", None), ("17 0AB", None), ("", None),
     ("E17 0A1", None), ("ABCDEFGH", None)],
)
def test_it_normalises_uk_postcodes(raw, expected):
    assert expected == normalise_postcode(raw)


def test_it_starts_the_counting_command_without_django():
    code = "import sys; from rankfile.cli import main; import rankfile.counting; print('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert "False" == result.stdout.strip(), result.stderr


def test_it_finds_the_site_stylesheet_for_collectstatic():
    """Production serves static files from collectstatic's manifest: site.css must be found."""
    from django.contrib.staticfiles import finders

    assert finders.find("rankfile/site.css") is not None


def _settings_value(expression: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update({"DJANGO_SETTINGS_MODULE": "rankfile.settings", **env_extra})
    code = f"from django.conf import settings; print({expression})"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)


def test_sqlite_syncs_every_commit_unless_told_otherwise():
    options = "settings.DATABASES['default']['OPTIONS']['init_command']"

    assert "synchronous=FULL" in _settings_value(options, {}).stdout
    assert "synchronous=NORMAL" in _settings_value(options, {"SQLITE_SYNCHRONOUS": "normal"}).stdout
    refused = _settings_value(options, {"SQLITE_SYNCHRONOUS": "off"})
    assert refused.returncode != 0 and "SQLITE_SYNCHRONOUS must be FULL or NORMAL" in refused.stderr


def test_postgresql_prepares_the_statements_it_repeats_unless_told_otherwise():
    url = "postgres://postgres@127.0.0.1:5432/rankfile"
    options = "settings.DATABASES['default'].get('OPTIONS')"

    assert "'prepare_threshold': 5" in _settings_value(options, {"DATABASE_URL": url}).stdout
    off = _settings_value(options, {"DATABASE_URL": url, "DATABASE_PREPARED_STATEMENTS": "false"})
    assert "prepare_threshold" not in off.stdout
