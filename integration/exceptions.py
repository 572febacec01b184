"""Errors of the integration domain."""

from backend.exceptions import DomainError


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before with another request (answered 422)."""

    default_code = "idempotency_key_reused"
