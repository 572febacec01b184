"""Reads of the integration domain."""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.events.models import Event
from integration.models import Authority, IntegrationClient
from integration.scopes import Scope


def clients_of_member(user) -> QuerySet[IntegrationClient]:
    """The clients whose organisation `user` works for (the installer's web page)."""
    return IntegrationClient.objects.filter(members=user, is_active=True).order_by("name")


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


def application_model():
    """The workflow's application model, reached through the setting (integration imports no domain app)."""
    return apps.get_model(settings.WORKFLOW_APPLICATION_MODEL)


def represented_applications(
    client: IntegrationClient,
    *,
    states: list[str] | None = None,
    acting_party: str | None = None,
    overdue: bool | None = None,
    due_before: date | None = None,
    applicant: str = "",
    today: date | None = None,
):
    """Every application of the applicants the client reads for, newest first, filtered."""
    today = today or timezone.localdate()
    queryset = (
        application_model()
        .objects.filter(owner_id__in=represented_applicant_ids(client))
        .select_related("owner")
        .order_by("-created_at", "-id")
    )
    if states:
        queryset = queryset.filter(state__in=states)
    if acting_party:
        queryset = queryset.filter(acting_party=acting_party)
    if overdue is True:
        queryset = queryset.filter(due_date__lt=today)
    elif overdue is False:
        queryset = queryset.filter(Q(due_date__isnull=True) | Q(due_date__gte=today))
    if due_before is not None:
        queryset = queryset.filter(due_date__lte=due_before)
    if applicant:
        queryset = queryset.filter(owner__email__icontains=applicant.strip())
    return queryset
