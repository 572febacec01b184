"""Errors of the grid domain."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class NoBranchForLocation(ValidationError):
    """No territory serves the location and no default branch is configured. A ValidationError
    (of the input as a whole): the location given cannot be served."""

    def __init__(self) -> None:
        super().__init__(
            _("No branch serves this location and no default branch is configured."), code="no_branch"
        )
