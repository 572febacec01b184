"""Thin viewsets: queryset, serializer, filters, permissions; every write is one service call."""

from __future__ import annotations

import re

from csp.constants import SELF
from csp.decorators import csp_replace
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from backend.api.errors import Conflict, api_exception
from backend.api.parsers import JSONParser
from backend.storage import open_stored
from backend.users.models import User
from connection import (
    assignment,
    completeness,
    selectors,
    services,
    technical_conditions,
    workflow_actions,
    works,
)
from connection.api.offer import OfferProposalSerializer, proposal_data
from connection.api.parsers import StrictMultiPartParser
from connection.api.payments import GridWorksSerializer, PaymentInstructionsSerializer, instructions_data
from connection.api.permissions import CanApply, IsOwnerForWrites
from connection.api.serializers import (
    ApplicantSerializer,
    AssignSerializer,
    BranchSerializer,
    CompletenessSerializer,
    ConnectionRequestDetailSerializer,
    ConnectionRequestSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
)
from connection.api.transitions import (
    INPUTS,
    AvailableTransitionSerializer,
    HistoryEntrySerializer,
    TransitionInputSerializer,
    describe_fields,
    input_serializer,
)
from connection.filters import SEARCH_FIELDS, ApplicationFilter
from connection.models import Applicant, ConnectionRequest, Document
from grid.models import Branch
from workflow import services as workflow_services
from workflow.exceptions import TransitionError
from workflow.machine import is_branch_staff
from workflow.models import TransitionLog
from workflow.states import State

_framable_by_the_portal = csp_replace({"frame-ancestors": [SELF]})

#: Types shown in the page (`?inline=1`): the upload checks verified their content.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@extend_schema_view(
    list=extend_schema(
        summary="List branches",
        description="Branches (РЭС) of the grid organisation; applications are routed to them by territory.",
    ),
    retrieve=extend_schema(summary="Show a branch", description="One branch of the grid organisation."),
)
class BranchViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Branch.objects.all()
    serializer_class = BranchSerializer
    filterset_fields = ["code", "is_default"]
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code"]


