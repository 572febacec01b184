"""The process-wide nearest-connection-point index over the asset register.

One :class:`grid.index.GridIndex` per process, built from every AssetCapacity row
(one entry per asset and voltage level). Each lookup first reads a cheap version stamp of the
asset data (one aggregate query) and compares it with the stamp the index was built or refreshed
at — the same pattern as grid.territories.territory_index():

* the *layout* part (number and highest id of the capacity rows, last change of any asset) changed:
  an asset was added, moved or removed — the index is rebuilt;
* only the *capacity* part (last change of a capacity row, sums of installed and reserved kW)
  changed: free capacity is re-read and set in place with ``update_free_kw`` (no rebuild).

After a reservation or release commits, connection.reservations calls :func:`note_free_kw`, which
updates this process's index at once; other processes notice the changed stamp on their next
lookup. The index only proposes candidates: a reservation is always decided on the locked row.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Sum

from grid.index import GridIndex
from grid.models import AssetCapacity


@dataclass(frozen=True)
class Stamp:
    layout: tuple
    capacity: tuple


def data_version() -> Stamp:
    """The version stamp of the asset data: one aggregate query."""
    row = AssetCapacity.objects.aggregate(
        count=Count("id"),
        last_id=Max("id"),
        assets_changed=Max("asset__updated_at"),
        changed=Max("updated_at"),
        installed=Sum("installed_kw"),
        reserved=Sum("reserved_kw"),
    )
    return Stamp(
        layout=(row["count"], row["last_id"], row["assets_changed"]),
        capacity=(row["changed"], row["installed"], row["reserved"]),
    )


def _centre() -> tuple[float, float]:
    min_lon, min_lat, max_lon, max_lat = settings.SERVICE_AREA_BBOX
    return ((min_lat + max_lat) / 2, (min_lon + max_lon) / 2)


def _service_area() -> tuple[float, float, float, float]:
    min_lon, min_lat, max_lon, max_lat = settings.SERVICE_AREA_BBOX
    return (min_lat, min_lon, max_lat, max_lon)


def _build(stamp: Stamp) -> GridIndex:
    rows = AssetCapacity.objects.values_list(
        "asset_id", "asset__latitude", "asset__longitude", "voltage_kv", "free_kw"
    ).order_by("asset_id", "voltage_kv")
    return GridIndex.from_rows(list(rows), version=stamp, centre=_centre(), service_area=_service_area())


def _refresh_free(index: GridIndex) -> None:
    for asset_id, voltage_kv, free_kw in AssetCapacity.objects.values_list(
        "asset_id", "voltage_kv", "free_kw"
    ):
        index.update_free_kw(asset_id, voltage_kv, free_kw)


_lock = threading.Lock()
_cached: tuple[Stamp, GridIndex] | None = None
#: How many times this process built the index (for tests and diagnostics).
builds = 0


def grid_index() -> GridIndex:
    """The index for the current asset data, rebuilt or refreshed in this process when it changed."""
    global _cached, builds
    stamp = data_version()
    with _lock:
        if _cached is None or _cached[0].layout != stamp.layout:
            _cached = (stamp, _build(stamp))
            builds += 1
        elif _cached[0].capacity != stamp.capacity:
            _refresh_free(_cached[1])
            _cached = (stamp, _cached[1])
        return _cached[1]


def note_free_kw(*, asset_id: int, voltage_kv: Decimal | float, free_kw: Decimal | float) -> None:
    """A committed change of free capacity: update this process's index in place (if built)."""
    with _lock:
        if _cached is None:
            return
        with contextlib.suppress(KeyError):  # a point added since the build: the next lookup rebuilds
            _cached[1].update_free_kw(int(asset_id), voltage_kv, free_kw)


def clear_cache() -> None:
    global _cached
    with _lock:
        _cached = None
