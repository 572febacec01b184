"""The load calculator over the API: compute a result with its trace, list the device catalogue,
apply a result to a draft.

Input is checked in two layers: the serializers check shapes and types (DRF messages); the
calculator checks values against its tables (unknown device type, non-positive power, number of
apartments, …) and its problems are answered on the same field paths, e.g. ``devices.2.unit_kw``
(0-based position in the list, as for any nested list of the API), in the request language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

import capacity_calc
from connection import selectors
from connection.api.serializers import ConnectionRequestDetailSerializer
from connection.load_calculation import LINE_VOLTAGE_V, apply_load_result, calculate_load
from connection.models import ConnectionRequest, LoadCalculation

#: Sanity limits of the API input (not rules of the calculation, which the calculator checks):
#: they keep an anonymous request small and every number finite.
MAX_ROWS = 500
MAX_COUNT = 1_000_000
NUMBER = {"max_digits": 12, "decimal_places": 6}


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (a misspelt `unit_kw` must not silently fall back to the
    catalogue value)."""

    def to_internal_value(self, data):
        errors: dict[str, Any] = {}
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            errors = {
                key: [exceptions.ErrorDetail(str(_("Unknown field.")), code="unknown_field")]
                for key in unknown
            }
        try:
            value = super().to_internal_value(data)
        except exceptions.ValidationError as error:
            if not errors or not isinstance(error.detail, dict):
                raise
            raise exceptions.ValidationError({**error.detail, **errors}) from None
        if errors:
            raise exceptions.ValidationError(errors)
        return value


def _decimal(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(**NUMBER, required=False, allow_null=True, help_text=help_text)


class DeviceRowSerializer(StrictSerializer):
    device_type = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=200,
        help_text=(
            "Catalogue code (see `GET /api/v1/load-calculations/devices/`) or the device's Russian or "
            "English name. Optional when `unit_kw` is given: the row is then counted as `other`."
        ),
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Your label for the row, shown in the trace.",
    )
    quantity = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=MAX_COUNT, help_text="Number of identical devices."
    )
    unit_kw = _decimal("Rated power of one device, kW (> 0); the catalogue value when omitted.")
    demand_factor = _decimal("Demand factor Kс, 0 < Kс ≤ 1; the catalogue value when omitted.")
    cos_phi = _decimal("Power factor cos φ, 0 < cos φ ≤ 1; the catalogue value when omitted.")
    phases = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=3,
        help_text="1 or 3; the catalogue value when omitted.",
    )


class LiftSerializer(StrictSerializer):
    count = serializers.IntegerField(min_value=1, max_value=MAX_COUNT, help_text="Number of identical lifts.")
    unit_kw = serializers.DecimalField(**NUMBER, help_text="Rated motor power of one lift, kW (> 0).")


class BuildingSerializer(StrictSerializer):
    apartments = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_COUNT,
        help_text="Ordinary apartments (table 7.1).",
    )
    stove_type = serializers.CharField(
        required=False,
        default="gas",
        max_length=200,
        help_text=(
            "Stoves of the ordinary apartments: `gas`, `lpg_solid` (liquefied gas or solid fuel), "
            "`electric` (up to 8.5 kW) or `garden` (garden-plot houses)."
        ),
    )
    comfort_apartments = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_COUNT,
        help_text="Apartments of increased comfort (tables 7.2 and 7.3).",
    )
    comfort_unit_kw = _decimal("Declared power of one apartment of increased comfort, kW.")
    storeys = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_COUNT,
        help_text="Storeys of the building; required with lifts (table 7.4).",
    )
    lifts = LiftSerializer(
        many=True, required=False, max_length=MAX_ROWS, help_text="Groups of identical lifts."
    )
    other = DeviceRowSerializer(
        many=True,
        required=False,
        max_length=MAX_ROWS,
        help_text="Other power receivers (pumps, common lighting, …), counted by the device-list method.",
    )


