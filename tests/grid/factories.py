"""Factories of the asset register (grid assets, capacity per voltage level) and a helper that puts
an application straight into a state, for the grid-asset tests."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from connection.models import ConnectionRequest
from grid.models import AssetCapacity, GridAsset
from tests.factories import ConnectionRequestFactory
from workflow.rulebook import get_rules
from workflow.services import refresh_deadline


class GridAssetFactory(factory.django.DjangoModelFactory):
    """A 10/0.4 kV transformer substation near the test territory's centre (45.0 N, 42.0 E)."""

    class Meta:
        model = GridAsset

    kind = "transformer_substation"
    name = factory.Sequence(lambda n: f"ТП-{n}")
    dispatch_number = factory.Sequence(lambda n: f"ТП-10/0,4-{n}")
    external_id = factory.Sequence(lambda n: f"test-asset-{n}")
    latitude = Decimal("45.001000")
    longitude = Decimal("42.001000")
    source = "real"


class AssetCapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetCapacity

    asset = factory.SubFactory(GridAssetFactory)
    voltage_kv = Decimal("0.4")
    installed_kw = Decimal("400")
    reserved_kw = Decimal("0")


def point(
    lat: str, lon: str, *, voltage_kv: str = "0.4", installed_kw: str = "400", reserved_kw: str = "0", **asset
) -> AssetCapacity:
    """A connection point at (lat, lon)."""
    return AssetCapacityFactory(
        asset=GridAssetFactory(latitude=Decimal(lat), longitude=Decimal(lon), **asset),
        voltage_kv=Decimal(voltage_kv),
        installed_kw=Decimal(installed_kw),
        reserved_kw=Decimal(reserved_kw),
    )


def application_in_state(state: str, *, branch=None, **fields) -> ConnectionRequest:
    """A complete application put straight into `state` (as if it got there today), deadline set."""
    draft = ConnectionRequestFactory(with_documents=True, **fields)
    today = timezone.localdate()
    ConnectionRequest.objects.filter(pk=draft.pk).update(
        state=state,
        branch=branch,
        number=f"ТП-{today.year}-8{draft.pk:05d}",
        submitted_at=timezone.now(),
        step_started_on=today,
        complete_since=today,
        rulebook_version_id=get_rules().version_id,
    )
    application = ConnectionRequest.objects.get(pk=draft.pk)
    refresh_deadline(application)
    ConnectionRequest.objects.filter(pk=draft.pk).update(
        due_date=application.due_date, acting_party=application.acting_party
    )
    return ConnectionRequest.objects.get(pk=draft.pk)
