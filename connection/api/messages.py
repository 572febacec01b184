"""Message threads of applications and general questions to the grid organisation."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from backend.api.parsers import JSONParser
from backend.storage import open_stored
from backend.users.roles import Role
from connection import messaging, selectors
from connection.api.parsers import StrictMultiPartParser
from connection.models import ConnectionRequest, Message, MessageAttachment
from connection.models.messages import MAX_ATTACHMENTS, MESSAGE_MAX_LENGTH

# Serializers


class MessageAttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(help_text=_("Where to download the file."))

    class Meta:
        model = MessageAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "download_url"]

    def get_download_url(self, attachment: MessageAttachment) -> str:
        message = attachment.message
        if message.request_id is None:
            return reverse("question-download-attachment", args=[message.pk, attachment.pk])
        return reverse(
            "connection-request-message-download-attachment",
            kwargs={"request_pk": message.request_id, "pk": message.pk, "attachment_pk": attachment.pk},
        )


class MessageSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField(help_text=_("The author's name."))
    attachments = MessageAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "request",
            "branch",
            "author_name",
            "author_side",
            "text",
            "created_at",
            "read_by_applicant_at",
            "read_by_grid_at",
            "attachments",
        ]
        read_only_fields = fields

    def get_author_name(self, message: Message) -> str:
        return message.author.get_full_name() or message.author.email


class QuestionSerializer(MessageSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True, default=None)

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "branch_name", "address", "latitude", "longitude"]
        read_only_fields = fields


_TEXT_HELP = _("The message, up to 4000 characters.")
_FILES_HELP = _("Up to 5 files: PDF, JPEG or PNG, checked by content, each within the document size limit.")


class MessageJSONInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, help_text=_TEXT_HELP)


class MessageInputSerializer(MessageJSONInputSerializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        max_length=MAX_ATTACHMENTS,
        required=False,
        help_text=_FILES_HELP,
    )


class QuestionJSONInputSerializer(MessageJSONInputSerializer):
    address = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text=_("The address the question is about.")
    )
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
        allow_null=True,
        help_text=_("Latitude of the place, WGS84; routes the question to the branch serving it."),
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
        help_text=_("Longitude of the place, WGS84."),
    )


class QuestionInputSerializer(QuestionJSONInputSerializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        max_length=MAX_ATTACHMENTS,
        required=False,
        help_text=_FILES_HELP,
    )


class UnreadCountSerializer(serializers.Serializer):
    unread_messages = serializers.IntegerField(
        help_text=_("Messages of the other side the caller has not read.")
    )


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text=_("How many messages were marked read now."))


def _download(attachment: MessageAttachment) -> FileResponse:
    response = FileResponse(
        open_stored(attachment.file),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


REQUEST_ID = OpenApiParameter(
    "request_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Application id."
)
ATTACHMENT_ID = OpenApiParameter(
    "attachment_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Attachment id."
)
MESSAGE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="ID.")
FILE_RESPONSE = {
    (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
}
MESSAGE_REQUEST = {
    "multipart/form-data": MessageInputSerializer,
    "application/json": MessageJSONInputSerializer,
}
QUESTION_REQUEST = {
    "multipart/form-data": QuestionInputSerializer,
    "application/json": QuestionJSONInputSerializer,
}


# Views


@extend_schema_view(
    list=extend_schema(
        summary="List the messages of an application",
        description=(
            "The thread between the applicant and the branch, oldest first, each message with its "
            "attachments. Visible to whoever may see the application; others get 404. Reading the list "
            "does not mark messages read: see `POST …/messages/read/`."
        ),
    ),
)
@extend_schema(parameters=[REQUEST_ID])
class MessageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MessageSerializer
    lookup_value_regex = r"\d+"  # a message id is a number; anything else is 404, not a failed query
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, StrictMultiPartParser]
    queryset = Message.objects.none()
    pagination_class = None
    filter_backends = []
    extra_error_codes = ["409"]

    def connection_request(self) -> ConnectionRequest:
        if not hasattr(self, "_connection_request"):
            self._connection_request = get_object_or_404(
                selectors.visible_requests(self.request.user).select_related("branch", "owner"),
                pk=self.kwargs["request_pk"],
            )
        return self._connection_request

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return messaging.thread(self.connection_request())

    @extend_schema(
        summary="Write a message",
        description=(
            "Adds a message to the thread: JSON with `text`, or multipart with `text` and up to 5 `files` "
            "(PDF, JPEG or PNG, with the same checks as documents). The owner writes for the applicant, the "
            "branch's engineers, supervisors and administrators for the grid organisation; others who may see "
            "the application get 403. Drafts have no thread yet (409). The other side is told in the app and "
            "by e-mail."
        ),
        request=MESSAGE_REQUEST,
        responses={201: MessageSerializer},
    )
    def create(self, request, *args, **kwargs):
        connection_request = self.connection_request()
        if messaging.side_of(connection_request, request.user) is None:
            raise exceptions.PermissionDenied(
                _("Only the applicant and the branch's staff write in this thread.")
            )
        serializer = MessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = messaging.post_message(
            application=connection_request,
            author=request.user,
            text=serializer.validated_data["text"],
            files=serializer.validated_data.get("files", []),
        )
        fresh = messaging.thread(connection_request).get(pk=message.pk)
        return Response(MessageSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark the thread read",
        description=(
            "Marks every message of the other side as read by the caller's side (the applicant, or the grid "
            "organisation); answers how many were marked now."
        ),
        request=None,
        responses={200: MarkedReadSerializer},
    )
    @action(detail=False, methods=["post"])
    def read(self, request, request_pk=None):
        count = messaging.mark_read(application=self.connection_request(), user=request.user)
        return Response({"marked_read": count})

    @extend_schema(
        summary="Count unread messages",
        description="How many messages of the other side the caller's side has not read in this thread.",
        responses={200: UnreadCountSerializer},
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request, request_pk=None):
        return Response({"unread_messages": messaging.unread_count(self.connection_request(), request.user)})

    @extend_schema(
        summary="Download a message attachment",
        description="The attached file. Served only to those who may see the application.",
        parameters=[MESSAGE_ID, ATTACHMENT_ID],
        responses=FILE_RESPONSE,
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>\d+)/download")
    def download_attachment(self, request, request_pk=None, pk=None, attachment_pk=None):
        attachment = get_object_or_404(
            MessageAttachment.objects.select_related("message"),
            pk=attachment_pk,
            message_id=pk,
            message__request=self.connection_request(),
        )
        return _download(attachment)


@extend_schema_view(
    list=extend_schema(
        summary="List general questions",
        description=(
            "General questions to the grid organisation, not tied to an application: applicants see their "
            "own, engineers those routed to their branches, supervisors and administrators all."
        ),
    ),
    retrieve=extend_schema(
        summary="Show a general question", description="One question with its attachments."
    ),
)
class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = QuestionSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, StrictMultiPartParser]
    queryset = Message.objects.none()
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return (
            messaging.visible_questions(self.request.user)
            .prefetch_related("attachments")
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        summary="Ask a general question",
        description=(
            "A question to the grid organisation not tied to an application, by an applicant. Give the place "
            "it concerns (`latitude` and `longitude`, and optionally `address`): it goes to the branch whose "
            "territory holds that point, or the nearest within the routing distance; without coordinates, to "
            "the default branch. Up to 5 files may be attached (multipart). The branch's engineers are told "
            "in the app and by e-mail."
        ),
        request=QUESTION_REQUEST,
        responses={201: QuestionSerializer},
    )
    def create(self, request, *args, **kwargs):
        if not request.user.has_role(Role.APPLICANT, Role.INTEGRATION):
            raise exceptions.PermissionDenied(_("Only applicants ask general questions."))
        serializer = QuestionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message = messaging.post_question(
            author=request.user,
            text=data["text"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            address=data.get("address", ""),
            files=data.get("files", []),
        )
        fresh = self.get_queryset().get(pk=message.pk)
        return Response(QuestionSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download a question's attachment",
        description="The attached file. Served only to those who may see the question.",
        parameters=[ATTACHMENT_ID],
        responses=FILE_RESPONSE,
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>\d+)/download")
    def download_attachment(self, request, pk=None, attachment_pk=None):
        question = self.get_object()
        return _download(get_object_or_404(MessageAttachment, pk=attachment_pk, message=question))