class SupplySerializer(StrictSerializer):
    phases = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=3,
        help_text=(
            "The supply the applicant wants: 1 or 3 phases. Honoured where possible (not single-phase for "
            "three-phase receivers or 6/10 kV loads); a single-phase choice above the advised power or "
            "current gives the notice `single_phase_above_threshold`. As recommended when omitted."
        ),
    )

    def validate_phases(self, value):
        if value not in (None, 1, 3):
            raise serializers.ValidationError(_("Phases must be 1 or 3."), code="phases_invalid")
        return value

    voltage_v = serializers.ChoiceField(
        choices=sorted(LINE_VOLTAGE_V),
        required=False,
        default=230,
        help_text=(
            "Nominal phase voltage, V: 230 (ГОСТ 29322-2014, line 400 V) or 220 (older networks, line 380 V); "
            "the currents are computed at it."
        ),
    )


CALCULATION_EXAMPLES = [
    OpenApiExample(
        "Private house (device list)",
        value={
            "devices": [
                {"device_type": "electric_cooker", "quantity": 1},
                {"device_type": "storage_water_heater", "quantity": 1},
                {"device_type": "lighting_led", "quantity": 30},
                {"name": "Workshop", "unit_kw": "2.5", "quantity": 1},
            ]
        },
        request_only=True,
    ),
    OpenApiExample(
        "Residential building",
        value={
            "building": {
                "apartments": 60,
                "stove_type": "electric",
                "storeys": 9,
                "lifts": [{"count": 2, "unit_kw": "7.5"}],
            }
        },
        request_only=True,
    ),
]


@extend_schema_serializer(examples=CALCULATION_EXAMPLES)
class CalculationInputSerializer(StrictSerializer):
    devices = DeviceRowSerializer(
        many=True,
        required=False,
        max_length=MAX_ROWS,
        help_text="A device list (a house, a small business). Give either `devices` or `building`.",
    )
    building = BuildingSerializer(
        required=False,
        help_text="A residential building (СП 256.1325800.2016 § 7.1). Give either `devices` or `building`.",
    )
    supply = SupplySerializer(
        required=False, help_text="The supply chosen (phases, nominal voltage), as the command line takes it."
    )

    def validate(self, attrs):
        given = [key for key in ("devices", "building") if key in attrs]
        if len(given) != 1:
            message = (
                _("Give either a device list or a building, not both.")
                if given
                else _("Give a device list or a building.")
            )
            raise exceptions.ValidationError(
                {"devices": [exceptions.ErrorDetail(str(message), code="devices_or_building")]}
            )
        return attrs


APPLY_EXAMPLES = [
    OpenApiExample(
        "Apply a device list",
        value={
            "devices": [
                {"device_type": "electric_cooker", "quantity": 1},
                {"device_type": "lighting_led", "quantity": 20},
            ],
            "overwrite_electrical": False,
        },
        request_only=True,
    )
]


@extend_schema_serializer(examples=APPLY_EXAMPLES)
class ApplyCalculationInputSerializer(CalculationInputSerializer):
    overwrite_electrical = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Replace the draft's phases and voltage level by the suggested ones even when already set "
            "(by default only empty ones are filled)."
        ),
    )


# Output shapes (for the schema; the response is LoadResult.to_dict() itself)


def _out_decimal(help_text: str, places: int = 2) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=places, help_text=help_text)


class TraceStepSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Step code, e.g. `device`, `design_power`, `breaker`.")
    description = serializers.CharField(help_text="What the step does, in Russian.")
    description_en = serializers.CharField(help_text="What the step does, in English.")
    formula = serializers.CharField(help_text="The formula, with the symbols used in `inputs`.")
    inputs = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Symbol → value (decimal numbers as strings, integers, or text).",
    )
    result = serializers.JSONField(help_text="The step's value: a decimal string, an integer or text.")
    unit = serializers.CharField(allow_blank=True, help_text="`kW`, `kvar`, `kVA`, `A`, … or empty.")
    source = serializers.CharField(allow_blank=True, help_text="The norm or data row the step relies on.")


class CalculationNoticeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. `medium_voltage`, `no_breaker`, `beyond_portal`.")
    message = serializers.CharField(help_text="In Russian.")
    message_en = serializers.CharField(help_text="In English.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Private house (the device-list example; trace shortened)",
            value={
                "method": "devices",
                "installed_kw": "13.45",
                "design_kw": "10.03",
                "reactive_kvar": "1.02",
                "apparent_kva": "10.08",
                "cos_phi": "0.995",
                "phases": 3,
                "voltage_kv": "0.4",
                "voltage_label": "0,4 кВ, трёхфазное (3 фазы)",
                "voltage_label_en": "0.4 kV, three-phase",
                "current_voltage_v": 400,
                "design_current_a": "14.6",
                "breaker_a": 16,
                "category": "household",
                "category_label": "Физическое лицо для бытовых нужд, до 15 кВт",
                "category_label_en": "Household (individual), up to 15 kW",
                "trace": [
                    {
                        "code": "design_power",
                        "description": "Расчётная мощность с коэффициентом одновременности",
                        "description_en": "Design power with the simultaneity factor",
                        "formula": "Pр = Kо × ΣPр,i",
                        "inputs": {"Kо": "1", "ΣPр,i": "10.03"},
                        "result": "10.03",
                        "unit": "kW",
                        "source": "load-calculation.md § 1",
                    }
                ],
                "notices": [],
            },
            response_only=True,
        )
    ]
)
class LoadResultSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["devices", "building"], help_text="The method used.")
    installed_kw = _out_decimal("Installed power Pу, kW (no diversity).")
    design_kw = _out_decimal("Design power Pр, kW: the power to request.")
    reactive_kvar = _out_decimal("Design reactive power Qр, kvar.")
    apparent_kva = _out_decimal("Design apparent power Sр, kVA.")
    cos_phi = _out_decimal("Weighted power factor Pр / Sр.", 3)
    phases = serializers.IntegerField(help_text="Suggested number of phases, 1 or 3.")
    voltage_kv = serializers.ChoiceField(
        choices=["0.23", "0.4", "6/10"], help_text="Suggested supply voltage, kV."
    )
    voltage_label = serializers.CharField(help_text="Suggested supply, in Russian.")
    voltage_label_en = serializers.CharField(help_text="Suggested supply, in English.")
    current_voltage_v = serializers.IntegerField(help_text="Voltage the design current is given at, V.")
    design_current_a = _out_decimal("Design current per phase, A.", 1)
    breaker_a = serializers.IntegerField(
        allow_null=True,
        help_text="Smallest standard breaker rating not below the current, A; null beyond the series.",
    )
    category = serializers.ChoiceField(
        choices=["household", "business", "beyond"], help_text="The power band the design power falls into."
    )
    category_label = serializers.CharField(help_text="The band, in Russian.")
    category_label_en = serializers.CharField(help_text="The band, in English.")
    trace = TraceStepSerializer(many=True, help_text="Every step with formula, inputs and result.")
    notices = CalculationNoticeSerializer(many=True, help_text="Warnings; the result is still valid.")


class CatalogueDeviceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code to send as `device_type`.")
    name = serializers.CharField(help_text="Name in the request language.")
    name_ru = serializers.CharField(help_text="Name in Russian.")
    name_en = serializers.CharField(help_text="Name in English.")
    unit_kw = serializers.DecimalField(
        max_digits=14,
        decimal_places=6,
        allow_null=True,
        help_text="Default rated power of one device, kW; null when the user must give it (`other`).",
    )
    demand_factor = serializers.DecimalField(max_digits=8, decimal_places=6, help_text="Default Kс.")
    cos_phi = serializers.DecimalField(max_digits=8, decimal_places=6, help_text="Default cos φ.")
    phases = serializers.IntegerField(help_text="Default number of phases, 1 or 3.")


class AppliedNoteSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="`voltage_not_applied`, `phases_not_applied`, `phases_kept` or `voltage_kept`."
    )
    message = serializers.CharField(help_text="In the request language.")
    field = serializers.CharField(help_text="The field of the application concerned.")


