"""Writes on users and tokens. Each function is one transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.users.models import ApiToken, User
from backend.users.roles import Role

TOKEN_PREFIX = "gcp_"  # noqa: S105 (a public marker, not a secret)


def token_digest(raw: str) -> str:
    # The token carries 256 random bits, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def register_applicant(
    *, email: str, password: str, last_name: str, first_name: str, middle_name: str = "", phone: str = ""
) -> User:
    """Create an applicant account; the password is checked by Django's validators."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": ValidationError(_("An account with this e-mail already exists."), code="unique")}
        )
    user = User(email=email, last_name=last_name, first_name=first_name, middle_name=middle_name, phone=phone)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # the same e-mail registered a moment ago by another request
        raise ValidationError(
            {"email": ValidationError(_("An account with this e-mail already exists."), code="unique")}
        ) from error
    user.groups.add(Group.objects.get(name=Role.APPLICANT.value))
    return user


@transaction.atomic
def issue_token(*, user: User, name: str = "", lifetime_days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a new token; returns the stored row and the raw token (shown to the client once).

    `lifetime_days`: None takes the configured default; 0 means the token never expires.
    """
    if lifetime_days is None:
        lifetime_days = settings.API_TOKEN_DEFAULT_LIFETIME_DAYS
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(raw),
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days) if lifetime_days else None,
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
