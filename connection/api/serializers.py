"""Serializers of the connection API: shapes and types only. Rules live in the services."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from backend.api.serializers import FieldsBuiltOnceMixin
from backend.formatting import number_text
from connection.api.transitions import CurrentStepSerializer
from connection.models import (
    Applicant,
    CommissioningStage,
    ConnectionRequest,
    Document,
    DocumentVersion,
    TechnicalConditions,
    VoltageLevel,
)
from connection.models.applicants import APPLICANT_FIELDS
from connection.models.documents import APPLICANT_DOCUMENT_CHOICES
from connection.models.requests import OBJECT_FIELDS, POWER_FIELDS, SUPPLY_FIELDS
from connection.selectors import own_applicants
from grid.models import AssetCapacity, Branch, RoutingMethod, Territory
from workflow import selectors as workflow_selectors
from workflow.rulebook import get_rules
from workflow.states import State


class BranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "code", "name", "is_default"]
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Individual",
            value={
                "applicant_type": "individual",
                "last_name": "Петров",
                "first_name": "Пётр",
                "middle_name": "Петрович",
                "snils": "112-233-445 95",
                "passport_series": "0712",
                "passport_number": "345678",
                "passport_issued_by": "ГУ МВД России по Ставропольскому краю",
                "passport_issued_on": "2015-06-01",
                "registration_address": "355000, г. Ставрополь, ул. Ленина, д. 1",
                "phone": "+7 900 123-45-67",
                "email": "petrov@example.ru",
            },
            request_only=True,
        ),
        OpenApiExample(
            "Legal entity",
            value={
                "applicant_type": "legal_entity",
                "organisation_name": "ООО «Ромашка»",
                "inn": "7707083893",
                "ogrn": "1027700132195",
                "kpp": "773601001",
                "registration_address": "355000, г. Ставрополь, ул. Мира, д. 10",
                "phone": "+7 865 200-00-00",
                "email": "office@romashka.example",
            },
            request_only=True,
        ),
    ]
)
class ApplicantSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True, help_text=_("Name as shown in documents."))

    class Meta:
        model = Applicant
        fields = ["id", "display_name", *APPLICANT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "display_name", "created_at", "updated_at"]
        extra_kwargs = {
            # Identity numbers are checked by the model (check digits); here only their length.
            "inn": {
                "max_length": 14,
                "help_text": _("10 digits (organisation) or 12 (person, entrepreneur)."),
            },
            "ogrn": {"max_length": 17, "help_text": _("OGRN: 13 digits; OGRNIP: 15 digits.")},
            "snils": {"max_length": 14, "help_text": _("11 digits, dashes and spaces allowed.")},
            "passport_series": {"max_length": 5},
            "passport_number": {"max_length": 7},
        }


class StageSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    class Meta:
        model = CommissioningStage
        fields = ["position", "planned_date", "power_kw"]
        read_only_fields = ["position"]

    def validate(self, attrs):
        # A PATCH makes nested fields optional too (DRF passes `partial` down), yet a stage needs both.
        missing = {
            name: [self.fields[name].error_messages["required"]]
            for name in ("planned_date", "power_kw")
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing, code="required")
        return attrs


class BranchBriefSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "code", "name"]
        read_only_fields = fields


class ApplicantBriefSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Applicant
        fields = ["id", "applicant_type", "display_name", "inn"]
        read_only_fields = fields


class StateLabelField(serializers.CharField):
    """What get_state_display gives, without rebuilding the state's choices for every row."""

    def get_attribute(self, instance):
        return instance.state

    def to_representation(self, value):
        try:
            return str(State(value).label)
        except ValueError:  # not a state of the machine: shown as stored, as get_state_display does
            return value


class OwnApplicantField(serializers.PrimaryKeyRelatedField):
    """Only the caller's own applicants can be named; others are 'does not exist'."""

    def get_queryset(self):
        request = self.context.get("request")
        return own_applicants(request.user) if request else Applicant.objects.none()