class AppliedValuesSerializer(serializers.Serializer):
    requested_kw = serializers.DecimalField(
        max_digits=9, decimal_places=2, help_text="The requested power written: the design power."
    )
    phases = serializers.IntegerField(
        allow_null=True, help_text="Phases written, or null when left unchanged."
    )
    voltage_level = serializers.CharField(
        allow_null=True, help_text="Voltage level written, or null when left unchanged."
    )


class ApplyCalculationResultSerializer(serializers.Serializer):
    application = ConnectionRequestDetailSerializer(help_text="The draft as saved.")
    calculation = LoadResultSerializer(help_text="The result computed on the server.")
    applied = AppliedValuesSerializer(help_text="What was written to the draft.")
    notes = AppliedNoteSerializer(many=True, help_text="What was left unchanged, and why.")


@extend_schema_field(CalculationInputSerializer)
class StoredInputField(serializers.JSONField):
    """The input as stored (numbers as the strings typed), documented with the calculator's input."""


@extend_schema_field(LoadResultSerializer)
class StoredResultField(serializers.JSONField):
    """The result as stored (``LoadResult.to_dict()``), documented with the calculator's result."""


class LoadCalculationRecordSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text="Id of the calculation record.")
    # A plain string, not an enum: a second `method` enum of the same values would collide in the
    # schema with the one of `LoadResult` (the same value as `result.method`).
    method = serializers.CharField(
        read_only=True,
        help_text="`devices` (a device list) or `building` (a residential building), as `result.method`.",
    )
    design_kw = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        read_only=True,
        help_text="Design power, kW (0.01): the requested power written to the application.",
    )
    input = StoredInputField(
        read_only=True,
        help_text=(
            "What the calculation was computed from, in the shape of the calculator's input: `devices` "
            "or `building`; numbers as strings."
        ),
    )
    result = StoredResultField(
        read_only=True,
        help_text="The calculator's result with its trace and notices, as answered when it was applied.",
    )
    created_at = serializers.DateTimeField(read_only=True, help_text="When it was applied.")
    created_by_name = serializers.SerializerMethodField(help_text="Who applied it: full name or e-mail.")

    class Meta:
        model = LoadCalculation
        fields = ["id", "method", "design_kw", "input", "result", "created_at", "created_by_name"]
        read_only_fields = fields

    def get_created_by_name(self, calculation: LoadCalculation) -> str:
        user = calculation.created_by
        return user.get_full_name() or user.email


def _catalogue_number(value: float | None) -> str | None:
    if value is None:
        return None
    return format(Decimal(str(value)).normalize(), "f")


# Views


class LoadCalculationView(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "calculator"

    @extend_schema(
        summary="Calculate the load",
        description=(
            "Computes the design power of a device list (demand method: Pр = Kо × Σ Kс × n × Pном) or of a "
            "residential building (СП 256.1325800.2016 § 7.1), with the suggested phases, voltage, design "
            "current, breaker rating and power band, and a trace of every step (formula, inputs, result, "
            "source). Give exactly one of `devices` and `building`. Missing device values come from the "
            "catalogue (`GET /api/v1/load-calculations/devices/`). Each problem of the input is answered "
            "on its field path, e.g. `devices.2.unit_kw` (rows counted from 0). Anonymous use is allowed "
            "and rate-limited. Nothing is saved."
        ),
        request=CalculationInputSerializer,
        responses={200: LoadResultSerializer},
        tags=["load-calculations"],
    )
    def post(self, request):
        serializer = CalculationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(calculate_load(serializer.validated_data).to_dict())


class DeviceCatalogueView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="List the device catalogue",
        description=(
            "Device types of the load calculator with their default rated power, demand factor Kс, cos φ "
            "and phases, in catalogue order, for the calculator wizard. A row may override any default. "
            "Anonymous use is allowed."
        ),
        responses={200: CatalogueDeviceSerializer(many=True)},
        tags=["load-calculations"],
    )
    def get(self, request):
        english = (get_language() or "").startswith("en")
        return Response(
            [
                {
                    "code": device.code,
                    "name": device.name_en if english else device.name_ru,
                    "name_ru": device.name_ru,
                    "name_en": device.name_en,
                    "unit_kw": _catalogue_number(device.unit_kw),
                    "demand_factor": _catalogue_number(device.demand_factor),
                    "cos_phi": _catalogue_number(device.cos_phi),
                    "phases": device.phases,
                }
                for device in capacity_calc.catalogue().types
            ]
        )


