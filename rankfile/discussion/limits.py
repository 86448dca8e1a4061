"""Rate limits on the discussion's public forms, counted at the edge.

Views call these before the service, so an attempt refused for going too fast
writes nothing (no comment, no report, no log row). Services take the client's
address as a plain ``ip``, never the request.
"""

from __future__ import annotations

from django.http import HttpRequest

from rankfile.core.errors import RateLimited
from rankfile.core.net import rate_limit

# (count, seconds) pairs: each must hold.
POST_LIMITS = ((5, 60), (40, 3600))
REPORT_LIMITS = ((10, 600),)
ERASE_LIMITS = ((5, 3600),)


def discussion_rate_limit(request: HttpRequest, *, what: str,
                          limits: tuple[tuple[int, int], ...]) -> None:
    """Count one ``what`` by this address and (if logged in) this account.

    Raises:
        RateLimited: past a limit, saying how long to wait.
    """
    user = getattr(request, "user", None)
    account = user.pk if user is not None and user.is_authenticated else None
    for count, seconds in limits:
        try:
            rate_limit(request, scope=f"discussion-{what}-ip-{seconds}", limit=count,
                       per_seconds=seconds)
            if account:
                rate_limit(request, scope=f"discussion-{what}-user-{seconds}", limit=count,
                           per_seconds=seconds, key=f"user-{account}")
        except RateLimited:
            minutes = max(1, seconds // 60)
            raise RateLimited(
                f"You have sent too many {what}s in a short time. Please wait {minutes} "
                f"minute{'s' if minutes != 1 else ''} and try again.") from None
