"""Where a report is: a point on the map, or a settlement of the served area by name (its centre,
from the towns list shipped with the grid data)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from grid.demo import TOWNS_FILE


@dataclass(frozen=True)
class Settlement:
    name: str
    latitude: Decimal
    longitude: Decimal


@cache
def settlements() -> tuple[Settlement, ...]:
    with (resources.files("grid") / "data" / TOWNS_FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = [
        Settlement(
            row["city"].strip(),
            Decimal(row["geo_lat"]).quantize(Decimal("0.000001")),
            Decimal(row["geo_lon"]).quantize(Decimal("0.000001")),
        )
        for row in rows
    ]
    return tuple(sorted(found, key=lambda item: item.name))


def settlement_named(name: str) -> Settlement | None:
    wanted = name.strip().casefold().replace("ё", "е")
    return next((item for item in settlements() if item.name.casefold().replace("ё", "е") == wanted), None)


def settlement_in_text(text: str) -> Settlement | None:
    """The settlement a free-text address names (the longest name found), or None."""
    words = text.casefold().replace("ё", "е")
    named = [
        item
        for item in settlements()
        if re.search(rf"\b{re.escape(item.name.casefold().replace('ё', 'е'))}\b", words)
    ]
    return max(named, key=lambda item: len(item.name), default=None)
