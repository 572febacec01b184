"""Integration clients with keys and authorities, built through the services as an administrator would."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integration import services
from integration.scopes import Scope

ALL_SCOPES = list(Scope.values)


def client_with_key(*, name: str = "Монтажник", scopes: list[str] | None = None, rate_limit: str = "600/min"):
    """An integration client and the raw key (shown once) with `scopes` (all by default)."""
    client = services.create_client(
        name=name, organisation=f"ООО «{name}»", contact_email="it@installer.example", rate_limit=rate_limit
    )
    issued = services.issue_key(client=client, scopes=ALL_SCOPES if scopes is None else scopes)
    return client, issued.raw


def authorise(client, applicant, *, scopes: list[str] | None = None, days: int = 365):
    return services.grant_authority(
        client=client,
        applicant=applicant,
        scopes=ALL_SCOPES if scopes is None else scopes,
        valid_until=timezone.localdate() + timedelta(days=days),
        document="Доверенность № 12 от 01.12.2026",
    )


def headers(raw_key: str, acting_for=None) -> dict[str, str]:
    """Request headers for the Django/DRF test client."""
    result = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}
    if acting_for is not None:
        result["HTTP_X_ACTING_FOR"] = acting_for.email
    return result
