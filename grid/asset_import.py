"""The import of asset files (CSV or GeoJSON, with pandas) into the asset register.

One record per asset and voltage level (an asset with two levels has two records with the
same `external_id`; a record without a voltage registers the asset only). Assets are upserted by
`external_id`: a second import of the same file changes nothing. Rows that cannot be used are
skipped and reported with their row number and the reason; the rest is saved in one transaction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from grid.models import AssetCapacity, AssetKind, AssetSource, Branch, GridAsset, Territory
from grid.territories import territory_index

#: Fields an import file may provide (after --mapping): name → required?
IMPORT_FIELDS: dict[str, bool] = {
    "external_id": True,
    "kind": True,
    "latitude": True,
    "longitude": True,
    "name": False,
    "dispatch_number": False,
    "branch": False,  # branch code; without it the branch whose territory contains the asset
    "voltage_kv": False,
    "installed_kw": False,
    "reserved_kw": False,
    "data_date": False,
    "source_note": False,
}
#: Column names understood without a mapping.
ALIASES = {
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "id": "external_id",
    "voltage": "voltage_kv",
}
KIND_ALIASES = {
    **{kind.value: kind.value for kind in AssetKind},
    "ps": AssetKind.SUPPLY_CENTRE,
    "substation": AssetKind.SUPPLY_CENTRE,
    "tp": AssetKind.TRANSFORMER_SUBSTATION,
    "ktp": AssetKind.TRANSFORMER_SUBSTATION,
    "rp": AssetKind.DISTRIBUTION_POINT,
    "support": AssetKind.LINE_SUPPORT,
    "pole": AssetKind.LINE_SUPPORT,
}


@dataclass
class RejectedRow:
    row: int  # CSV: the line of the file (the header is line 1); GeoJSON: the feature's number (from 1)
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    capacities_created: int = 0
    capacities_updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "capacities_created": self.capacities_created,
            "capacities_updated": self.capacities_updated,
            "rejected": [{"row": item.row, "reason": item.reason} for item in self.rejected],
        }


def parse_mapping(text: str | None) -> dict[str, str]:
    """`col=field,col2=field2` → {col: field}; ValueError naming what is wrong."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        column, sep, target = part.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or target not in IMPORT_FIELDS:
            raise ValueError(
                _("Bad mapping %(part)r: use column=field with field one of %(fields)s.")
                % {"part": part, "fields": ", ".join(IMPORT_FIELDS)}
            )
        mapping[column] = target
    return mapping


def read_asset_file(
    source: str | Path | IO, *, mapping: dict[str, str] | None = None, fmt: str | None = None
) -> tuple[pd.DataFrame, int]:
    """Read a CSV or GeoJSON file into a frame of import fields (strings); returns the frame and
    the row number of its first record (2 for CSV, whose line 1 is the header; 1 for GeoJSON)."""
    name = str(getattr(source, "name", source))
    fmt = fmt or ("geojson" if name.lower().endswith((".geojson", ".json")) else "csv")
    if fmt == "geojson":
        document = (
            json.load(source) if hasattr(source, "read") else json.loads(Path(source).read_text("utf-8"))
        )
        records = []
        for feature in document.get("features", []) if isinstance(document, dict) else []:
            properties = dict((feature or {}).get("properties") or {})
            geometry = (feature or {}).get("geometry") or {}
            coordinates = geometry.get("coordinates") if geometry.get("type") == "Point" else None
            if isinstance(coordinates, list) and len(coordinates) >= 2:
                properties.setdefault("longitude", coordinates[0])
                properties.setdefault("latitude", coordinates[1])
            records.append(properties)
        frame = pd.DataFrame.from_records(records).astype(object)
        first = 1
    else:
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, skipinitialspace=True)
        first = 2
    renames = {
        column: (mapping or {}).get(
            column, ALIASES.get(str(column).strip().lower(), str(column).strip().lower())
        )
        for column in frame.columns
    }
    frame = frame.rename(columns=renames)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return frame.where(frame.notna(), ""), first


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _decimal(value: Any, name: str, *, places: int) -> Decimal | None:
    text = _text(value).replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("%(field)s is not a number: %(value)r") % {"field": name, "value": text}) from None
    if not number.is_finite():
        raise ValueError(_("%(field)s is not a number: %(value)r") % {"field": name, "value": text})
    return number.quantize(Decimal(1).scaleb(-places))


