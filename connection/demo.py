"""Demo data for a development portal: branches and territories from the shipped district and
town data, and one account per role. Idempotent: running it again updates what is there and adds
what is missing.

Demo assumptions (said in connection/data/README.md too): one branch per district or city of
krai significance; a town inside a district is an urban territory drawn as a circle around its
centre, sized by its population — an approximation, marked as such in the territory's source."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import numpy as np
import pandas as pd
import shapely
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from pyproj import Transformer

from backend.users.models import User
from backend.users.roles import Role
from connection import services, workflow_actions
from connection.completeness import required_documents
from connection.load_calculation import apply_load_result, calculate_load
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
    with (resources.files("connection") / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: Role
    last_name: str
    first_name: str


DEMO_ACCOUNTS = [
    DemoAccount("applicant@demo.local", "demo-applicant-2026", Role.APPLICANT, "Петров", "Пётр"),
    DemoAccount("engineer@demo.local", "demo-engineer-2026", Role.ENGINEER, "Сидорова", "Анна"),
    DemoAccount("supervisor@demo.local", "demo-supervisor-2026", Role.SUPERVISOR, "Кузнецов", "Олег"),
    DemoAccount("admin@demo.local", "demo-admin-2026", Role.ADMINISTRATOR, "Админов", "Админ"),
]


def branch_rows() -> list[dict[str, str]]:
    """One branch per district or city of krai significance (a demo assumption, see data/README)."""
    rows = []
    for row in _data_rows(DISTRICTS_FILE):
        name = row["district"].strip()
        # District names are adjectives (-ский); the 8 cities of krai significance are not.
        is_district = name.endswith("ский")
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


@transaction.atomic
def load_demo_accounts() -> list[DemoAccount]:
    """Create or reset one account per role with a known password (development only)."""
    default_branch = Branch.objects.filter(is_default=True).first()
    for account in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(email=account.email)
        user.last_name, user.first_name = account.last_name, account.first_name
        user.is_staff = account.role in (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ENGINEER)
        user.is_superuser = account.role == Role.ADMINISTRATOR
        user.set_password(account.password)
        user.save()
        user.groups.set([Group.objects.get(name=account.role.value)])
        if account.role == Role.ENGINEER and default_branch is not None:
            user.branches.set([default_branch])
    return DEMO_ACCOUNTS


# --- Grid assets (connection points) --------------------------------------------------------------

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


DEMO_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def load_demo_applications() -> int:
    """Two applications of the demo applicant, once: a draft in Mikhailovsk and a registered one in
    Stavropol (the demo engineer's branch), made through the same services as the portal's."""
    owner = User.objects.filter(email=DEMO_ACCOUNTS[0].email).first()
    if owner is None or owner.connection_requests.exists():
        return 0
    applicant = services.create_applicant(
        owner=owner,
        data={
            "applicant_type": "individual",
            "last_name": "Петров",
            "first_name": "Пётр",
            "middle_name": "Петрович",
            "snils": "11223344595",
            "passport_series": "0712",
            "passport_number": "345678",
            "passport_issued_by": "ГУ МВД России по Ставропольскому краю",
            "passport_issued_on": timezone.localdate() - timedelta(days=3650),
            "registration_address": "355000, г. Ставрополь, ул. Ленина, д. 1",
            "phone": "+7 900 123-45-67",
            "email": owner.email,
        },
    )
    common = {
        "applicant": applicant,
        "kind": "new",
        "voltage_level": "0.4",
        "phases": 3,
        "reliability_category": "III",
        "load_character": "household",
        "guaranteeing_supplier": "ПАО «Ставропольэнергосбыт»",
        "payment_option": "lump_sum",
    }
    stage_date = timezone.localdate() + timedelta(days=180)
    services.create_draft(
        owner=owner,
        data={
            **common,
            "object_name": "Жилой дом (черновик)",
            "object_address": "Ставропольский край, г. Михайловск, ул. Полевая, д. 5",
            "latitude": Decimal("45.129800"),
            "longitude": Decimal("42.025400"),
            "requested_kw": Decimal("12"),
        },
        stages=[{"planned_date": stage_date, "power_kw": Decimal("12")}],
    )
    # The power comes from the load calculator, so the engineer's page shows a calculation and its trace.
    calculation_input = {
        "devices": [
            {"device_type": "electric_cooker", "quantity": 1},
            {"device_type": "storage_water_heater", "quantity": 1},
            {"device_type": "lighting_led", "quantity": 30},
            {"name": "Мастерская", "unit_kw": Decimal("2.5"), "quantity": 1},
        ]
    }
    result = calculate_load(calculation_input)
    design_kw = Decimal(result.design_kw).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    registered = services.create_draft(
        owner=owner,
        data={
            **common,
            "object_name": "Жилой дом",
            "object_address": "г. Ставрополь, ул. Доваторцев, д. 40",
            "cadastral_number": "26:12:030101:45",
            "latitude": Decimal("45.015000"),
            "longitude": Decimal("41.925000"),
            "requested_kw": design_kw,
        },
        stages=[{"planned_date": stage_date, "power_kw": design_kw}],
    )
    apply_load_result(request=registered, result=result, input_data=calculation_input, user=owner)
    for doc_type in required_documents(registered):
        services.upload_document(
            request=registered,
            user=owner,
            doc_type=doc_type,
            upload=SimpleUploadedFile(f"{doc_type}.pdf", DEMO_PDF, content_type="application/pdf"),
        )
    workflow_actions.perform_transition(request=registered, name="submit", user=owner, comment="Демо")
    return 2
