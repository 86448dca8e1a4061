"""People who log in, and the roles they hold in bodies."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            # No hashing: joiners set a password later, from their confirmation link.
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login. E-mail is the identifier; there are no usernames."""

    username = None  # type: ignore[assignment]  # removes AbstractUser's field
    email = models.EmailField("e-mail address", unique=True)

    # AbstractUser's manager creates users by username; ours, by e-mail.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.email

    # Permissions come from roles in bodies (accounts.access), never from Django's
    # model permissions, groups or the is_staff and is_superuser flags.

    def has_perm(self, perm: str, obj: object = None) -> bool:
        from rankfile.accounts.access import has_admin_permission

        return has_admin_permission(self, perm)

    def has_module_perms(self, app_label: str) -> bool:
        from rankfile.accounts.access import can_enter_admin

        return can_enter_admin(self)

    async def ahas_perm(self, perm: str, obj: object = None) -> bool:
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.has_perm)(perm, obj)

    async def ahas_module_perms(self, app_label: str) -> bool:
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.has_module_perms)(app_label)


class RoleQuerySet(models.QuerySet["Role"]):
    def current(self, day: dt.date | None = None) -> RoleQuerySet:
        from django.utils import timezone

        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Role(models.Model):
    """``user`` holds ``kind`` in ``body`` from ``starts_on`` to ``ends_on`` (inclusive).

    A role in a body reaches every body below it: national staff hold ``staff``
    in the organisation; a branch secretary holds ``secretary`` in the branch.
    Later parts add kinds here rather than a second mechanism.
    """

    class Kind(models.TextChoices):
        STAFF = "staff", "Membership staff"
        # Reads what staff read (members' records, logs), changes nothing.
        AUDITOR = "auditor", "Auditor (read-only staff)"
        SECRETARY = "secretary", "Secretary"
        CHAIR = "chair", "Chair"
        MODERATOR = "moderator", "Moderator"
        AUTHOR = "author", "Author"
        RETURNING_OFFICER = "returning_officer", "Returning officer"
        # A candidate's agent or an observer: sees an election's conduct, never a
        # ballot's contents before the close.
        SCRUTINEER = "scrutineer", "Scrutineer"
        TELLER = "teller", "Teller"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    body = models.ForeignKey("branches.Body", on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=("user", "kind"))]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} of {self.body}"


class ApiToken(models.Model):
    """A secret that lets a program act as ``user`` on the HTTP API, under one of their roles.

    Only the SHA-256 of the secret is stored; the secret itself is shown once,
    when the token is created. ``prefix`` (its first characters) lets the owner
    tell their tokens apart.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    # The token acts under this role only, and dies with it: when it ends, or is
    # deleted (then this is empty and the token authenticates no one).
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
