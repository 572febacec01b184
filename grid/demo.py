"""Demo data of the grid for a development portal: branches and territories from the shipped
district and town data, and connection points (real OSM supply centres, generated transformer
substations). Idempotent: running it again updates what is there and adds what is missing.

Demo assumptions (said in grid/data/README.md too): one branch per district or city of
krai significance; a town inside a district is an urban territory drawn as a circle around its
centre, sized by its population — an approximation, marked as such in the territory's source."""

from __future__ import annotations

import csv
import math
from importlib import resources

import numpy as np
import pandas as pd
import shapely
from django.db import transaction
from pyproj import Transformer

from grid.asset_import import branch_locator, import_grid_assets
from grid.models import Branch, Territory
from grid.territories import projection

DISTRICTS_FILE = "stavropol-krai-districts-osm.csv"
TOWNS_FILE = "stavropol-krai-cities-hflabs.csv"
OSM_SOURCE = "OpenStreetMap admin_level=6 boundary (© OpenStreetMap contributors, ODbL 1.0)"
TOWN_SOURCE = (
    "Approximate urban area (demo): a circle around the town centre sized by population at "
    "2,000 people/km²; centre and population from HFLabs / DaData.ru (CC BY-SA 4.0)"
)
URBAN_DENSITY_PER_KM2 = 2000


