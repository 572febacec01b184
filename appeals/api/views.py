"""The public list of active incidents (what the incident map shows): no personal data,
positions rounded to about a kilometre."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from appeals.selectors import active_incidents_public


class PublicIncidentSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="Incident number.")
    kind = serializers.CharField(help_text="outage, low_voltage, voltage_fluctuations or equipment_defect.")
    kind_label = serializers.CharField(help_text="The kind in the request language.")
    defect_label = serializers.CharField(help_text="The equipment defect, if any.")
    area = serializers.CharField(help_text="Territory or settlement.")
    since = serializers.CharField(help_text="When the first report says it started (ISO 8601).")
    since_text = serializers.CharField(help_text="The same, formatted for the request language.")
    status = serializers.CharField(help_text="received, investigating or planned.")
    status_label = serializers.CharField(help_text="The status in the request language.")
    expected_fix = serializers.DateField(allow_null=True, help_text="The planned date of the fix, if set.")
    latitude = serializers.FloatField(help_text="Latitude rounded to 0.01°.")
    longitude = serializers.FloatField(help_text="Longitude rounded to 0.01°.")
    reports = serializers.IntegerField(help_text="Confirmed reports in the incident.")


class ActiveIncidentsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="incidents_active",
        summary="Active incidents",
        description="Open incidents of consumers' reports, as the public map shows them: no personal data.",
        responses=PublicIncidentSerializer(many=True),
    )
    def get(self, request):
        return Response([asdict(incident) for incident in active_incidents_public()])
