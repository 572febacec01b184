"""Domain errors: what went wrong, in the domain's words, free of HTTP.

Services, models and selectors raise these (or Django's ValidationError for bad input); the API's
exception handler (backend.api.errors) and the web views decide how to answer them. Each carries
a stable machine-readable `code` and a translated `message`.
"""

from __future__ import annotations


class DomainError(Exception):
    default_code = "invalid"
    default_message = ""

    def __init__(self, message=None, *, code: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class StateConflict(DomainError):
    """The action is valid but clashes with the current state (a lost race, a wrong state)."""

    default_code = "conflict"


class ActionForbidden(DomainError):
    """The caller's role may not do this."""

    default_code = "permission_denied"


class ObjectMissing(DomainError):
    """The thing asked for does not exist (or is out of the caller's reach)."""

    default_code = "not_found"


class StoredFileMissing(ObjectMissing):
    """A row names a file that the storage no longer has (lost, or removed by hand)."""

    default_code = "file_missing"