@extend_schema_view(
    list=extend_schema(
        summary="List my applicants", description="The applicants (persons or organisations) you apply as."
    ),
    retrieve=extend_schema(summary="Show an applicant", description="One of your applicants."),
    create=extend_schema(
        summary="Add an applicant",
        description=(
            "An individual, individual entrepreneur or legal entity with identity fields. INN and OGRN/OGRNIP "
            "check digits, KPP, SNILS and passport formats are checked; what is still missing for submission "
            "is listed by the completeness endpoint of an application."
        ),
    ),
    update=extend_schema(
        summary="Replace an applicant", description="Applications already submitted keep their snapshot."
    ),
    partial_update=extend_schema(
        summary="Change an applicant", description="Applications already submitted keep their snapshot."
    ),
    destroy=extend_schema(
        summary="Delete an applicant", description="Only an applicant named in no application."
    ),
)
class ApplicantViewSet(viewsets.ModelViewSet):
    serializer_class = ApplicantSerializer
    permission_classes = [IsAuthenticated, CanApply]
    filterset_fields = ["applicant_type"]
    search_fields = ["last_name", "organisation_name", "inn"]
    ordering_fields = ["created_at"]
    queryset = Applicant.objects.none()
    extra_error_codes = ["409"]

    def get_queryset(self):
        return selectors.own_applicants(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_applicant(
            owner=self.request.user, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_applicant(
            applicant=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_applicant(applicant=instance)


REQUEST_ID = OpenApiParameter(
    "request_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Application id."
)


@extend_schema_view(
    list=extend_schema(
        summary="List applications",
        description=(
            "Applicants see their own applications (drafts included); engineers the submitted applications of "
            "their branches; supervisors all submitted ones. Filter by state, branch, kind, applicant type and "
            "submission dates; search by number, applicant name or INN."
        ),
    ),
    retrieve=extend_schema(
        summary="Show an application", description="One application with the applicant snapshot."
    ),
    create=extend_schema(
        summary="Create a draft application",
        description=(
            "Creates a draft. Everything given is validated (identity, cadastral number, location inside the "
            "service area, limits of the rulebook in force, stages adding up); a draft may be incomplete."
        ),
    ),
    update=extend_schema(
        summary="Replace a draft", description="Only drafts can be changed, by their owner."
    ),
    partial_update=extend_schema(
        summary="Change a draft", description="Only drafts can be changed, by their owner."
    ),
    destroy=extend_schema(
        summary="Delete a draft", description="Only drafts can be deleted, by their owner."
    ),
)
class ConnectionRequestViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, CanApply, IsOwnerForWrites]
    filterset_class = ApplicationFilter
    search_fields = SEARCH_FIELDS
    ordering_fields = ["created_at", "submitted_at", "number", "total_kw"]
    queryset = ConnectionRequest.objects.none()
    extra_error_codes = ["409"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.request_list(self.request.user)
        return selectors.request_detail(self.request.user)

    def get_serializer_class(self):
        return ConnectionRequestSerializer if self.action == "list" else ConnectionRequestDetailSerializer

    def filter_queryset(self, queryset):
        # Filters, search and ordering shape the list; one application is found by its id alone
        # (building the filter set for it cost more than the query).
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _respond(self, instance: ConnectionRequest, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.request_detail(self.request.user).get(pk=instance.pk)
        return Response(
            ConnectionRequestDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        stages = data.pop("stages", None)
        instance = services.create_draft(owner=request.user, data=data, stages=stages)
        return self._respond(instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        stages = data.pop("stages", None)
        instance = services.update_draft(application=instance, data=data, stages=stages)
        return self._respond(instance)

    def perform_destroy(self, instance):
        services.delete_draft(application=instance)

    @extend_schema(
        summary="What is missing",
        description=(
            "Lists what the application still lacks for its applicant type — fields and documents — each with a "
            "code, a message and the field it concerns. Submitting an incomplete draft is refused with the same list."
        ),
        responses={200: CompletenessSerializer},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def completeness(self, request, pk=None):
        items = completeness.missing_items(self.get_object())
        return Response({"complete": not items, "missing": [item.as_dict() for item in items]})

    @extend_schema(
        summary="Transitions open to me now",
        description=(
            "The transitions the caller may run on this application in its current state, each with its "
            "label, the state it leads to and the fields it takes (to build a form from)."
        ),
        responses={200: AvailableTransitionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        application = self.get_object()
        return Response(
            [
                {
                    "name": info.name,
                    "label": str(info.label),
                    "target": info.target,
                    "fields": describe_fields(info.name),
                }
                for info in workflow_services.available(application, request.user)
            ]
        )

    @extend_schema(
        summary="Run a transition",
        description=(
            "Runs transition `name` with a comment and its data (see `GET …/transitions/`). Answers 403 when "
            "the caller's role may not run it, 409 when the state does not allow it now or another change won "
            "a race, 400 when its data is invalid. `submit` registers a draft: it is refused with the list of "
            "what is missing while the draft is incomplete, and assigns the number (ТП-YYYY-NNNNNN, gap-free "
            "per year) and the branch whose territory contains the object."
        ),
        request=PolymorphicProxySerializer(
            component_name="AnyTransitionInput",
            serializers=[TransitionInputSerializer, *INPUTS.values()],
            resource_type_field_name=None,
        ),
        responses={200: ConnectionRequestDetailSerializer},
        parameters=[
            OpenApiParameter(
                "name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(workflow_services.TRANSITIONS)
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filter_backends=[])
    def run_transition(self, request, pk=None, name=None):
        application = self.get_object()
        try:
            workflow_services.check_allowed(application, name, request.user)
            serializer = input_serializer(name)(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            comment = data.pop("comment", "")
            application = workflow_actions.perform_transition(
                application=application, name=name, user=request.user, comment=comment, data=data
            )
        except TransitionError as error:
            raise api_exception(error) from error
        return self._respond(application)

    @extend_schema(
        summary="History of the application",
        description="Every transition: who (and in which role), when, from which state to which, comment and data.",
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        application = self.get_object()
        entries = TransitionLog.objects.filter(application=application).select_related("actor")
        return Response([history_entry(entry) for entry in entries])

    @extend_schema(
        summary="Assign to an engineer",
        description=(
            "Makes an engineer of the application's branch the one in charge; recorded in the history as "
            "`assign` (the state stays). Branch staff only (403 otherwise); 400 when `engineer` is not an "
            "engineer of the application's branch or the application is a draft or finished."
        ),
        request=AssignSerializer,
        responses={200: ConnectionRequestDetailSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request, pk=None):
        application = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        engineer = User.objects.filter(pk=serializer.validated_data["engineer"]).first()
        assignment.assign(application=application, engineer=engineer, by=request.user)
        return self._respond(application)

    @extend_schema(
        summary="Offer proposal",
        description=(
            "What the issue_offer form starts from: the applicant's chosen connection point or the nearest one "
            "with enough free capacity (with the other candidates), its geodesic distance, the power, voltage and "
            "reliability category applied for, standard measures of both sides and metering requirements, the "
            "fee by the tariffs in force and the validity of the technical conditions from the rulebook. A "
            "proposal to edit, not a decision: everything is checked again when the offer is issued. Branch "
            "staff only (403 for the applicant); 409 unless the application is accepted as complete "
            "(`under_review`)."
        ),
        responses={200: OfferProposalSerializer},
    )
    @action(
        detail=True, methods=["get"], url_path="offer-proposal", pagination_class=None, filter_backends=[]
    )
    def offer_proposal(self, request, pk=None):
        application = self.get_object()
        if not is_branch_staff(application, request.user):
            raise exceptions.PermissionDenied(_("Only the staff of the application's branch issue offers."))
        if application.state != State.UNDER_REVIEW:
            raise Conflict(_("An offer is issued only to an application accepted as complete."))
        return Response(
            OfferProposalSerializer(proposal_data(technical_conditions.proposal(application))).data
        )

    @extend_schema(
        summary="How to pay",
        description=(
            "For an application whose offer waits for payment: the invoice (number, amount due now, purpose), the "
            "payee's requisites, the ГОСТ Р 56042-2014 string its QR code encodes, the last day to pay and the "
            "day the unpaid application is annulled, and the invoice PDF. 409 in any other state."
        ),
        responses={200: PaymentInstructionsSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def payment(self, request, pk=None):
        return Response(instructions_data(self.get_object()))

    @extend_schema(
        summary="Record the grid organisation's works as done",
        description=(
            "The branch's staff record the day the grid organisation's own measures of the technical conditions "
            "were completed (once, while the contract runs; history event `grid_works_done`). The connection is "
            "confirmed only after it. 403 for others, 409 in another state or when already recorded."
        ),
        request=GridWorksSerializer,
        responses={200: ConnectionRequestDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="grid-works", filter_backends=[])
    def grid_works(self, request, pk=None):
        application = self.get_object()
        body = GridWorksSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        works.record_grid_works_done(
            application=application,
            user=request.user,
            done_on=body.validated_data.get("done_on"),
            comment=body.validated_data.get("comment", ""),
        )
        return self._respond(application)


def history_entry(entry: TransitionLog) -> dict:
    return {
        "id": entry.pk,
        "transition": entry.transition,
        "transition_label": workflow_services.label_of(entry.transition),
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "to_state_label": str(State(entry.to_state).label),
        "actor": (entry.actor.get_full_name() or entry.actor.email) if entry.actor else None,
        "actor_role": entry.actor_role,
        "via": entry.via,
        "created_at": entry.created_at,
        "comment": entry.comment,
        "data": entry.data,
    }


@extend_schema_view(
    list=extend_schema(
        summary="List documents of an application", description="Each document with all its versions."
    ),
    retrieve=extend_schema(summary="Show a document", description="One document with all its versions."),
    destroy=extend_schema(summary="Delete a document", description="Only from a draft, by its owner."),
)
@extend_schema(parameters=[REQUEST_ID])
class DocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = DocumentSerializer
    parser_classes = [StrictMultiPartParser, JSONParser]
    queryset = Document.objects.none()
    pagination_class = None
    filter_backends = []
    extra_error_codes = ["409"]

    def connection_request(self) -> ConnectionRequest:
        if not hasattr(self, "_connection_request"):
            self._connection_request = get_object_or_404(
                selectors.visible_requests(self.request.user), pk=self.kwargs["request_pk"]
            )
        return self._connection_request

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return selectors.visible_documents(self.request.user, self.connection_request())

    def _require_owner(self) -> ConnectionRequest:
        connection_request = self.connection_request()
        if connection_request.owner_id != self.request.user.pk:
            raise exceptions.PermissionDenied(
                _("Only the applicant changes the documents of an application.")
            )
        return connection_request

    @extend_schema(
        summary="Upload a document",
        description=(
            "Multipart upload of a PDF, JPEG or PNG (checked by content, not by name) up to the size limit. "
            "Give `document` to upload a corrected version of an existing document; earlier versions are kept. "
            "File names with a path are refused."
        ),
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    def create(self, request, *args, **kwargs):
        connection_request = self._require_owner()
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = None
        if "document" in data:
            document = Document.objects.filter(request=connection_request, pk=data["document"]).first()
            if document is None:
                raise exceptions.ValidationError(
                    {"document": [_("Unknown document.")]}, code="does_not_exist"
                )
        version = services.upload_document(
            application=connection_request,
            user=request.user,
            doc_type=document.doc_type if document else data["doc_type"],
            upload=data["file"],
            document=document,
            title=data.get("title", ""),
        )
        fresh = self.get_queryset().get(pk=version.document_id)
        return Response(DocumentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        self._require_owner()
        services.delete_document(document=instance)

    @extend_schema(
        summary="Download a document",
        description="The file of the latest version, or of `version`. Served only to those who may see the application.",
        parameters=[
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="Version number; the latest by default."
            ),
            OpenApiParameter(
                "inline",
                OpenApiTypes.BOOL,
                description=(
                    "Serve a PDF, JPEG or PNG to be shown in the page (Content-Disposition inline, framable by "
                    "the portal's own pages) instead of as a download."
                ),
            ),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, request_pk=None, pk=None):
        document = self.get_object()
        versions = list(document.versions.all())
        wanted = request.query_params.get("version")
        if wanted is not None:
            if not re.fullmatch(r"[0-9]{1,6}", wanted):
                raise exceptions.ValidationError({"version": [_("Enter a whole number.")]}, code="invalid")
            versions = [version for version in versions if version.version == int(wanted)]
        if not versions:
            raise exceptions.NotFound()
        version = max(versions, key=lambda item: item.version)
        # Only the types the upload checks verified are shown inline; anything else downloads.
        inline = request.query_params.get("inline") in ("1", "true") and version.content_type in INLINE_TYPES
        response = FileResponse(
            open_stored(version.file),
            as_attachment=not inline,
            filename=version.original_name,
            content_type=version.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        if inline:
            # The engineer's page shows it in a frame: framable by the portal's own pages only (the
            # CSP's frame-ancestors, which browsers obey over X-Frame-Options, and the latter).
            response["X-Frame-Options"] = "SAMEORIGIN"
            response = _framable_by_the_portal(lambda: response)()
        return response
