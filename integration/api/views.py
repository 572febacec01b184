from __future__ import annotations

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import StandardPagination
from backend.events.services import sequence_pending
from integration import agent, selectors, services, webhooks
from integration.api.permissions import IsIntegrationClient
from integration.api.serializers import (
    AgentApplicationSerializer,
    AgentQuerySerializer,
    AuthoritySerializer,
    CustomerAuthoritySerializer,
    CustomerInvitationSerializer,
    EventPageSerializer,
    EventQuerySerializer,
    EventSerializer,
    NewWebhookSubscriptionSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionSerializer,
)
from integration.models import Authority, WebhookDelivery, WebhookSubscription


class EventFeedView(APIView):
    """The events of the applicants the client acts for (with authority to read applications), in
    the order they became visible. Poll with `after` = the last `next_cursor`; the feed never skips
    an event, also when transactions commit out of order."""

    permission_classes = [IsAuthenticated, IsIntegrationClient]

    @extend_schema(
        summary="Read the events feed",
        description=(
            "Events of the applicants the client acts for (authority with `applications:read`): "
            "`application.submitted`, `application.state_changed`, `step.overdue`, "
            "`message.created`, `document.issued`, `payment.recorded`. Ordered by `cursor`, the "
            "order in which they became visible; pass the last `next_cursor` as `after`. No event "
            "is ever skipped, also when changes commit out of order; deduplicate by `id`. "
            "While `has_more` is true, call again at once; otherwise poll every few seconds."
        ),
        parameters=[EventQuerySerializer],
        responses=EventPageSerializer,
        operation_id="events_list",
        tags=["integration"],
    )
    def get(self, request):
        query = EventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        sequence_pending(wait=False)
        events = selectors.visible_events(request.auth.client, after=after, limit=limit + 1)
        page = events[:limit]
        return Response(
            {
                "events": EventSerializer(page, many=True).data,
                "next_cursor": page[-1].position if page else after,
                "has_more": len(events) > limit,
            }
        )


@extend_schema_view(
    list=extend_schema(
        summary="List my authorities",
        description=(
            "The consents and powers of attorney the signed-in applicant gave integration clients, "
            "live and past."
        ),
        tags=["integration"],
    )
)
class AuthorityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The authorities the signed-in applicant gave integration clients; revoke one with POST."""

    serializer_class = AuthoritySerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Authority.objects.none()
        return selectors.authorities_of(self.request.user)

    @extend_schema(
        summary="Revoke an authority",
        description="The client may no longer act for the applicant: its next call for them is refused (403).",
        request=None,
        responses=AuthoritySerializer,
        tags=["integration"],
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        authority = services.revoke_authority(authority=self.get_object())
        return Response(AuthoritySerializer(authority).data)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook subscriptions", description="The client's subscriptions.", tags=["integration"]
    ),
    retrieve=extend_schema(
        summary="Read a webhook subscription", description="One subscription.", tags=["integration"]
    ),
    create=extend_schema(
        summary="Subscribe a webhook",
        description=(
            "Events of the chosen kinds that happen from now on are POSTed to `url`, signed with "
            "the `secret` returned once in this answer (see the integrators' guide)."
        ),
        request=WebhookSubscriptionSerializer,
        responses={201: NewWebhookSubscriptionSerializer},
        tags=["integration"],
    ),
    destroy=extend_schema(
        summary="Delete a webhook subscription",
        description="Stops deliveries; the delivery log goes with it.",
        tags=["integration"],
    ),
)
class WebhookSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [IsAuthenticated, IsIntegrationClient]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.filter(client=self.request.auth.client).order_by("id")

    def perform_create(self, serializer):
        serializer.instance = webhooks.subscribe(client=self.request.auth.client, **serializer.validated_data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(
            NewWebhookSubscriptionSerializer(serializer.instance).data, status=status.HTTP_201_CREATED
        )

    def perform_destroy(self, instance):
        webhooks.unsubscribe(subscription=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook deliveries",
        description="The delivery log, newest first: status, tries and each receiver's answer.",
        tags=["integration"],
    ),
    retrieve=extend_schema(
        summary="Read a webhook delivery", description="One delivery with its log.", tags=["integration"]
    ),
)
class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = WebhookDeliverySerializer
    permission_classes = [IsAuthenticated, IsIntegrationClient]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        return (
            WebhookDelivery.objects.filter(subscription__client=self.request.auth.client)
            .select_related("event")
            .prefetch_related("log")
            .order_by("-id")
        )

    @extend_schema(
        summary="Redeliver",
        description="Sends the event again now, as a new series of tries (also when delivered before).",
        request=None,
        responses=WebhookDeliverySerializer,
        tags=["integration"],
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = webhooks.redeliver(delivery=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data)


class AgentApplicationsView(APIView):
    """The installer's view: every application of the applicants the client acts for."""

    permission_classes = [IsAuthenticated, IsIntegrationClient]

    @extend_schema(
        summary="List the applications the client acts for",
        description=(
            "All applications of the applicants who gave the client authority to read them: state, "
            "who acts now and the due date, filtered. With `export=csv` (UTF-8 with BOM and `;`, for "
            "Excel) or `export=jsonl` (one JSON object a line) every matching row is downloaded."
        ),
        parameters=[AgentQuerySerializer],
        responses={
            200: AgentApplicationSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/jsonl"): OpenApiTypes.STR,
        },
        tags=["integration"],
    )
    def get(self, request):
        query = AgentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        export = filters.pop("export", None)
        filters["states"] = filters.pop("state", None)
        today = timezone.localdate()
        applications = selectors.represented_applications(request.auth.client, today=today, **filters)
        if export is not None:
            rows = (agent.row(item, today=today) for item in applications.iterator(chunk_size=500))
            if export == "csv":
                response = StreamingHttpResponse(
                    agent.csv_lines(rows), content_type="text/csv; charset=utf-8"
                )
            else:
                response = StreamingHttpResponse(agent.jsonl_lines(rows), content_type="application/jsonl")
            response["Content-Disposition"] = (
                f'attachment; filename="applications-{today.isoformat()}.{export}"'
            )
            return response
        paginator = StandardPagination()
        page = paginator.paginate_queryset(applications, request, view=self)
        return paginator.get_paginated_response(
            AgentApplicationSerializer([agent.row(item, today=today) for item in page], many=True).data
        )


class CustomerInvitationView(APIView):
    """Apply for a new customer: their account and the client's authority, pending their confirmation."""

    permission_classes = [IsAuthenticated, IsIntegrationClient]

    @extend_schema(
        summary="Apply for a new customer",
        description=(
            "Creates the customer's account when the e-mail is new, records the authority they gave "
            "(pending) and e-mails them a link to confirm it. Until they confirm, act for them with "
            "`X-Acting-For` to prepare drafts and upload documents; transitions (submitting) answer "
            "403 `authority_unconfirmed`. Confirming, the customer also submits the drafts prepared."
        ),
        request=CustomerInvitationSerializer,
        responses={201: CustomerAuthoritySerializer},
        tags=["integration"],
    )
    def post(self, request):
        serializer = CustomerInvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        authority = services.invite_customer(
            client=request.auth.client,
            confirmation_url=lambda token: request.build_absolute_uri(
                reverse("web:confirm_authority", kwargs={"token": token})
            ),
            **serializer.validated_data,
        )
        return Response(CustomerAuthoritySerializer(authority).data, status=status.HTTP_201_CREATED)
