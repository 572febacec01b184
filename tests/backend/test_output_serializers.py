"""Serializers that keep their output fields per class (backend/api/serializers.py) answer exactly
what DRF's own per-instance fields answer: the same JSON, byte for byte, for every state, with
relations, deferred columns and a draft."""

from __future__ import annotations

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from backend.api.serializers import FieldsBuiltOnceMixin
from connection.api.serializers import ConnectionRequestDetailSerializer, ConnectionRequestSerializer
from connection.models import ConnectionRequest
from tests.grid.factories import TerritoryFactory
from tests.workflow.helpers import application_in_state

pytestmark = pytest.mark.django_db


def rendered(serializer_class, instances) -> bytes:
    return JSONRenderer().render(serializer_class(instances, many=True, context={}).data)


def as_drf_renders(serializer_class, instances, monkeypatch) -> bytes:
    """The same serializer with the kept fields switched off: DRF's Serializer.to_representation."""
    with monkeypatch.context() as patch:
        patch.setattr(
            FieldsBuiltOnceMixin,
            "to_representation",
            lambda self, instance: serializers.Serializer.to_representation(self, instance),
        )
        return rendered(serializer_class, instances)


@pytest.fixture
def applications(branch):
    territory = TerritoryFactory(branch=branch, settlement_kind="urban")
    made = [application_in_state("draft")]
    for state in ("submitted", "needs_info", "under_review", "contract_active", "closed", "rejected"):
        application = application_in_state(state, branch=branch)
        ConnectionRequest.objects.filter(pk=application.pk).update(
            territory=territory, settlement_kind="urban", routing_method="territory"
        )
        made.append(application)
    return made


@pytest.mark.parametrize("serializer_class", [ConnectionRequestSerializer, ConnectionRequestDetailSerializer])
def test_kept_fields_render_as_drf_does(applications, serializer_class, monkeypatch):
    ids = [application.pk for application in applications]
    loaded = list(
        ConnectionRequest.objects.filter(pk__in=ids)
        .select_related("applicant", "branch", "territory", "technical_conditions")
        .prefetch_related("stages")
        .order_by("pk")
    )
    ours = rendered(serializer_class, loaded)
    assert ours == as_drf_renders(serializer_class, loaded, monkeypatch)
    assert b'"territory_name"' in ours and b'"stages"' in ours
    # The columns are read from the loaded values (the path under test), not through DRF.
    assert sum(column is not None for *_, column in serializer_class._output_plan()) > 20
    # The columns are read from the loaded values (the path under test), not through DRF.
    assert sum(column is not None for *_, column in serializer_class._output_plan()) > 20


def test_deferred_and_refreshed_columns_are_read_as_drf_reads_them(applications, monkeypatch):
    deferred = list(
        ConnectionRequest.objects.filter(pk__in=[item.pk for item in applications])
        .defer("object_name", "requested_kw", "applicant_snapshot")
        .order_by("pk")
    )
    saved = ConnectionRequest.objects.get(pk=applications[1].pk)
    saved.object_name = "Баня"
    saved.save()  # the generated total_kw is re-read after a save
    instances = [*deferred, saved]
    ours = rendered(ConnectionRequestDetailSerializer, instances)
    assert ours == as_drf_renders(ConnectionRequestDetailSerializer, instances, monkeypatch)
    assert "Баня".encode() in ours
