"""Errors of consumers' reports, in the domain's words (mapped to HTTP in backend.api.errors and
by the pages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from backend.exceptions import ActionForbidden, DomainError, ObjectMissing, StateConflict


class TooManyReports(DomainError):
    """Anonymous reports from one address or e-mail over the hourly limit."""

    default_code = "throttled"
    default_message = _("Too many reports from you in the last hour. Try again later or log in.")

    def __init__(self, message=None, *, retry_after: int = 3600) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ReportNotFound(ObjectMissing):
    default_message = _("No such report.")


class IncidentNotFound(ObjectMissing):
    default_message = _("No such incident.")


class NotYourBranch(ActionForbidden):
    default_message = _("This incident belongs to another branch.")


class StatusChangeNotAllowed(StateConflict):
    default_message = _("This status cannot be set now.")
