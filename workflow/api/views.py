import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from workflow.api.serializers import NotificationSerializer, ReadCountSerializer
from workflow.models import Notification


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", help_text="Only unread ones."
    )

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


@extend_schema_view(
    list=extend_schema(
        summary="My notifications",
        description="Notices about your applications or your branch's work, newest first; filter by `unread`.",
    ),
    retrieve=extend_schema(summary="Show a notification", description="One of your notifications."),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user).select_related("application")

    @extend_schema(
        summary="Mark a notification read",
        description="Idempotent.",
        request=None,
        responses=NotificationSerializer,
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
            notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark all my notifications read",
        description="Marks every unread notification of the caller read; returns how many.",
        request=None,
        responses=ReadCountSerializer,
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})
