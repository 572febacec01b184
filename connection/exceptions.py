"""Errors of the connection domain (see backend.exceptions)."""

from __future__ import annotations

from backend.exceptions import StateConflict


class ApplicationConflict(StateConflict):
    """The application (or applicant) is not in a state that allows this change."""