def _required(record: dict[str, Any], name: str) -> str:
    text = _text(record.get(name))
    if not text:
        raise ValueError(_("%(field)s is missing.") % {"field": name})
    return text


@dataclass
class _Row:
    number: int
    asset: dict[str, Any]
    voltage_kv: Decimal | None
    installed_kw: Decimal | None
    reserved_kw: Decimal | None


def _parse_row(number: int, record: dict[str, Any], branches: dict[str, int]) -> _Row:
    external_id = _required(record, "external_id")
    if len(external_id) > 100:
        raise ValueError(_("external_id is longer than 100 characters."))
    kind_text = _required(record, "kind").lower()
    kind = KIND_ALIASES.get(kind_text)
    if kind is None:
        raise ValueError(
            _("Unknown kind %(kind)r: use one of %(kinds)s.")
            % {"kind": kind_text, "kinds": ", ".join(AssetKind.values)}
        )
    latitude = _decimal(_required(record, "latitude"), "latitude", places=6)
    longitude = _decimal(_required(record, "longitude"), "longitude", places=6)
    if not -90 <= latitude <= 90:
        raise ValueError(_("latitude must be between -90 and 90."))
    if not -180 <= longitude <= 180:
        raise ValueError(_("longitude must be between -180 and 180."))
    branch_code = _text(record.get("branch"))
    branch_id = None
    if branch_code:
        branch_id = branches.get(branch_code)
        if branch_id is None:
            raise ValueError(_("Unknown branch code %(code)r.") % {"code": branch_code})
    data_date = None
    if _text(record.get("data_date")):
        try:
            data_date = date.fromisoformat(_text(record.get("data_date"))[:10])
        except ValueError:
            raise ValueError(_("data_date is not a date (YYYY-MM-DD).")) from None
    voltage = _decimal(record.get("voltage_kv"), "voltage_kv", places=2)
    installed = _decimal(record.get("installed_kw"), "installed_kw", places=2)
    reserved = _decimal(record.get("reserved_kw"), "reserved_kw", places=2)
    if voltage is not None:
        if voltage <= 0 or voltage >= Decimal("10000"):
            raise ValueError(_("voltage_kv must be a positive number of kilovolts."))
        if installed is None:
            raise ValueError(_("installed_kw is missing for the voltage level."))
    elif installed is not None or reserved is not None:
        raise ValueError(_("voltage_kv is missing for the capacity given."))
    if installed is not None and installed < 0:
        raise ValueError(_("installed_kw cannot be negative."))
    if reserved is not None and reserved < 0:
        raise ValueError(_("reserved_kw cannot be negative."))
    if installed is not None and reserved is not None and reserved > installed:
        raise ValueError(_("reserved_kw exceeds installed_kw."))
    for name, limit in (("name", 200), ("dispatch_number", 50), ("source_note", 500)):
        if len(_text(record.get(name))) > limit:
            raise ValueError(
                _("%(field)s is longer than %(limit)s characters.") % {"field": name, "limit": limit}
            )
    asset = {
        "external_id": external_id,
        "kind": kind,
        "name": _text(record.get("name")),
        "dispatch_number": _text(record.get("dispatch_number")),
        "latitude": latitude,
        "longitude": longitude,
        "data_date": data_date,
        "source_note": _text(record.get("source_note")),
        "branch_id": branch_id,
        "branch_given": bool(branch_code),
    }
    return _Row(number, asset, voltage, installed, reserved)


def branch_locator() -> Callable[[float, float], int | None]:
    """Branch of the territory containing (or within routing distance of) a point, else None."""
    index = territory_index()
    branch_of = dict(Territory.objects.values_list("pk", "branch_id"))

    def locate(latitude: float, longitude: float) -> int | None:
        territory_id, _distance, _inside = index.locate(longitude, latitude, settings.ROUTING_MAX_DISTANCE_M)
        return branch_of.get(territory_id) if territory_id is not None else None

    return locate


ASSET_FIELDS = (
    "kind",
    "name",
    "dispatch_number",
    "latitude",
    "longitude",
    "data_date",
    "source_note",
    "branch_id",
    "source",
)


