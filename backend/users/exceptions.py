"""Domain errors of accounts; the API and the web pages turn them into 429 with Retry-After."""

from django.core.exceptions import PermissionDenied


class AccountLocked(PermissionDenied):
    """Password logins to the account are refused for a while. A PermissionDenied, because Django's
    `authenticate()` stops trying further backends at one (and reports a failed login)."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__("account locked")
        self.retry_after = retry_after


class RateLimited(Exception):
    """Too many requests of one kind from one client address."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after