class ApplyLoadCalculationView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "calculator"
    extra_error_codes = ["409"]

    @extend_schema(
        summary="Apply a load calculation to a draft",
        description=(
            "Recomputes the calculation from the input (the same body as `POST /api/v1/load-calculations/`; "
            "numbers from an earlier answer are never trusted) and sets the draft's requested power to the "
            "design power (kW, 0.01). Phases and voltage level are filled from the suggestion where the "
            "draft has none, or replaced with `overwrite_electrical: true`; a suggestion of 6/10 kV is not "
            "applied, and `notes` says what was left unchanged. The draft is saved under the same rules as "
            "any edit: the power limit of the applicant type (e.g. 15 kW in total for a household) is "
            "answered on `requested_kw`; a single commissioning stage follows the new power, several stages "
            "must be re-planned (400 on `stages`). Only the owner may apply (403 for others who can see the "
            "application, 404 for the rest); an application no longer a draft answers 409. The calculation "
            "applied (input, result and trace) is kept with the application: see "
            "`GET /api/v1/connection-requests/{id}/load-calculations/`. Nothing is saved after an error."
        ),
        request=ApplyCalculationInputSerializer,
        responses={200: ApplyCalculationResultSerializer},
        tags=["connection-requests"],
    )
    def post(self, request, pk: int):
        application = selectors.visible_requests(request.user).filter(pk=pk).first()
        if application is None:
            raise exceptions.NotFound()
        if application.owner_id != request.user.pk:
            raise exceptions.PermissionDenied()
        serializer = ApplyCalculationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        overwrite = data.pop("overwrite_electrical", False)
        result = calculate_load(data)
        applied = apply_load_result(
            application=application,
            result=result,
            input_data=data,
            user=request.user,
            overwrite_electrical=overwrite,
        )
        fresh = selectors.request_detail(request.user).get(pk=applied.application.pk)
        return Response(
            {
                "application": ConnectionRequestDetailSerializer(fresh, context={"request": request}).data,
                "calculation": result.to_dict(),
                "applied": {
                    "requested_kw": format(applied.requested_kw, "f"),
                    "phases": applied.phases,
                    "voltage_level": applied.voltage_level,
                },
                "notes": [note.as_dict() for note in applied.notes],
            }
        )


@extend_schema_view(
    list=extend_schema(
        summary="List the load calculations of an application",
        description=(
            "Every load calculation applied to the application (`POST …/apply-load-calculation/` or the "
            "calculator page), newest first: the input as entered, the design power written as the "
            "requested power, and the full result with its trace (formula, inputs, result and source of "
            "each step) and notices, with who applied it and when. The newest one is what the requested "
            "power was last taken from, unless the applicant changed the power by hand later; an empty "
            "list means the power was stated directly. Visible to whoever may see the application (the "
            "owner, the branch's engineers, supervisors and administrators); others get 404."
        ),
        responses={200: LoadCalculationRecordSerializer(many=True)},
        tags=["connection-requests"],
    ),
)
@extend_schema(
    parameters=[
        OpenApiParameter("request_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Application id.")
    ]
)
class LoadCalculationRecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = LoadCalculationRecordSerializer
    permission_classes = [IsAuthenticated]
    queryset = LoadCalculation.objects.none()
    pagination_class = None
    filter_backends = []

    def connection_request(self) -> ConnectionRequest:
        return get_object_or_404(selectors.visible_requests(self.request.user), pk=self.kwargs["request_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LoadCalculation.objects.none()
        return selectors.load_calculations(application=self.connection_request())
