"""Factories of the grid: branches, territories, grid assets and their capacity per voltage level."""

from __future__ import annotations

from decimal import Decimal

import factory

from grid.models import AssetCapacity, Branch, GridAsset, Territory


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"res-t{n:03d}")
    name = factory.Sequence(lambda n: f"Тестовый РЭС {n}")


def square_wkt(lat: float, lon: float, half_side_deg: float = 0.05) -> str:
    s = half_side_deg
    return f"POLYGON(({lon - s} {lat - s}, {lon + s} {lat - s}, {lon + s} {lat + s}, {lon - s} {lat + s}, {lon - s} {lat - s}))"


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"Территория {n}")
    settlement_kind = "rural"
    boundary_wkt = square_wkt(45.0, 42.0)


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
