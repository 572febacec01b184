"""The portal's user (login by e-mail), role membership, and hashed API tokens."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.users.roles import Role


class PortalUserManager(UserManager):
    """Users log in by e-mail; there is no separate user name."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail"), unique=True)
    middle_name = models.CharField(_("middle name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="ru",
        help_text=_("Language of e-mails and notifications."),
    )
    branches = models.ManyToManyField(
        "grid.Branch",
        verbose_name=_("branches"),
        related_name="staff",
        blank=True,
        help_text=_("Branches (РЭС) an engineer works in."),
    )
    # Registered but the e-mail address not yet confirmed (inactive until then; see services).
    awaiting_confirmation = models.BooleanField(_("awaiting e-mail confirmation"), default=False)
    # Failed logins on the account from any address (see backend.users.login_guard).
    failed_logins = models.PositiveIntegerField(_("failed logins"), default=0, editable=False)
    last_failed_login_at = models.DateTimeField(_("last failed login"), null=True, blank=True, editable=False)
    login_locked_until = models.DateTimeField(
        _("login locked until"),
        null=True,
        blank=True,
        help_text=_("Until then only the owner's trusted browsers may log in with the password."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    @cached_property
    def roles(self) -> frozenset[str]:
        return self.roles_from_groups(self.groups.values_list("name", flat=True))

    def roles_from_groups(self, names: Iterable[str]) -> frozenset[str]:
        """The roles given by the names of the user's groups (administrators also by is_superuser)."""
        found = set(names)
        if self.is_superuser:
            found.add(Role.ADMINISTRATOR.value)
        return frozenset(name for name in found if name in Role.values)

    @cached_property
    def branch_ids(self) -> frozenset[int]:
        return frozenset(self.branches.values_list("id", flat=True))

    @property
    def sorted_roles(self) -> list[str]:
        return sorted(self.roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 digest is stored; the token itself is
    shown once, when issued."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(
        _("prefix"), max_length=12, help_text=_("First characters, to tell tokens apart.")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired()


class ConsentText(models.Model):
    """A version of the text of the consent to the processing of personal data (152-ФЗ, art. 9).
    The text is data: a new version is added (in the admin or by a data migration), never edited,
    so every recorded consent keeps the words the person agreed to."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    text = models.TextField(_("text"), help_text=_("In Russian: the legally binding wording."))
    text_en = models.TextField(_("text in English"), blank=True, help_text=_("For reference only."))
    published_at = models.DateTimeField(_("in force from"), default=timezone.now)

    class Meta:
        verbose_name = _("text of the personal-data consent")
        verbose_name_plural = _("texts of the personal-data consent")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.version


class Consent(models.Model):
    """A person's consent to the processing of their personal data: who, which text, when, for what."""

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", _("registration")
        SUBMISSION = "submission", _("submission of an application")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="consents")
    text = models.ForeignKey(
        ConsentText, verbose_name=_("text"), on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("personal-data consent")
        verbose_name_plural = _("personal-data consents")
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} — {self.text.version} ({self.get_purpose_display()})"
