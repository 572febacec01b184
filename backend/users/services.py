"""Writes on users and tokens. Each function is one transaction."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from backend.users.consent import record_consent
from backend.users.exceptions import RateLimited
from backend.users.models import ApiToken, Consent, ConsentText, User
from backend.users.rate_limits import RateLimit
from backend.users.roles import Role
from backend.users.tasks import send_account_email

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "gcp_"  # noqa: S105 (a public marker, not a secret)


def token_digest(raw: str) -> str:
    # The token carries 256 random bits, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(raw.encode()).hexdigest()


def _account_email_limits() -> tuple[RateLimit, RateLimit]:
    hour = 3600
    return (
        RateLimit("account_email_address", settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR, hour),
        RateLimit("account_email_account", settings.ACCOUNT_EMAILS_PER_ACCOUNT_PER_HOUR, hour),
    )


def _allow_account_email(*, email: str, client_address: str) -> bool:
    """Count a request that e-mails an account: RateLimited beyond the client address's limit; False
    (send nothing, answer the same) beyond the e-mail address's, whether an account has it or not."""
    per_address, per_account = _account_email_limits()
    retry_after = per_address.hit(client_address)
    if retry_after is not None:
        raise RateLimited(retry_after=retry_after)
    return per_account.hit(email) is None


def _send_account_email(*, kind: str, user_id: int, base_url: str) -> None:
    """Queue the e-mail for the worker; with the broker down, send it in this request instead, so
    the account stays reachable (and the caller gets no 500 after its write has committed)."""
    try:
        send_account_email.delay(kind=kind, user_id=user_id, base_url=base_url)
    except BrokerError:
        logger.warning("Broker unreachable: the %s e-mail is sent in the request", kind, exc_info=True)
        send_account_email.apply(kwargs={"kind": kind, "user_id": user_id, "base_url": base_url})


def _mail_after_commit(*, kind: str, user: User, base_url: str) -> None:
    transaction.on_commit(lambda: _send_account_email(kind=kind, user_id=user.pk, base_url=base_url))


@transaction.atomic
def register_applicant(
    *,
    email: str,
    password: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    phone: str = "",
    client_address: str,
    base_url: str,
    consent: ConsentText | None = None,
) -> str:
    """Register an applicant; the account becomes active when its owner follows the e-mailed link.
    Returns the (normalised) address the message goes to.

    The outcome is the same whether the address already has an account or not, so the answer tells
    nobody which addresses are registered: a new address gets the confirmation link; the owner of an
    existing account is told someone tried (with a password-reset link). A pending registration of
    the address is replaced, so a stranger's earlier attempt cannot hold the address.
    """
    email = User.objects.normalize_email(email).strip().lower()
    candidate = User(
        email=email, last_name=last_name, first_name=first_name, middle_name=middle_name, phone=phone
    )
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    # Hashed on every path, so that the time of the answer does not tell either.
    candidate.set_password(password)
    if not _allow_account_email(email=email, client_address=client_address):
        return email
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None and not existing.awaiting_confirmation:
        if existing.is_active:
            _mail_after_commit(kind="registration_attempt", user=existing, base_url=base_url)
        return email  # a disabled account is not revived by registering again
    user = existing or candidate
    user.last_name, user.first_name, user.middle_name, user.phone = last_name, first_name, middle_name, phone
    user.is_active = False
    user.awaiting_confirmation = True
    user.password = candidate.password
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same e-mail registered a moment ago by another request
        return email
    user.groups.add(Group.objects.get(name=Role.APPLICANT.value))
    if consent is not None:
        record_consent(user=user, text=consent, purpose=Consent.Purpose.REGISTRATION)
    _mail_after_commit(kind="activation", user=user, base_url=base_url)
    return email


@transaction.atomic
def confirm_registration(*, user: User) -> User:
    """The owner followed the confirmation link: the account becomes active (no login: they log in
    with their password, so a stranger's pre-registration of their address gains nothing)."""
    if user.awaiting_confirmation:
        user.awaiting_confirmation = False
        user.is_active = True
        user.save(update_fields=["awaiting_confirmation", "is_active"])
    return user


def request_password_reset(*, email: str, client_address: str, base_url: str) -> None:
    """E-mail a password-reset link to the active account with this address, if there is one.

    Raises RateLimited beyond the client address's limit; beyond the e-mail address's limit nothing
    is sent, and the caller answers the same as always."""
    email = User.objects.normalize_email(email).strip().lower()
    if not _allow_account_email(email=email, client_address=client_address):
        return
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if user.has_usable_password():
            _send_account_email(kind="password_reset", user_id=user.pk, base_url=base_url)


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
