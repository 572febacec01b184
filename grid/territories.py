"""Territory routing: which branch an object's location belongs to.

Polygons are kept as WKT in WGS84 and compared with shapely in a local metric projection (the
same azimuthal-equidistant CRS as the connection-point index), so "within N metres" means metres.
The parsed index is cached per process and rebuilt when the territory rows change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import shapely
from django.conf import settings
from django.db.models import Count, Max
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from grid.exceptions import NoBranchForLocation
from grid.geometry import parse_boundary
from grid.models import Branch, RoutingMethod, Territory


@cache
def projection() -> Transformer:
    return Transformer.from_crs("EPSG:4326", settings.GRID_PROJECTION, always_xy=True)


def in_service_area(latitude: Decimal | float, longitude: Decimal | float) -> bool:
    min_lon, min_lat, max_lon, max_lat = settings.SERVICE_AREA_BBOX
    return min_lat <= float(latitude) <= max_lat and min_lon <= float(longitude) <= max_lon


@dataclass(frozen=True)
class Routing:
    branch: Branch
    territory: Territory | None
    method: str
    needs_attention: bool
    settlement_kind: str
    distance_m: float


@dataclass(frozen=True)
class _Entry:
    territory_id: int
    branch_id: int
    priority: int
    area: float
    geometry: BaseGeometry  # projected, metres
    settlement_kind: str


class TerritoryIndex:
    def __init__(self, territories: list[Territory]):
        to_metric = projection().transform
        self.entries: list[_Entry] = []
        for territory in territories:
            geometry = shapely.transform(parse_boundary(territory.boundary_wkt), to_metric, interleaved=False)
            shapely.prepare(geometry)
            self.entries.append(
                _Entry(
                    territory.pk,
                    territory.branch_id,
                    territory.priority,
                    geometry.area,
                    geometry,
                    territory.settlement_kind,
                )
            )
        self.tree = shapely.STRtree([entry.geometry for entry in self.entries])
        self.settlement_kinds = {entry.territory_id: entry.settlement_kind for entry in self.entries}

    def locate(
        self, longitude: float, latitude: float, max_distance_m: float
    ) -> tuple[int | None, float, bool]:
        """(territory id, distance in metres, inside?) of the best territory, or (None, inf, False)."""
        point = shapely.Point(projection().transform(longitude, latitude))
        inside = [self.entries[i] for i in self.tree.query(point, predicate="intersects")]
        if inside:
            best = max(inside, key=lambda entry: (entry.priority, -entry.area, -entry.territory_id))
            return best.territory_id, 0.0, True
        if not self.entries:
            return None, float("inf"), False
        index = self.tree.nearest(point)
        entry = self.entries[int(index)]
        distance = entry.geometry.distance(point)
        if distance <= max_distance_m:
            return entry.territory_id, distance, False
        return None, distance, False


_lock = threading.Lock()
_cached: tuple[tuple, TerritoryIndex] | None = None


def territory_index() -> TerritoryIndex:
    """The index for the current territory rows, rebuilt in this process when they change."""
    global _cached
    stamp = tuple(Territory.objects.aggregate(count=Count("id"), changed=Max("updated_at")).values())
    with _lock:
        if _cached is None or _cached[0] != stamp:
            _cached = (stamp, TerritoryIndex(list(Territory.objects.all())))
        return _cached[1]


def settlement_kind_at(*, latitude: Decimal | float, longitude: Decimal | float) -> str:
    """Urban or rural, as :func:`route` decides it for the location (the territory it finds; rural
    where it falls back to the default branch or finds none), from the index alone: no query beyond
    the index's version stamp."""
    index = territory_index()
    territory_id, _distance, _inside = index.locate(
        float(longitude), float(latitude), settings.ROUTING_MAX_DISTANCE_M
    )
    if territory_id is None:
        return Territory.SettlementKind.RURAL
    return index.settlement_kinds[territory_id]


def route(*, latitude: Decimal | float, longitude: Decimal | float) -> Routing:
    """The branch for a location: the territory containing it; else the nearest territory within
    ROUTING_MAX_DISTANCE_M; else the default branch, flagged for the supervisor."""
    territory_id, distance, inside = territory_index().locate(
        float(longitude), float(latitude), settings.ROUTING_MAX_DISTANCE_M
    )
    if territory_id is not None:
        territory = Territory.objects.select_related("branch").get(pk=territory_id)
        return Routing(
            branch=territory.branch,
            territory=territory,
            method=RoutingMethod.TERRITORY if inside else RoutingMethod.NEAREST,
            needs_attention=False,
            settlement_kind=territory.settlement_kind,
            distance_m=distance,
        )
    default = Branch.objects.filter(is_default=True).first()
    if default is None:
        raise NoBranchForLocation()
    return Routing(
        branch=default,
        territory=None,
        method=RoutingMethod.DEFAULT,
        needs_attention=True,
        settlement_kind=Territory.SettlementKind.RURAL,
        distance_m=distance,
    )
