"""Failed-login limits that a stranger cannot turn against an account's owner.

- Per address (django-axes, keyed on `client_address`): LOGIN_ADDRESS_FAILURE_LIMIT failures from
  one address, over any accounts, refuse that address for the cool-off.
- Per account: every LOGIN_FAILURE_LIMIT failures from anywhere lock password logins to the account
  for the cool-off, doubled at each further lock up to a day. The owner is e-mailed a link that lifts
  the lock; a password reset lifts it too.
- Trusted browsers: a browser that logged in to the account carries a signed cookie for it and
  passes both locks, so nobody else's failures shut the owner out of their usual browser. Its own
  failures are limited on their own (LOGIN_FAILURE_LIMIT per cool-off), then it is trusted no more
  until the cool-off has passed; a new password forgets every trusted browser.

Failures are counted only when the password was checked: an attempt refused by a lock counts nowhere
on the account, so a lock cannot be extended by knocking on it.
"""

from __future__ import annotations

import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from backend.users.exceptions import AccountLocked
from backend.users.models import User
from backend.users.rate_limits import RateLimit
from backend.users.tasks import send_account_email

DEVICE_COOKIE = "trusted_login"
DEVICE_SALT = "backend.users.login_guard.device"
DEVICE_MAX_AGE = timedelta(days=180)
LONGEST_LOCK = timedelta(days=1)
# Failures are forgotten after this long without one; longer than the longest lock, so that the
# locks keep their length for whoever resumes guessing as soon as one ends.
FAILURE_MEMORY = timedelta(days=2)
# Set on the request while authenticating: the password was checked (no lock refused the attempt).
CHECKED = "login_password_checked"
RETRY_AFTER = "login_retry_after"


def _cooloff() -> timedelta:
    return settings.LOGIN_COOLOFF


def _device_failures() -> RateLimit:
    return RateLimit("login_device", settings.LOGIN_FAILURE_LIMIT, int(_cooloff().total_seconds()))


def lock_duration(*, failures: int) -> timedelta:
    """The lock after `failures` failures: the cool-off, doubled for each earlier lock, at most a day."""
    locks = max(1, failures // settings.LOGIN_FAILURE_LIMIT)
    doublings = min(locks - 1, 20)  # beyond a day anyway; a bound keeps the timedelta in range
    return min(_cooloff() * 2**doublings, LONGEST_LOCK)


def _account(username: str | None) -> User | None:
    if not username:
        return None
    return User.objects.filter(email__iexact=username.strip()).first()


def _password_mark(user: User) -> str:
    return salted_hmac(DEVICE_SALT, user.password).hexdigest()[:20]


def device_cookie(*, user: User) -> str:
    return signing.dumps(
        {"u": user.pk, "d": secrets.token_urlsafe(12), "p": _password_mark(user)}, salt=DEVICE_SALT
    )


def remember_device(response: HttpResponse, *, user: User) -> HttpResponse:
    """Mark the browser that just proved itself as one of the owner's trusted ones."""
    response.set_cookie(
        DEVICE_COOKIE,
        device_cookie(user=user),
        max_age=int(DEVICE_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def trusted_device(request: HttpRequest, *, user: User) -> str | None:
    """The id of the request's trusted-browser cookie when it is valid for `user` and not used up."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("u") != user.pk:
        return None
    if not constant_time_compare(str(value.get("p", "")), _password_mark(user)):
        return None
    device = str(value.get("d", ""))
    if not device or _device_failures().wait(device) is not None:
        return None
    return device


def is_trusted_attempt(request: HttpRequest, credentials: dict | None) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: a trusted browser is not limited per address."""
    user = _account((credentials or {}).get("username"))
    return user is not None and trusted_device(request, user=user) is not None


def check_account(*, request: HttpRequest, username: str) -> None:
    """Raise AccountLocked while the account is locked, unless the request comes from a trusted browser."""
    setattr(request, CHECKED, False)
    user = _account(username)
    now = timezone.now()
    locked = user is not None and user.login_locked_until is not None and user.login_locked_until > now
    if locked and trusted_device(request, user=user) is None:
        retry_after = math.ceil((user.login_locked_until - now).total_seconds())
        setattr(request, RETRY_AFTER, retry_after)
        request.axes_locked_out = True  # django-axes' middleware then answers 429 on every login page
        raise AccountLocked(retry_after=retry_after)
    setattr(request, CHECKED, True)


def refusal_seconds(request: HttpRequest) -> int | None:
    """When the last authentication on this request was refused by a lock: seconds until it lifts."""
    if getattr(request, RETRY_AFTER, None):
        return getattr(request, RETRY_AFTER)
    if getattr(request, "axes_locked_out", False):
        # A failure during an address lock starts its cool-off again (django-axes' default).
        return int(settings.AXES_COOLOFF_TIME.total_seconds())
    return None


def site_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@transaction.atomic
def record_failure(*, request: HttpRequest, username: str) -> None:
    """Count a failed password check on the account (or on the trusted browser that made it)."""
    user = User.objects.select_for_update().filter(email__iexact=username.strip()).first()
    if user is None:
        return  # no account to lock; the per-address limit still counts the attempt
    device = trusted_device(request, user=user)
    if device is not None:
        _device_failures().hit(device)
        return
    now = timezone.now()
    if user.last_failed_login_at and now - user.last_failed_login_at > FAILURE_MEMORY:
        user.failed_logins = 0
    user.failed_logins += 1
    user.last_failed_login_at = now
    fields = ["failed_logins", "last_failed_login_at"]
    if user.failed_logins % settings.LOGIN_FAILURE_LIMIT == 0:
        user.login_locked_until = now + lock_duration(failures=user.failed_logins)
        fields.append("login_locked_until")
        # The failure that locks already answers as locked.
        setattr(request, RETRY_AFTER, math.ceil((user.login_locked_until - now).total_seconds()))
        request.axes_locked_out = True
        base_url = site_url(request)
        transaction.on_commit(
            lambda: send_account_email.delay(kind="unlock", user_id=user.pk, base_url=base_url)
        )
    user.save(update_fields=fields)


def clear_failures(*, user: User) -> None:
    """The owner proved themselves (password, unlock link or password reset): start afresh."""
    User.objects.filter(pk=user.pk).update(
        failed_logins=0, last_failed_login_at=None, login_locked_until=None
    )
    user.failed_logins, user.last_failed_login_at, user.login_locked_until = 0, None, None


class AccountLockBackend:
    """An authentication backend that only refuses: placed after django-axes and before the backend
    that checks the password, it stops attempts on a locked account. No `get_user`, so that Django
    never records it as the backend of a session."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username:
            check_account(request=request, username=username)
        return None


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """user_login_failed: count only attempts whose password was checked and found wrong."""
    username = (credentials or {}).get("username")
    if request is None or not username or not getattr(request, CHECKED, False):
        return
    record_failure(request=request, username=username)


def record_success(*, user: User) -> None:
    """A correct password (session login or API token): earlier failures are forgotten."""
    if user.failed_logins or user.login_locked_until:
        clear_failures(user=user)


def on_logged_in(sender, request, user, **kwargs) -> None:
    record_success(user=user)
