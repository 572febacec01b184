"""Errors of the workflow domain (see backend.exceptions)."""

from __future__ import annotations

from backend.exceptions import ActionForbidden, DomainError, ObjectMissing, StateConflict


class TransitionError(DomainError):
    """A transition could not run; the subclass says why."""

    default_code = "transition_not_allowed"


class TransitionNotFound(TransitionError, ObjectMissing):
    default_code = "not_found"


class TransitionForbidden(TransitionError, ActionForbidden):
    default_code = "permission_denied"


class TransitionConflict(TransitionError, StateConflict):
    default_code = "transition_not_allowed"
