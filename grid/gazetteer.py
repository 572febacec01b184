"""A gazetteer of the service area from open data: the towns (HFLabs / DaData.ru, CC BY-SA 4.0)
and the districts and cities of krai significance (OpenStreetMap, ODbL 1.0) of grid/data, for the
map's search by name. Loaded once per process."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

from django.utils.translation import gettext_lazy as _

TOWNS_FILE = "stavropol-krai-cities-hflabs.csv"
DISTRICTS_FILE = "stavropol-krai-districts-osm.csv"
TOWNS_ATTRIBUTION = "HFLabs / DaData.ru, CC BY-SA 4.0 (github.com/hflabs/city)"
DISTRICTS_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
KIND_LABELS = {"town": _("town"), "district": _("district")}


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # town, district
    latitude: float
    longitude: float
    bbox: tuple[float, float, float, float] | None  # minlon, minlat, maxlon, maxlat
    attribution: str


def _rows(name: str) -> list[dict[str, str]]:
    with (resources.files("grid") / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _key(text: str) -> str:
    return text.strip().lower().replace("ё", "е")


@functools.cache
def places() -> tuple[Place, ...]:
    found = [
        Place(row["city"], "town", float(row["geo_lat"]), float(row["geo_lon"]), None, TOWNS_ATTRIBUTION)
        for row in _rows(TOWNS_FILE)
        if row["city"] and row["geo_lat"] and row["geo_lon"]
    ]
    for row in _rows(DISTRICTS_FILE):
        box = tuple(float(row[key]) for key in ("min_lon", "min_lat", "max_lon", "max_lat"))
        found.append(
            Place(
                row["district"].strip(),
                "district",
                (box[1] + box[3]) / 2,
                (box[0] + box[2]) / 2,
                box,
                DISTRICTS_ATTRIBUTION,
            )
        )
    return tuple(found)


def search(query: str, *, limit: int = 10) -> list[Place]:
    """Places whose name starts with the query (then those containing it), towns first."""
    wanted = _key(query)
    if not wanted:
        return []
    starting = [place for place in places() if _key(place.name).startswith(wanted)]
    containing = [place for place in places() if wanted in _key(place.name) and place not in starting]
    ordered = sorted(starting, key=lambda place: (place.kind != "town", place.name)) + sorted(
        containing, key=lambda place: (place.kind != "town", place.name)
    )
    return ordered[:limit]
