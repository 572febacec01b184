"""The fee calculator over the API: an estimate of the connection fee with its breakdown."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from connection import fees
from connection.models import ApplicantGroup, ReliabilityCategory
from connection.models.tariffs import DEFAULT_REGION
from grid.models import Territory
from workflow.rulebook import RulebookMissing, get_rules

KM = {"max_digits": 8, "decimal_places": 3, "min_value": Decimal("0"), "max_value": Decimal("1000")}


class FeeEstimateInputSerializer(serializers.Serializer):
    applicant_group = serializers.ChoiceField(
        choices=ApplicantGroup.choices,
        help_text=_("household, privileged_household (regional list of beneficiaries) or business."),
    )
    requested_kw = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        help_text=_("Requested maximum power, kW; the per-kW rates multiply it."),
    )
    total_kw = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        required=False,
        help_text=_(
            "Previously connected plus requested power, kW, for the household limit; `requested_kw` if omitted."
        ),
    )
    voltage_kv = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
        help_text=_("Voltage of the connection, kV (0.23, 0.4, 6, 10, 20)."),
    )
    reliability_category = serializers.ChoiceField(
        choices=ReliabilityCategory.choices, default=ReliabilityCategory.III, help_text=_("I, II or III.")
    )
    within_distance = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Whether the grid is within the distance condition (300 m in towns, 500 m in rural areas). "
            "Omit it to have it decided from `grid_distance_m` and `settlement_kind`."
        ),
    )
    grid_distance_m = serializers.DecimalField(
        max_digits=9,
        decimal_places=1,
        min_value=Decimal("0"),
        required=False,
        help_text=_(
            "Distance from the plot boundary to the grid, m; needed when `within_distance` is omitted."
        ),
    )
    settlement_kind = serializers.ChoiceField(
        choices=Territory.SettlementKind.choices,
        default=Territory.SettlementKind.RURAL,
        help_text=_("urban (300 m condition) or rural (500 m condition)."),
    )
    overhead_km = serializers.DecimalField(
        **KM, default=Decimal("0"), help_text=_("Overhead line to build, km (rate C2).")
    )
    cable_km = serializers.DecimalField(
        **KM, default=Decimal("0"), help_text=_("Cable line to build, km (rate C3).")
    )
    on = serializers.DateField(
        required=False, help_text=_("Date the tariff must be valid on; today if omitted.")
    )
    region = serializers.CharField(
        max_length=12,
        default=DEFAULT_REGION,
        help_text=_("ISO 3166-2 code of the region; RU-STA by default."),
    )

    def validate(self, attrs):
        if attrs.get("within_distance") is None and attrs.get("grid_distance_m") is None:
            raise serializers.ValidationError(
                {
                    "grid_distance_m": _(
                        "Give the distance to the grid or whether it is within the distance condition."
                    )
                },
                code="required",
            )
        return attrs


class FeeLineSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("c1, c2, c3, metering, preferential, privileged or vat."))
    label = serializers.CharField()
    formula = serializers.CharField(help_text=_("How the amount was computed, e.g. “15 kW × 5000”."))
    amount_rub = serializers.DecimalField(max_digits=14, decimal_places=2)


class FeeTariffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField()
    applicant_group = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    rates_include_vat = serializers.BooleanField()
    vat_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    is_example = serializers.BooleanField(
        help_text=_("True for demo rates that are not a tariff authority's decision.")
    )
    source_note = serializers.CharField()


class FeeEstimateSerializer(serializers.Serializer):
    total_rub = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("The fee, roubles, VAT included.")
    )
    method = serializers.ChoiceField(
        choices=[fees.PREFERENTIAL, fees.PRIVILEGED, fees.STANDARDISED],
        help_text=_("preferential rate × kW, privileged-group rate × kW, or the standardised rates."),
    )
    within_conditions = serializers.BooleanField(
        help_text=_("Whether the household conditions hold (power, voltage, category, distance).")
    )
    is_example = serializers.BooleanField(help_text=_("The tariff used is an example (demo data)."))
    tariff = FeeTariffSerializer()
    lines = FeeLineSerializer(many=True, help_text=_("The lines of the fee; they add up to `total_rub`."))
    alternative_total_rub = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text=_("The other amount compared for a household within the conditions; null otherwise."),
    )
    alternative_lines = FeeLineSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())


def _lines(lines: list[fees.FeeLine]) -> list[dict]:
    return [
        {"code": line.code, "label": line.label, "formula": line.formula, "amount_rub": line.amount}
        for line in lines
    ]


def result_data(result: fees.FeeResult) -> dict:
    tariff = result.tariff
    return {
        "total_rub": result.total,
        "method": result.method,
        "within_conditions": result.within_conditions,
        "is_example": result.is_example,
        "tariff": {
            "id": tariff.pk,
            "region": tariff.region,
            "applicant_group": tariff.applicant_group,
            "valid_from": tariff.valid_from,
            "valid_to": tariff.valid_to,
            "rates_include_vat": tariff.rates_include_vat,
            "vat_percent": tariff.vat_percent,
            "is_example": tariff.is_example,
            "source_note": tariff.source_note,
        },
        "lines": _lines(result.lines),
        "alternative_total_rub": result.alternative_total,
        "alternative_lines": _lines(result.alternative_lines),
        "notes": result.notes,
    }


class FeeEstimateView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "calculator"

    @extend_schema(
        summary="Estimate the connection fee",
        description=(
            "Computes the fee of a connection by the regional tariff table valid on the date "
            "(connection-rules.md §4): a household within the conditions (up to 15 kW, category III, "
            "up to 0.4 kV, within 300 m in towns / 500 m in rural areas — the limits come from the "
            "rulebook) pays the smaller of the preferential rate × kW and the cost by standardised rates; "
            "a privileged household within the conditions pays its rate × kW; everyone else pays the "
            "standardised rates C1 + C2 × km of overhead line + C3 × km of cable line + metering. "
            "Money is rounded to kopecks and VAT is added when the tariff's rates exclude it. The answer "
            "carries every line with its formula, the amount compared and the tariff used; `is_example` "
            "marks demo tariffs. No tariff valid on the date: 400 on `on` with code `no_tariff`. "
            "Nothing is saved."
        ),
        request=FeeEstimateInputSerializer,
        responses={200: FeeEstimateSerializer},
        tags=["fees"],
    )
    def post(self, request):
        serializer = FeeEstimateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        on = data.get("on") or timezone.localdate()
        try:
            rules = get_rules(on=on)
        except RulebookMissing as error:
            raise exceptions.ValidationError(
                {"on": [exceptions.ErrorDetail(str(error), code="no_rulebook")]}
            ) from error
        within = data.get("within_distance")
        if within is None:
            within = fees.within_distance(
                rules=rules,
                urban=data["settlement_kind"] == Territory.SettlementKind.URBAN,
                grid_distance_m=data["grid_distance_m"],
            )
        try:
            result = fees.calculate_fee(
                applicant_group=data["applicant_group"],
                requested_kw=data["requested_kw"],
                total_kw=data.get("total_kw"),
                voltage_kv=data["voltage_kv"],
                reliability_category=data["reliability_category"],
                within_distance=within,
                overhead_km=data["overhead_km"],
                cable_km=data["cable_km"],
                on=on,
                region=data["region"],
                rules=rules,
            )
        except fees.TariffNotFound as error:
            raise exceptions.ValidationError(
                {"on": [exceptions.ErrorDetail(error.message, code="no_tariff")]}
            ) from error
        return Response(FeeEstimateSerializer(result_data(result)).data)
