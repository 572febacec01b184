"""Reads of the integration domain."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from backend.events.models import Event
from integration.models import Authority, IntegrationClient
from integration.scopes import Scope


def live_authorities(client: IntegrationClient) -> QuerySet[Authority]:
    return Authority.objects.filter(
        client=client, revoked_at__isnull=True, valid_until__gte=timezone.localdate()
    ).select_related("applicant")


def active_key_count(client: IntegrationClient) -> int:
    return client.keys.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()


def authority_for(client: IntegrationClient, applicant_email: str) -> Authority | None:
    return live_authorities(client).filter(applicant__email__iexact=applicant_email.strip()).first()


def represented_applicant_ids(client: IntegrationClient, scope: str = Scope.READ_APPLICATIONS) -> list[int]:
    """The applicants who authorised the client in `scope` now (scopes are JSON: checked here)."""
    return [item.applicant_id for item in live_authorities(client) if item.allows(scope)]


def visible_events(client: IntegrationClient, *, after: int, limit: int) -> list[Event]:
    """Sequenced events after position `after` of the applicants the client may read, in order."""
    return list(
        Event.objects.filter(position__gt=after, owner_id__in=represented_applicant_ids(client)).order_by(
            "position"
        )[:limit]
    )


def authorities_of(applicant) -> QuerySet[Authority]:
    """An applicant's authorities, live and past, for their account page."""
    return Authority.objects.filter(applicant=applicant).select_related("client").order_by("-granted_at")
