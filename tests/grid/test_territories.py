"""The settlement kind of a location, read from the territory index alone, agrees with routing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grid import territories
from grid.exceptions import NoBranchForLocation
from tests.grid.factories import BranchFactory, TerritoryFactory, square_wkt

pytestmark = pytest.mark.django_db

INSIDE_URBAN = (45.0, 42.0)  # inside the urban square below
NEAR_RURAL = (45.2, 42.057)  # outside every square, about 500 m from the rural one
FAR = (44.0, 44.0)  # beyond ROUTING_MAX_DISTANCE_M of every territory


def routed_kind(latitude: float, longitude: float) -> str:
    """What routing says, as the nearest answer did before it read the index alone."""
    try:
        return territories.route(latitude=latitude, longitude=longitude).settlement_kind
    except NoBranchForLocation:
        return "rural"


@pytest.fixture
def two_territories():
    branch = BranchFactory()
    TerritoryFactory(branch=branch, settlement_kind="urban", boundary_wkt=square_wkt(45.0, 42.0, 0.01))
    TerritoryFactory(branch=branch, settlement_kind="rural", boundary_wkt=square_wkt(45.2, 42.0, 0.05))


@pytest.mark.parametrize(
    ("location", "kind"), [(INSIDE_URBAN, "urban"), (NEAR_RURAL, "rural"), (FAR, "rural")]
)
@pytest.mark.parametrize("with_default_branch", [False, True])
def test_settlement_kind_agrees_with_routing(two_territories, location, kind, with_default_branch):
    if with_default_branch:
        BranchFactory(is_default=True)
    latitude, longitude = location
    assert territories.settlement_kind_at(latitude=latitude, longitude=longitude) == kind
    assert routed_kind(latitude, longitude) == kind


def test_settlement_kind_follows_a_changed_territory_with_one_query(two_territories):
    territories.settlement_kind_at(latitude=INSIDE_URBAN[0], longitude=INSIDE_URBAN[1])  # builds the index
    with CaptureQueriesContext(connection) as captured:
        kind = territories.settlement_kind_at(latitude=INSIDE_URBAN[0], longitude=INSIDE_URBAN[1])
    assert kind == "urban"
    assert len(captured) == 1  # the territories' version stamp
    territory = territories.Territory.objects.get(settlement_kind="urban")
    territory.settlement_kind = "rural"
    territory.save()
    assert territories.settlement_kind_at(latitude=INSIDE_URBAN[0], longitude=INSIDE_URBAN[1]) == "rural"