class VoltageLevelField(serializers.ChoiceField):
    """A voltage level of the portal. A number above the portal's highest voltage (35 kV, 110 kV) is
    refused by that rule, naming it, rather than as an unknown choice."""

    def __init__(self, **kwargs):
        super().__init__(choices=VoltageLevel.choices, **kwargs)

    def to_internal_value(self, data):
        if str(data) in self.choices:
            return super().to_internal_value(data)  # a level of the portal: no rulebook read
        try:
            asked = Decimal(str(data).strip().replace(",", "."))
        except (ArithmeticError, ValueError):
            asked = None
        if asked is not None and asked.is_finite():
            rules = get_rules()
            ceiling = max(
                rules.household_max_voltage_kv, rules.business_max_voltage_kv, rules.temporary_max_voltage_kv
            )
            if asked > ceiling:
                raise serializers.ValidationError(
                    _(
                        "The portal connects at up to %(max)s kV; chosen %(chosen)s kV. Apply to the grid organisation directly."
                    )
                    % {"max": number_text(ceiling), "chosen": number_text(asked)},
                    code="voltage_not_allowed",
                )
        return super().to_internal_value(data)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Household, 15 kW",
            value={
                "applicant": 1,
                "object_name": "Жилой дом",
                "object_address": "Ставропольский край, Шпаковский р-н, г. Михайловск, ул. Полевая, д. 5",
                "cadastral_number": "26:11:020101:123",
                "latitude": "45.129800",
                "longitude": "42.025400",
                "kind": "new",
                "previously_connected_kw": "0",
                "requested_kw": "15",
                "voltage_level": "0.4",
                "phases": 3,
                "reliability_category": "III",
                "load_character": "household",
                "guaranteeing_supplier": "ПАО «Ставропольэнергосбыт»",
                "payment_option": "lump_sum",
                "stages": [{"planned_date": "2027-06-01", "power_kw": "15"}],
            },
            request_only=True,
        )
    ]
)
class ConnectionRequestSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    state_label = StateLabelField(
        source="get_state_display", read_only=True, help_text=_("State, for users.")
    )
    applicant = OwnApplicantField(
        required=False, allow_null=True, help_text=_("Id of one of your applicants (`/api/v1/applicants/`).")
    )
    applicant_detail = ApplicantBriefSerializer(source="applicant", read_only=True, allow_null=True)
    voltage_level = VoltageLevelField(
        required=False, allow_blank=True, help_text=_("Voltage at the connection point, kV.")
    )
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal("-90"),
        max_value=Decimal("90"),
        required=False,
        allow_null=True,
        help_text=_("WGS84 latitude of the object, degrees."),
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=Decimal("-180"),
        max_value=Decimal("180"),
        required=False,
        allow_null=True,
        help_text=_("WGS84 longitude of the object, degrees."),
    )
    total_kw = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("Previously connected plus requested power; computed, never entered."),
    )
    stages = StageSerializer(
        many=True,
        required=False,
        help_text=_("Commissioning stages; their kW add up to the requested power."),
    )
    branch = BranchBriefSerializer(
        allow_null=True,
        read_only=True,
        help_text=_("The branch the application was routed to at submission."),
    )
    territory_name = serializers.CharField(
        source="territory.name", read_only=True, default=None, allow_null=True
    )
    # Blank until the application is submitted and routed.
    routing_method = serializers.ChoiceField(choices=RoutingMethod.choices, allow_blank=True, read_only=True)
    settlement_kind = serializers.ChoiceField(
        choices=Territory.SettlementKind.choices, allow_blank=True, read_only=True
    )
    preferred_connection_point = serializers.PrimaryKeyRelatedField(
        queryset=AssetCapacity.objects.all(),
        required=False,
        allow_null=True,
        help_text=_(
            "`connection_point_id` of a point from `/api/v1/connection-points/nearest/` that the applicant "
            "prefers; the offer reserves there unless the grid organisation names another."
        ),
    )
    current_step = serializers.SerializerMethodField(help_text=_("The current step: who acts and by when."))
    expected_completion = serializers.SerializerMethodField(
        help_text=_("When the application would be completed if every remaining step took its full term.")
    )
    # Declared, not derived: the model field would carry the database's integer range into the schema.
    phases = serializers.ChoiceField(
        choices=ConnectionRequest._meta.get_field("phases").choices, required=False, allow_null=True
    )

    class Meta:
        model = ConnectionRequest
        fields = [
            "id",
            "number",
            "state",
            "state_label",
            "applicant",
            "applicant_detail",
            *OBJECT_FIELDS,
            *POWER_FIELDS,
            "total_kw",
            *SUPPLY_FIELDS,
            "preferred_connection_point",
            "stages",
            "branch",
            "territory_name",
            "routing_method",
            "routing_needs_attention",
            "settlement_kind",
            "rulebook_version",
            "created_at",
            "updated_at",
            "submitted_at",
            "current_step",
            "expected_completion",
        ]
        read_only_fields = [
            "id",
            "number",
            "state",
            "state_label",
            "branch",
            "territory_name",
            "routing_method",
            "routing_needs_attention",
            "settlement_kind",
            "rulebook_version",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        # Explicit bounds: otherwise the schema would show the database's integer range, which
        # differs between SQLite and PostgreSQL.
        extra_kwargs = {
            "temporary_term_months": {"min_value": 1, "max_value": 36},
            "cadastral_number": {"help_text": _("Cadastral number of the plot, NN:NN:NNNNNN:N.")},
            "previously_connected_kw": {
                "help_text": _("Power already connected at this point, kW (0 for a new connection).")
            },
            "requested_kw": {"help_text": _("New maximum power requested, kW.")},
        }

    def _rules_today(self):
        # One rulebook read per response, not per row, for drafts (which have no version yet).
        if "_rules_today" not in self.context:
            self.context["_rules_today"] = get_rules()
        return self.context["_rules_today"]

    @extend_schema_field(CurrentStepSerializer)
    def get_current_step(self, obj: ConnectionRequest) -> dict:
        return workflow_selectors.current_step(obj)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_expected_completion(self, obj: ConnectionRequest):
        return workflow_selectors.expected_completion(
            obj, rules=self._rules_today() if not obj.rulebook_version_id else None
        )


class TechnicalConditionsSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    class Meta:
        model = TechnicalConditions
        fields = ["number", "connection_capacity", *TechnicalConditions.CONTENT_FIELDS]
        read_only_fields = fields
        extra_kwargs = {
            "number": {"help_text": _("ТУ-<application number>.")},
            "connection_point": {"help_text": _("The connection point as the documents name it.")},
            "connection_capacity": {"help_text": _("The connection point of the register (id), if any.")},
            "max_power_kw": {"help_text": _("Maximum power granted, kW.")},
            "voltage_level": {"help_text": _("Voltage at the connection point, kV.")},
            "reliability_category": {"help_text": _("I, II or III.")},
            "grid_measures": {"help_text": _("What the grid organisation does.")},
            "applicant_measures": {"help_text": _("What the applicant does within the plot.")},
            "metering_requirements": {"help_text": _("Metering device and its installation.")},
            "other_conditions": {"help_text": _("Anything else the conditions require.")},
            "validity_years": {"help_text": _("Validity from the rulebook of the application.")},
            "issued_on": {"help_text": _("Date of issue (with the offer).")},
            "valid_until": {"help_text": _("Last day of validity.")},
        }


class ConnectionRequestDetailSerializer(ConnectionRequestSerializer):
    applicant_snapshot = serializers.JSONField(read_only=True, help_text=_("The applicant as submitted."))
    technical_conditions = serializers.SerializerMethodField(
        help_text=_("The technical conditions issued with the offer; null before.")
    )

    class Meta(ConnectionRequestSerializer.Meta):
        fields = [
            *ConnectionRequestSerializer.Meta.fields,
            "applicant_snapshot",
            "assigned_to",
            "technical_conditions",
        ]
        read_only_fields = [
            *ConnectionRequestSerializer.Meta.read_only_fields,
            "applicant_snapshot",
            "assigned_to",
            "technical_conditions",
        ]
        extra_kwargs = {
            **getattr(ConnectionRequestSerializer.Meta, "extra_kwargs", {}),
            "assigned_to": {"help_text": _("The engineer in charge (user id); empty while unassigned.")},
        }

    @extend_schema_field(TechnicalConditionsSerializer(allow_null=True))
    def get_technical_conditions(self, obj: ConnectionRequest):
        try:
            conditions = obj.technical_conditions
        except TechnicalConditions.DoesNotExist:
            return None
        return TechnicalConditionsSerializer(conditions).data


class AssignSerializer(serializers.Serializer):
    engineer = serializers.IntegerField(
        help_text=_("User id of an engineer of the application's branch."), min_value=1
    )


class MissingItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine code, e.g. `field_missing`, `document_missing`."))
    message = serializers.CharField()
    field = serializers.CharField(
        help_text=_("Field path, e.g. `applicant.inn` or `documents.location_plan`.")
    )


class CompletenessSerializer(serializers.Serializer):
    complete = serializers.BooleanField()
    missing = MissingItemSerializer(many=True)


class DocumentVersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.get_full_name", read_only=True)

    class Meta:
        model = DocumentVersion
        fields = ["version", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)
    doc_type_label = serializers.CharField(source="get_doc_type_display", read_only=True)

    class Meta:
        model = Document
        fields = ["id", "doc_type", "doc_type_label", "title", "created_at", "versions"]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    doc_type = serializers.ChoiceField(
        choices=APPLICANT_DOCUMENT_CHOICES, help_text=_("Type of the document.")
    )
    file = serializers.FileField(
        help_text=_(
            "PDF, JPEG or PNG, checked by content; the size limit is set by the server (20 MB by default)."
        ),
        allow_empty_file=True,  # the service refuses empty files with its own message
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    document = serializers.IntegerField(
        required=False,
        help_text=_("Id of an existing document of this application, to upload its new version."),
    )
