"""The nearest-connection-point answer: which points of the grid can serve an object, and what
that means under the rules (the 300 m / 500 m distance condition, the term of the works and the
fee category). The KD-tree index it asks is grid.index (cached per process by grid.index_cache);
the rule values come from the rulebook in force."""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from backend.formatting import number_text
from connection.fees import household_conditions
from connection.models.requests import connection_point_voltage
from grid import index_cache, territories
from grid.index import Candidate
from grid.models import AssetCapacity, AssetKind, AssetSource, Territory
from workflow.deadlines import TermFacts, works_term
from workflow.rulebook import Rules, get_rules

DISTANCE_NOTE = gettext_lazy(
    "Distances are measured from the given point, which stands for the boundary of the plot; the rules "
    "measure from the plot boundary to the nearest facility of the required voltage."
)
DEMO_NOTE = gettext_lazy(
    "Points with source “generated” are invented for the demonstration, not real facilities."
)


def _works_term_label(amount: int, unit: str) -> str:
    if unit == "working_days":
        return ngettext("%(count)d working day", "%(count)d working days", amount) % {"count": amount}
    return ngettext("%(count)d month", "%(count)d months", amount) % {"count": amount}


def _key(asset_id: int, voltage_kv: float) -> tuple[int, float]:
    return (asset_id, round(float(voltage_kv), 6))


def _capacities(candidates: list[Candidate | None]) -> dict[tuple[int, float], AssetCapacity]:
    """The register rows of every candidate of one answer, in one query."""
    asset_ids = {candidate.asset_id for candidate in candidates if candidate is not None}
    if not asset_ids:
        return {}
    rows = AssetCapacity.objects.filter(asset_id__in=asset_ids).select_related("asset")
    return {_key(row.asset_id, row.voltage_kv): row for row in rows}


def _described(
    candidate: Candidate | None,
    rows: dict[tuple[int, float], AssetCapacity],
    *,
    power_kw: Decimal,
    max_distance_m: float,
) -> dict | None:
    if candidate is None:
        return None
    row = rows.get(_key(candidate.asset_id, candidate.voltage_kv))
    if row is None:  # removed since the index was built
        return None
    asset = row.asset
    return {
        "connection_point_id": row.pk,
        "asset_id": asset.pk,
        "name": asset.name,
        "kind": asset.kind,
        "kind_label": str(AssetKind(asset.kind).label),
        "dispatch_number": asset.dispatch_number,
        "voltage_kv": row.voltage_kv,
        "latitude": asset.latitude,
        "longitude": asset.longitude,
        "distance_m": round(candidate.distance_m, 1),
        "free_kw": row.free_kw,
        "sufficient": row.free_kw >= power_kw,
        "within_distance": candidate.distance_m <= max_distance_m,
        "source": asset.source,
        "generated": asset.source == AssetSource.GENERATED,
    }


def find_nearest(
    *,
    lat: float,
    lon: float,
    power_kw: Decimal,
    voltage_kv: str,
    limit: int = 5,
    household: bool = True,
    temporary: bool = False,
    rules: Rules | None = None,
) -> dict:
    """The nearest connection points of the voltage class to (lat, lon), the nearest with enough
    free capacity, whether it lies within the distance condition, the term of the works and the fee
    category that follow, and — when no point qualifies — why (the answer of GET
    /connection-points/nearest/). The number of database queries does not depend on `limit`.
    `rules`: the rulebook in force, when the caller has already read it."""
    rules = rules or get_rules()
    settlement_kind = territories.settlement_kind_at(latitude=lat, longitude=lon)
    urban = settlement_kind == Territory.SettlementKind.URBAN
    max_distance = rules.urban_distance_m if urban else rules.rural_distance_m
    index_kv = float(connection_point_voltage(voltage_kv))
    index = index_cache.grid_index()
    found = index.nearest(lat, lon, voltage_kv=index_kv, min_free_kw=-math.inf, k=limit)
    explained = index.explain_shortfall(
        lat, lon, voltage_kv=index_kv, required_kw=float(power_kw), max_distance_m=float(max_distance)
    )
    rows = _capacities([*found, explained.nearest_sufficient, explained.nearest_any, explained.best_within])
    context = {"power_kw": power_kw, "max_distance_m": float(max_distance)}
    candidates = [item for item in (_described(c, rows, **context) for c in found) if item is not None]
    best = _described(explained.nearest_sufficient, rows, **context)
    within = best is not None and best["within_distance"]
    term = works_term(
        rules,
        TermFacts(
            temporary=temporary,
            voltage_kv=Decimal(voltage_kv),
            urban=urban,
            grid_distance_m=Decimal(str(best["distance_m"])) if best else None,
            needs_construction=not within,
        ),
    )
    preferential = household and not household_conditions(
        rules=rules,
        total_kw=power_kw,
        voltage_kv=Decimal(voltage_kv),
        within_distance=within,
        reliability_category=None,
    )
    shortfall = None
    if not within:
        nearest_any = _described(explained.nearest_any, rows, **context)
        best_within = _described(explained.best_within, rows, **context)
        if nearest_any is None:
            reason = _("The register has no connection point of %(voltage)s kV.") % {
                "voltage": number_text(voltage_kv)
            }
        elif best is None:
            reason = _("No connection point of %(voltage)s kV has %(power)s kW free.") % {
                "voltage": number_text(voltage_kv),
                "power": number_text(power_kw),
            }
        else:
            reason = _(
                "The nearest point with %(power)s kW free is %(distance)s m away, beyond the %(limit)s m of the "
                "standard terms."
            ) % {
                "power": number_text(power_kw),
                "distance": number_text(round(best["distance_m"])),
                "limit": max_distance,
            }
        shortfall = {
            "reason": reason,
            "nearest_sufficient": best,
            "nearest_any": nearest_any,
            "shortfall_kw": None
            if nearest_any is None
            else max(Decimal("0"), power_kw - nearest_any["free_kw"]),
            "best_within": best_within,
            "shortfall_within_kw": None
            if best_within is None
            else max(Decimal("0"), power_kw - best_within["free_kw"]),
        }
    notes = [str(DISTANCE_NOTE)]
    if any(item["generated"] for item in candidates) or (best and best["generated"]):
        notes.append(str(DEMO_NOTE))
    return {
        "latitude": lat,
        "longitude": lon,
        "power_kw": power_kw,
        "voltage_kv": voltage_kv,
        "settlement_kind": settlement_kind,
        "max_distance_m": max_distance,
        "candidates": candidates,
        "connection_point": best,
        "within_distance": within,
        "works_term": {
            "amount": term.amount,
            "unit": term.unit,
            "rule": term.rule,
            "label": _works_term_label(term.amount, term.unit),
        },
        "fee_category": "preferential" if preferential else "standardised",
        "fee_category_label": _("Preferential rate per kW")
        if preferential
        else _("Standardised tariff rates"),
        "shortfall": shortfall,
        "notes": notes,
    }


def draft_term_facts(application, answer: dict) -> TermFacts:
    """The facts of the works term as the nearest-point answer (`answer`, for the application's
    location, power and voltage) sees them: a draft has no recorded distance or settlement kind yet,
    so its expected completion uses the same point as the term the answer states."""
    best = answer.get("connection_point")
    return replace(
        application.term_facts(),
        urban=answer["settlement_kind"] == Territory.SettlementKind.URBAN,
        grid_distance_m=Decimal(str(best["distance_m"])) if best else None,
        needs_construction=not answer["within_distance"],
    )
