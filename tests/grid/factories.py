"""Factories of the asset register: grid assets and their capacity per voltage level."""

from __future__ import annotations

from decimal import Decimal

import factory

from grid.models import AssetCapacity, GridAsset


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
