"""Writes of the integration domain: clients, keys, authorities. Each function is one transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.users.models import User
from backend.users.roles import Role
from integration import selectors
from integration.models import MAX_ACTIVE_KEYS, Authority, ClientKey, IntegrationClient
from integration.scopes import Scope
from integration.selectors import active_key_count
from workflow.outbox import enqueue_email

#: Lifetime of a key when the administrator gives no expiry.
KEY_LIFETIME = timedelta(days=365)
KEY_PREFIX = "ik_"


def key_digest(raw: str) -> str:
    # A key carries 256 random bits, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_scopes(scopes: list[str], field: str) -> list[str]:
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if unknown or not scopes:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Choose scopes among: %(allowed)s.") % {"allowed": ", ".join(Scope.values)},
                    code="invalid_scope",
                )
            }
        )
    return sorted(set(scopes))


@transaction.atomic
def create_client(
    *, name: str, organisation: str, contact_email: str, rate_limit: str = "600/min"
) -> IntegrationClient:
    """A client with its service account (role integration, no password: it logs in by key only)."""
    user = User.objects.create_user(
        email=f"integration-{secrets.token_hex(6)}@clients.invalid", first_name=name[:150]
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=Role.INTEGRATION.value))
    client = IntegrationClient(
        name=name, organisation=organisation, contact_email=contact_email, rate_limit=rate_limit, user=user
    )
    client.full_clean(exclude=["user"])
    client.save()
    return client


@dataclass(frozen=True)
class IssuedKey:
    key: ClientKey
    raw: str  # shown once


@transaction.atomic
def issue_key(
    *, client: IntegrationClient, scopes: list[str], name: str = "", expires_at: datetime | None = None
) -> IssuedKey:
    """A new key; refused while the client already has MAX_ACTIVE_KEYS active keys (revoke one)."""
    scopes = _check_scopes(scopes, "scopes")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError(
            {"expires_at": ValidationError(_("The expiry must be in the future."), code="past")}
        )
    # Lock the client so two concurrent issues cannot both pass the count.
    IntegrationClient.objects.select_for_update().get(pk=client.pk)
    if active_key_count(client) >= MAX_ACTIVE_KEYS:
        raise ValidationError(
            {
                "scopes": ValidationError(
                    _("A client has at most %(count)s active keys; revoke the old one first.")
                    % {"count": MAX_ACTIVE_KEYS},
                    code="too_many_keys",
                )
            }
        )
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ClientKey.objects.create(
        client=client,
        name=name,
        prefix=raw[:10],
        digest=key_digest(raw),
        scopes=scopes,
        created_at=now,
        expires_at=expires_at or now + KEY_LIFETIME,
    )
    return IssuedKey(key=key, raw=raw)


@transaction.atomic
def revoke_key(*, key: ClientKey) -> ClientKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


@transaction.atomic
def grant_authority(
    *, client: IntegrationClient, applicant: User, scopes: list[str], valid_until: date, document: str
) -> Authority:
    """Record the applicant's consent or power of attorney; replaces a live one for the same client."""
    scopes = _check_scopes(scopes, "scopes")
    if valid_until < timezone.localdate():
        raise ValidationError(
            {"valid_until": ValidationError(_("The authority must not have ended already."), code="past")}
        )
    if not document.strip():
        raise ValidationError(
            {"document": ValidationError(_("Name the consent or power of attorney."), code="required")}
        )
    Authority.objects.filter(client=client, applicant=applicant, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return Authority.objects.create(
        client=client,
        applicant=applicant,
        scopes=scopes,
        valid_until=valid_until,
        document=document.strip(),
        confirmed_at=timezone.now(),
    )


#: How long the confirmation link e-mailed to a new customer works.
CONFIRMATION_LINK_MAX_AGE = timedelta(days=14)
CONFIRMATION_SALT = "integration.authority-confirmation"


def confirmation_token(authority: Authority) -> str:
    return signing.dumps({"authority": authority.pk}, salt=CONFIRMATION_SALT)


def authority_from_token(token: str) -> Authority | None:
    """The pending, live authority a confirmation link is for; None when the link is bad or old."""
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_LINK_MAX_AGE.total_seconds())
    except signing.BadSignature:
        return None
    return (
        Authority.objects.select_related("client", "applicant")
        .filter(pk=data.get("authority"), revoked_at__isnull=True, valid_until__gte=timezone.localdate())
        .first()
    )


@transaction.atomic
def invite_customer(
    *,
    client: IntegrationClient,
    email: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    scopes: list[str],
    valid_until: date,
    document: str,
    confirmation_url: Callable[[str], str],
) -> Authority:
    """A customer the client applies for: their account (created when new, without a password: they
    set one through the password reset), and an authority pending until they confirm it from the
    e-mailed link `confirmation_url(token)`. Until then the client may prepare drafts for them."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, last_name=last_name, first_name=first_name, middle_name=middle_name
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=Role.APPLICANT.value))
    elif selectors.live_authorities(client).filter(applicant=user).exists():
        raise ValidationError(
            {"email": ValidationError(_("This customer has already authorised the client."), code="exists")}
        )
    authority = grant_authority(
        client=client, applicant=user, scopes=scopes, valid_until=valid_until, document=document
    )
    authority.confirmed_at = None
    authority.save(update_fields=["confirmed_at"])
    link = confirmation_url(confirmation_token(authority))
    enqueue_email(
        to=user.email,
        subject=_("%(client)s applies for grid connection on your behalf") % {"client": client.name},
        body=_(
            "%(client)s (%(organisation)s) asks to act for you on the grid connection portal: to prepare, "
            "submit and follow your applications (document: %(document)s, until %(until)s).\n\n"
            "To confirm, and to submit what it prepared, open this link (valid for 14 days):\n%(link)s\n\n"
            "If you did not ask for this, ignore this message: nothing will be submitted."
        )
        % {
            "client": client.name,
            "organisation": client.organisation,
            "document": authority.document,
            "until": valid_until.isoformat(),
            "link": link,
        },
    )
    return authority


@transaction.atomic
def confirm_authority(*, authority: Authority) -> Authority:
    if authority.confirmed_at is None:
        authority.confirmed_at = timezone.now()
        authority.save(update_fields=["confirmed_at"])
    return authority


@transaction.atomic
def revoke_authority(*, authority: Authority) -> Authority:
    """The applicant withdraws the client's authority; its next call for them is refused."""
    if authority.revoked_at is None:
        authority.revoked_at = timezone.now()
        authority.save(update_fields=["revoked_at"])
    return authority
