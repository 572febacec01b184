"""The data each transition takes over the API, as serializers. `GET …/transitions/` describes
their fields so that clients (the web console, third parties) build their forms from it."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from connection.models import ReliabilityCategory, VoltageLevel


class TransitionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        label=_("comment"),
        help_text=_("Shown in the history."),
    )


class RequestInfoSerializer(TransitionInputSerializer):
    items = serializers.ListField(
        child=serializers.CharField(max_length=300),
        min_length=1,
        max_length=50,
        label=_("missing items"),
        help_text=_("What the applicant must supply, one item per entry."),
    )


class RejectSerializer(TransitionInputSerializer):
    reason = serializers.CharField(max_length=2000, label=_("reason"))


class IssueOfferSerializer(TransitionInputSerializer):
    """The technical conditions, the connection point and the fee. `GET …/offer-proposal/` gives
    every value prefilled from the application, the nearest points and the tariffs."""

    connection_point_id = serializers.IntegerField(
        required=False,
        min_value=0,
        label=_("connection point of the register"),
        help_text=_(
            "The connection point (asset and voltage level) of the register: the power granted is reserved "
            "there when the offer is issued and released if the application is annulled, withdrawn or rejected, "
            "and the documents name it as the register does. The applicant's chosen point when omitted; 0 for "
            "a point outside the register (then name it in `connection_point`)."
        ),
    )
    connection_point = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        label=_("connection point"),
        help_text=_(
            "A point outside the register, as the documents name it; ignored when `connection_point_id` "
            "names one."
        ),
    )
    grid_distance_m = serializers.DecimalField(
        max_digits=9,
        decimal_places=1,
        min_value=Decimal("0"),
        label=_("distance to the grid, m"),
        help_text=_("From the plot boundary to the nearest facility of the required voltage."),
    )
    needs_construction = serializers.BooleanField(
        default=False, label=_("construction under the investment programme needed")
    )
    crosses_third_party_land = serializers.BooleanField(default=False, label=_("crosses third-party land"))
    max_power_kw = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        label=_("maximum power, kW"),
        help_text=_("The total applied for when omitted; never more."),
    )
    voltage_level = serializers.ChoiceField(
        choices=VoltageLevel.choices,
        required=False,
        label=_("voltage"),
        help_text=_("The application's when omitted."),
    )
    reliability_category = serializers.ChoiceField(
        choices=ReliabilityCategory.choices,
        required=False,
        label=_("reliability category"),
        help_text=_("The application's when omitted."),
    )
    grid_measures = serializers.CharField(max_length=10000, label=_("measures of the grid organisation"))
    applicant_measures = serializers.CharField(max_length=10000, label=_("measures of the applicant"))
    metering_requirements = serializers.CharField(max_length=4000, label=_("metering requirements"))
    other_conditions = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, label=_("other conditions")
    )
    overhead_km = serializers.DecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0"),
        required=False,
        label=_("overhead line to build, km"),
        help_text=_("For the fee by standardised rates (C2); 0 if omitted."),
    )
    cable_km = serializers.DecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0"),
        required=False,
        label=_("cable line to build, km"),
        help_text=_("For the fee by standardised rates (C3); 0 if omitted."),
    )
    privileged_applicant = serializers.BooleanField(
        default=False,
        label=_("privileged applicant"),
        help_text=_(
            "The household applicant is on the regional list of beneficiaries (privileged-group rate)."
        ),
    )
    fee_rub = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), label=_("fee, roubles")
    )
    fee_override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        label=_("reason for changing the calculated fee"),
        help_text=_(
            "Required when the fee differs from the one calculated by the tariffs; recorded in the history."
        ),
    )


class RecordPaymentSerializer(TransitionInputSerializer):
    paid_on = serializers.DateField(label=_("payment date"))
    amount_rub = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), label=_("amount paid, roubles")
    )


class ReportDefectsSerializer(TransitionInputSerializer):
    defects = serializers.CharField(max_length=4000, label=_("defects found"))


class ConfirmConnectionSerializer(TransitionInputSerializer):
    connected_on = serializers.DateField(required=False, label=_("connected on"))


class WithdrawSerializer(TransitionInputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, label=_("reason"))


INPUTS: dict[str, type[TransitionInputSerializer]] = {
    "request_info": RequestInfoSerializer,
    "reject": RejectSerializer,
    "issue_offer": IssueOfferSerializer,
    "record_payment": RecordPaymentSerializer,
    "report_defects": ReportDefectsSerializer,
    "confirm_connection": ConfirmConnectionSerializer,
    "withdraw": WithdrawSerializer,
}


def input_serializer(name: str) -> type[TransitionInputSerializer]:
    return INPUTS.get(name, TransitionInputSerializer)


TYPES = {
    serializers.BooleanField: "boolean",
    serializers.DateField: "date",
    serializers.DecimalField: "decimal",
    serializers.IntegerField: "integer",
    serializers.ListField: "list",
    serializers.ChoiceField: "choice",
}


def describe_fields(name: str) -> list[dict]:
    """Field name, type, label, required and help of a transition's input."""
    described = []
    for field_name, field in input_serializer(name)().fields.items():
        described.append(
            {
                "name": field_name,
                "type": next((label for kind, label in TYPES.items() if isinstance(field, kind)), "string"),
                "label": str(field.label or field_name),
                "required": bool(field.required),
                "help_text": str(field.help_text or ""),
                "choices": [
                    {"value": value, "label": str(label)}
                    for value, label in getattr(field, "choices", {}).items()
                ]
                if isinstance(field, serializers.ChoiceField)
                else [],
            }
        )
    return described


def form_fields(name: str) -> list[dict]:
    """The fields of a transition's input as the web pages build their forms: describe_fields plus
    the longest text allowed (None when unlimited)."""
    fields = input_serializer(name)().fields
    return [
        {**described, "max_length": getattr(fields[described["name"]], "max_length", None)}
        for described in describe_fields(name)
    ]


class FieldChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class TransitionFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["string", "boolean", "date", "decimal", "integer", "list", "choice"]
    )
    label = serializers.CharField()
    required = serializers.BooleanField()
    help_text = serializers.CharField()
    choices = FieldChoiceSerializer(
        many=True, help_text=_("The values allowed, for a `choice` field; empty otherwise.")
    )


class AvailableTransitionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Use in POST …/transitions/{name}/."))
    label = serializers.CharField()
    target = serializers.CharField(help_text=_("The state after the transition."))
    fields = TransitionFieldSerializer(many=True)


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    transition = serializers.CharField()
    transition_label = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    to_state_label = serializers.CharField()
    actor = serializers.CharField(
        allow_null=True, help_text=_("Name of the person; null for the portal itself.")
    )
    actor_role = serializers.CharField()
    via = serializers.CharField(
        help_text=_("The integration client that acted for the applicant; empty when the person acted.")
    )
    created_at = serializers.DateTimeField()
    comment = serializers.CharField()
    data = serializers.JSONField()


class CurrentStepSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()
    acting_party = serializers.CharField(help_text=_("grid, applicant, both or none."))
    acting_party_label = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text=_("Working days; negative when overdue."))
    overdue = serializers.BooleanField()
