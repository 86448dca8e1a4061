"""Who may enter the admin, hold API tokens and grant roles.

Every answer comes from roles in bodies (``accounts.roles``); Django's own
model permissions, groups, ``is_staff`` and ``is_superuser`` grant nothing
(``User.has_perm`` asks here). The services in ``accounts.services`` call these
checks, so pages, the admin and commands obey the same rule.
"""

from __future__ import annotations

from django.db.models import QuerySet

from rankfile.accounts.http import Actor
from rankfile.accounts.models import ApiToken, Role, User
from rankfile.accounts.roles import has_role, national_roles, role_kinds
from rankfile.branches.models import Body
from rankfile.core.actors import is_system
from rankfile.core.errors import NotFound

# National staff write in the admin; national auditors read it. Nobody else enters.
# Part 1b adds regional staff (their region) and requires two-factor here.
ADMIN_READERS = frozenset({Role.Kind.STAFF, Role.Kind.AUDITOR})
ADMIN_WRITERS = frozenset({Role.Kind.STAFF})
# The roles a program may act under with an API token (the API only reads).
API_ROLE_KINDS = (Role.Kind.STAFF, Role.Kind.SECRETARY, Role.Kind.AUDITOR)
# Who may grant and end roles in a body: staff of that body or above.
ROLE_GRANTERS = (Role.Kind.STAFF,)
# Officers: their roles read members' records or enter the admin, so their logins
# need two-factor authentication to reach those pages (accounts.two_factor).
TWO_FACTOR_KINDS = frozenset({Role.Kind.STAFF, Role.Kind.AUDITOR, Role.Kind.SECRETARY,
                              Role.Kind.RETURNING_OFFICER})


def admin_rights(user: Actor) -> tuple[bool, bool]:
    """``(may read, may write)`` in the admin, from ``user``'s roles in the organisation.

    Remembered on the user object for the rest of the request: the admin asks
    for every model on every page.
    """
    if not isinstance(user, User) or not user.is_active:
        return False, False
    cached: tuple[bool, bool] | None = getattr(user, "_admin_rights", None)
    if cached is None:
        kinds = national_roles(user)
        cached = (bool(kinds & ADMIN_READERS), bool(kinds & ADMIN_WRITERS))
        setattr(user, "_admin_rights", cached)  # noqa: B010 - not a field of User
    return cached


def can_enter_admin(user: Actor) -> bool:
    """National staff and national auditors."""
    return admin_rights(user)[0]


def can_write_in_admin(user: Actor) -> bool:
    """National staff only: auditors read and change nothing."""
    return admin_rights(user)[1]


def has_admin_permission(user: Actor, perm: str) -> bool:
    """Django's ``user.has_perm("app.view_model")``, answered from roles.

    ``view_*`` needs a reader's role; every other permission (add, change,
    delete, and the admin actions' own) a writer's. Each ModelAdmin narrows
    this further, and the services it calls check again.
    """
    codename = perm.rpartition(".")[2]
    if codename.startswith("view_"):
        return can_enter_admin(user)
    return can_write_in_admin(user)


def api_token_roles(user: Actor) -> QuerySet[Role]:
    """The current roles ``user`` may create an API token under."""
    if user is None or not user.is_authenticated:
        return Role.objects.none()
    return (Role.objects.current().filter(user=user, kind__in=API_ROLE_KINDS)
            .select_related("body").order_by("kind", "body__name"))


def can_create_api_token(user: Actor, role: Role) -> bool:
    """The holder of ``role``, while it is current and of a kind the API serves."""
    return api_token_roles(user).filter(pk=role.pk).exists()


def can_revoke_api_token(by: Actor, token: ApiToken) -> bool:
    """Its owner, and national staff (a token that may have leaked)."""
    if isinstance(by, User) and by.pk == token.user_id:
        return True
    return can_write_in_admin(by)


def access_own_api_token(user: Actor, token_id: int) -> ApiToken:
    """``user``'s own token ``token_id``.

    Raises:
        NotFound: no such token, or not theirs (the same answer).
    """
    token = None
    if user is not None and user.is_authenticated:
        token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("You have no token with that number.", code="unknown_token")
    return token


def can_manage_roles(by: Actor, body: Body) -> bool:
    """The system, and staff of ``body`` or a body above it."""
    return is_system(by) or has_role(by, ROLE_GRANTERS, body)


def needs_two_factor(user: Actor) -> bool:
    """An officer: anyone holding a role that reads members' records or enters the admin."""
    return bool(role_kinds(user) & TWO_FACTOR_KINDS)