@transaction.atomic
def import_grid_assets(
    *,
    frame: pd.DataFrame,
    source: str = AssetSource.REAL,
    first_row: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Upsert assets and their capacity per voltage level from `frame` (columns: IMPORT_FIELDS).

    Idempotent by `external_id` (and voltage level): unchanged rows write nothing. On an update
    `installed_kw` is replaced and `reserved_kw` is kept (it is the portal's own record of
    reservations; a file's reserved_kw is taken only for a new voltage level); a row that would
    leave less installed than reserved capacity is rejected. Missing required columns reject
    every row. `progress(done, total)` is called every 100 rows and at the end."""
    if source not in AssetSource.values:
        raise ValueError(_("Unknown source %(source)r.") % {"source": source})
    report = ImportReport(rows=len(frame))
    missing = [name for name, required in IMPORT_FIELDS.items() if required and name not in frame.columns]
    records = frame.to_dict("records")
    if missing:
        reason = _("Required columns missing: %(columns)s.") % {"columns": ", ".join(missing)}
        report.rejected = [RejectedRow(first_row + i, reason) for i in range(len(records))]
        return report

    branches = dict(Branch.objects.values_list("code", "pk"))
    parsed: list[_Row] = []
    seen_levels: set[tuple[str, Decimal]] = set()
    for i, record in enumerate(records):
        number = first_row + i
        try:
            row = _parse_row(number, record, branches)
        except ValueError as error:
            report.rejected.append(RejectedRow(number, str(error)))
            continue
        if row.voltage_kv is not None:
            key = (row.asset["external_id"], row.voltage_kv)
            if key in seen_levels:
                report.rejected.append(
                    RejectedRow(number, _("This asset and voltage level appear earlier in the file."))
                )
                continue
            seen_levels.add(key)
        parsed.append(row)

    locate = branch_locator()
    existing = {
        asset.external_id: asset
        for asset in GridAsset.objects.filter(external_id__in={row.asset["external_id"] for row in parsed})
    }
    capacities = {
        (capacity.asset_id, capacity.voltage_kv): capacity
        for capacity in AssetCapacity.objects.filter(asset__in=existing.values())
    }
    touched: set[str] = set()
    changed: set[str] = set()
    for done, row in enumerate(parsed, start=1):
        values = dict(row.asset)
        external_id = values.pop("external_id")
        if not values.pop("branch_given"):
            values["branch_id"] = locate(float(values["latitude"]), float(values["longitude"]))
        values["source"] = source
        asset = existing.get(external_id)
        if asset is None:
            asset = GridAsset.objects.create(external_id=external_id, **values)
            existing[external_id] = asset
            report.created += 1
            touched.add(external_id)
            changed.add(external_id)
        elif external_id not in touched:
            # the first row of an asset sets its fields; later rows add voltage levels
            touched.add(external_id)
            different = [name for name in ASSET_FIELDS if getattr(asset, name) != values[name]]
            if different:
                for name in different:
                    setattr(asset, name, values[name])
                asset.save(update_fields=[*different, "updated_at"])
                changed.add(external_id)
        if row.voltage_kv is not None:
            capacity = capacities.get((asset.pk, row.voltage_kv))
            if capacity is None:
                reserved = row.reserved_kw or Decimal("0")
                capacity = AssetCapacity.objects.create(
                    asset=asset,
                    voltage_kv=row.voltage_kv,
                    installed_kw=row.installed_kw,
                    reserved_kw=reserved,
                )
                capacities[(asset.pk, row.voltage_kv)] = capacity
                report.capacities_created += 1
                changed.add(external_id)
            elif capacity.installed_kw != row.installed_kw:
                locked = AssetCapacity.objects.select_for_update().get(pk=capacity.pk)
                if row.installed_kw < locked.reserved_kw:
                    report.rejected.append(
                        RejectedRow(
                            row.number,
                            _("installed_kw %(installed)s is below the %(reserved)s kW already reserved.")
                            % {"installed": row.installed_kw, "reserved": locked.reserved_kw},
                        )
                    )
                else:
                    locked.installed_kw = row.installed_kw
                    locked.save(update_fields=["installed_kw", "updated_at"])
                    capacities[(asset.pk, row.voltage_kv)] = locked
                    report.capacities_updated += 1
                    changed.add(external_id)
        if progress is not None and done % 100 == 0:
            progress(row.number - first_row + 1, len(records))
    if progress is not None:
        progress(len(records), len(records))
    created_ids = {external_id for external_id in touched if external_id in changed}
    report.updated = len(created_ids) - report.created
    report.unchanged = len(touched) - len(created_ids)
    return report
