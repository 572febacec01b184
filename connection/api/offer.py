"""The offer proposal over the API: what the issue_offer form starts from (see
connection.technical_conditions.proposal), for the branch staff who issue it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from connection.api.fees import FeeEstimateSerializer, result_data
from connection.technical_conditions import Proposal


class PointOptionSerializer(serializers.Serializer):
    capacity_id = serializers.IntegerField(help_text=_("Use as `connection_point_id` of issue_offer."))
    label = serializers.CharField(help_text=_("The point as the documents name it."))
    distance_m = serializers.DecimalField(
        max_digits=9, decimal_places=1, help_text=_("Geodesic distance from the object, m.")
    )
    free_kw = serializers.DecimalField(max_digits=12, decimal_places=2, help_text=_("Free capacity, kW."))
    sufficient = serializers.BooleanField(help_text=_("The free capacity covers the requested power."))
    within_distance = serializers.BooleanField(help_text=_("Within 300 m (towns) or 500 m (rural areas)."))
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, help_text=_("WGS 84."))
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, help_text=_("WGS 84."))
    generated = serializers.BooleanField(help_text=_("A generated demo point, not a real asset."))


class OfferProposalSerializer(serializers.Serializer):
    values = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_(
            "The issue_offer fields prefilled (connection point, distance, power, voltage, category, measures, "
            "metering, fee and its inputs); decimals as strings."
        ),
    )
    points = PointOptionSerializer(many=True, help_text=_("Candidate connection points, nearest first."))
    fee = FeeEstimateSerializer(
        allow_null=True,
        help_text=_("The fee by the tariffs in force at the proposed distance; null without a tariff."),
    )
    validity_years = serializers.IntegerField(help_text=_("Validity of the technical conditions (rulebook)."))
    valid_until = serializers.DateField(help_text=_("If issued today."))
    notes = serializers.ListField(
        child=serializers.CharField(), help_text=_("What the engineer should check.")
    )


def _json(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | str):
        return value
    return str(value)  # Decimal: exact, as everywhere in the API


def proposal_data(proposal: Proposal) -> dict[str, Any]:
    return {
        "values": {key: _json(value) for key, value in proposal.values.items()},
        "points": proposal.points,  # the serializer reads the declared attributes
        "fee": result_data(proposal.fee) if proposal.fee else None,
        "validity_years": proposal.validity_years,
        "valid_until": proposal.valid_until,
        "notes": [str(note) for note in proposal.notes],
    }
