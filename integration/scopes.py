"""The scopes of an integration client's keys and of the authority an applicant gives it, and
which scope each API call needs. A call that needs no listed scope is refused (deny by default)."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ_APPLICATIONS = "applications:read", _("Read applications")
    WRITE_APPLICATIONS = "applications:write", _("Write applications")
    MESSAGES = "messages", _("Messages")
    WEBHOOKS = "webhooks", _("Webhooks")
    REPORTS = "reports", _("Reports")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: (path below /api/v1/, scope for reading, scope for writing); the first match wins. None: refused.
RULES: list[tuple[re.Pattern[str], Scope | None, Scope | None]] = [
    (re.compile(r"^auth/"), None, None),  # a client never manages personal tokens
    (re.compile(r"^connection-requests/\d+/messages/"), Scope.MESSAGES, Scope.MESSAGES),
    (re.compile(r"^questions/"), Scope.MESSAGES, Scope.MESSAGES),
    (re.compile(r"^integration/webhooks/"), Scope.WEBHOOKS, Scope.WEBHOOKS),
    (re.compile(r"^integration/deliveries/"), Scope.WEBHOOKS, Scope.WEBHOOKS),
    (re.compile(r"^(reports|incidents|appeals|consultations|georeport)"), Scope.REPORTS, Scope.REPORTS),
    (re.compile(r"^integration/authorities/"), None, None),  # the applicant's own page
    (
        re.compile(
            r"^(connection-requests/|applicants/|integration/|events/|notifications/|users/me/|branches/"
            r"|connection-points/|load-calculations/|fees/)"
        ),
        Scope.READ_APPLICATIONS,
        Scope.WRITE_APPLICATIONS,
    ),
]

API_PREFIX = "/api/v1/"


def required_scope(path: str, method: str) -> Scope | None:
    """The scope a call needs; None when no key may make it."""
    if not path.startswith(API_PREFIX):
        return None
    rest = path[len(API_PREFIX) :]
    for pattern, read, write in RULES:
        if pattern.match(rest):
            return read if method.upper() in SAFE_METHODS else write
    return None