def _data_rows(name: str) -> list[dict[str, str]]:
    with (resources.files("grid") / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def branch_rows() -> list[dict[str, str]]:
    """One branch per district or city of krai significance (a demo assumption, see data/README)."""
    rows = []
    towns = {row["city"] for row in _data_rows(TOWNS_FILE) if row["city"]}
    for row in _data_rows(DISTRICTS_FILE):
        name = row["district"].strip()
        # The 8 cities of krai significance are towns of the towns file; every other boundary is a
        # district (Новоселицкий, Предгорный: their names are adjectives, not towns).
        is_district = name not in towns
        rows.append(
            {
                "code": f"res-{int(row['feature_index']) + 1:02d}",
                "name": f"{name} РЭС" if is_district else f"РЭС г. {name}",
                "territory": name,
                "is_district": is_district,
                "wkt": row["geometry_wkt"],
            }
        )
    return rows


@transaction.atomic
def load_branches() -> int:
    rows = branch_rows()
    for row in rows:
        Branch.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    load_territories(rows)
    # The regional capital's branch takes what no territory claims.
    capital = Branch.objects.get(name="РЭС г. Ставрополь")
    if not Branch.objects.filter(is_default=True).exists():
        capital.is_default = True
        capital.save(update_fields=["is_default"])
    return len(rows)


def _town_circle(latitude: float, longitude: float, population: int) -> str:
    radius_m = math.sqrt(population / URBAN_DENSITY_PER_KM2 / math.pi) * 1000
    to_metric = projection()
    to_wgs84 = Transformer.from_crs(to_metric.target_crs, "EPSG:4326", always_xy=True)
    circle = shapely.Point(to_metric.transform(longitude, latitude)).buffer(radius_m, quad_segs=16)
    return shapely.transform(circle, to_wgs84.transform, interleaved=False).wkt


def load_territories(branch_data: list[dict]) -> None:
    """Districts (rural) and cities of krai significance (urban) from OSM; towns inside districts
    as approximate urban circles, given to the branch of the district they lie in."""
    for row in branch_data:
        Territory.objects.update_or_create(
            name=row["territory"],
            defaults={
                "branch": Branch.objects.get(code=row["code"]),
                "settlement_kind": Territory.SettlementKind.RURAL
                if row["is_district"]
                else Territory.SettlementKind.URBAN,
                "boundary_wkt": row["wkt"],
                "priority": 0 if row["is_district"] else 5,
                "source": OSM_SOURCE,
            },
        )
    cities = {row["territory"] for row in branch_data if not row["is_district"]}
    districts = [(shapely.from_wkt(row["wkt"]), row["code"]) for row in branch_data if row["is_district"]]
    for town in _data_rows(TOWNS_FILE):
        name = town["city"]
        if name in cities:
            continue
        latitude, longitude = float(town["geo_lat"]), float(town["geo_lon"])
        centre = shapely.Point(longitude, latitude)
        code = next((code for polygon, code in districts if polygon.contains(centre)), None)
        if code is None:
            continue  # outside every district (simplified boundaries): not invented
        Territory.objects.update_or_create(
            name=f"г. {name}",
            defaults={
                "branch": Branch.objects.get(code=code),
                "settlement_kind": Territory.SettlementKind.URBAN,
                "boundary_wkt": _town_circle(latitude, longitude, int(town["population"])),
                "priority": 10,
                "source": TOWN_SOURCE,
            },
        )


OSM_NODES_FILE = "osm-power-nodes-stavropol-bbox.csv"
OSM_ASSET_SOURCE = (
    "Location, name and voltages: OpenStreetMap (about 2016) via GitHub ComplexNetTSP/Power_grids, "
    "© OpenStreetMap contributors, ODbL 1.0. Capacity figures are demo values."
)
GENERATED_ASSET_SOURCE = (
    "Generated for the demonstration (fixed seed) around a town centre from HFLabs / DaData.ru "
    "(CC BY-SA 4.0): not a real facility."
)
ASSET_SEED = 20260601
#: Demo installed capacity (kW) of a supply centre per voltage level, and of generated substations.
SUPPLY_CENTRE_KW = {110: 40000, 35: 10000, 10.5: 8000, 10: 8000, 6: 5000}
TP_TRANSFORMER_KVA = [160, 250, 400, 630]


def _osm_asset_records(rng, locate) -> list[dict]:
    """The real OSM substations inside the territories, one record per voltage level ≤ 110 kV."""
    records = []
    for row in _data_rows(OSM_NODES_FILE):
        if row["typ"] not in ("substation", "sub_station", "station"):
            continue
        latitude, longitude = float(row["lat"]), float(row["lon"])
        if locate(latitude, longitude) is None:
            continue  # a neighbour's substation, not in any territory of the demo branches
        volts = sorted(
            {int(v) / 1000 for v in row["voltage"].split(";") if v.strip().isdigit()}, reverse=True
        )
        levels = [kv for kv in volts if kv <= 110]
        if volts and not levels:
            continue  # only above 110 kV: not a 35–110 kV supply centre
        base = {
            "external_id": f"osm-node-{row['vid']}",
            "kind": "supply_centre",
            "name": row["name"].strip()
            or f"ПС {'/'.join(f'{kv:g}' for kv in volts) or '?'} кВ (OSM {row['vid']})",
            "dispatch_number": row["ref"].strip(),
            "latitude": f"{latitude:.6f}",
            "longitude": f"{longitude:.6f}",
            "source_note": OSM_ASSET_SOURCE,
        }
        if not levels:
            records.append(base)  # voltage unknown in OSM: the asset without capacity levels
        for kv in levels:
            installed = SUPPLY_CENTRE_KW.get(kv, 5000)
            reserved = round(installed * float(rng.uniform(0.3, 0.95)), -1)
            records.append(
                {**base, "voltage_kv": f"{kv:g}", "installed_kw": installed, "reserved_kw": reserved}
            )
    return records


def _generated_asset_records(rng) -> list[dict]:
    """10/0.4 kV transformer substations scattered around each town (fixed seed), marked generated."""
    to_metric = projection()
    to_wgs84 = Transformer.from_crs(to_metric.target_crs, "EPSG:4326", always_xy=True)
    records = []
    for town in sorted(_data_rows(TOWNS_FILE), key=lambda row: row["oktmo"]):
        population = int(town["population"])
        radius_m = math.sqrt(population / URBAN_DENSITY_PER_KM2 / math.pi) * 1000
        x0, y0 = to_metric.transform(float(town["geo_lon"]), float(town["geo_lat"]))
        count = int(min(150, max(6, population // 1500)))
        offsets = rng.normal(0.0, radius_m / 2, size=(count, 2))
        for number, (dx, dy) in enumerate(offsets.tolist(), start=1):
            longitude, latitude = to_wgs84.transform(x0 + dx, y0 + dy)
            installed = round(int(rng.choice(TP_TRANSFORMER_KVA)) * 0.9, 2)
            reserved = round(installed * float(rng.uniform(0.2, 1.0)), 0)
            base = {
                "external_id": f"demo-tp-{town['oktmo']}-{number:03d}",
                "kind": "transformer_substation",
                "name": f"ТП-{number} г. {town['city']} (демо)",
                "dispatch_number": f"ТП-{number}",
                "latitude": f"{latitude:.6f}",
                "longitude": f"{longitude:.6f}",
                "source_note": GENERATED_ASSET_SOURCE,
            }
            records.append(
                {
                    **base,
                    "voltage_kv": "0.4",
                    "installed_kw": installed,
                    "reserved_kw": min(reserved, installed),
                }
            )
            records.append(
                {
                    **base,
                    "voltage_kv": "10",
                    "installed_kw": 3000,
                    "reserved_kw": round(3000 * float(rng.uniform(0.3, 0.9)), -1),
                }
            )
    return records


def load_grid_assets() -> dict[str, int]:
    """Real OSM supply centres and generated transformer substations, through the same upsert as
    `manage.py import_grid_assets` (idempotent: a second run changes nothing)."""
    rng = np.random.default_rng(ASSET_SEED)
    locate = branch_locator()
    real = import_grid_assets(frame=pd.DataFrame.from_records(_osm_asset_records(rng, locate)), source="real")
    generated = import_grid_assets(
        frame=pd.DataFrame.from_records(_generated_asset_records(rng)), source="generated"
    )
    return {
        "real": real.created + real.updated + real.unchanged,
        "generated": generated.created + generated.updated + generated.unchanged,
        "rejected": len(real.rejected) + len(generated.rejected),
    }
