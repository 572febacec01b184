"""Errors of the integration domain; backend.api.errors maps DomainError subclasses to HTTP."""

from backend.exceptions import DomainError, Forbidden


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before with another request body."""


class AuthorityMissing(Forbidden):
    """The client does not act for this applicant in this scope."""
