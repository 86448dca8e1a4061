"""Browser helpers for logins: officers answer the two-factor step with their app's code."""

from __future__ import annotations

from typing import Any

from rankfile.demo.personas import PASSWORD, TOTP_SECRET, totp_code


def enter_two_factor_code(page: Any, secret: str = TOTP_SECRET) -> None:
    """If the login stopped at the two-factor step, type the code the app shows now."""
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_load_state()


def log_in_with_password(page: Any, email: str, password: str = PASSWORD) -> None:
    """Fill in the login form on ``page`` and, for an officer, the two-factor code."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    enter_two_factor_code(page)
