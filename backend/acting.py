"""Who acts through whom: an integration client acting for an applicant runs as the applicant's
user, marked with the client's name, so that history and events name the client. The mark lives
on the user object of one request (never in a global), set by the integration authentication."""

from __future__ import annotations

ATTRIBUTE = "_acting_via"


def mark_acting_via(user, name: str) -> None:
    setattr(user, ATTRIBUTE, name)


def acting_via(user) -> str:
    """The name of the integration client acting as `user` in this request; '' for the user themself."""
    return getattr(user, ATTRIBUTE, "") if user is not None else ""
