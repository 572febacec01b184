"""Technical conditions (ТУ): the proposal that prefills the engineer's offer form from the
application and the nearest-point lookup, and the service that records them at issue_offer.

The proposal is a starting point the engineer edits, never a decision: the reservation, the fee
check and the validation happen when the offer is issued. Its texts are written in the portal's
default language because they end up in the documents (see connection.issued_documents).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pyproj import Geod

from backend.formatting import number_text
from backend.users.models import User
from capacity_calc.electrical import breaker_rating, phase_current
from connection import reservations
from connection.eligibility import limits_for
from connection.fees import FeeResult, fee_for_application
from connection.models import ConnectionRequest, TechnicalConditions, VoltageLevel
from connection.models.requests import connection_point_voltage
from connection.nearest import find_nearest
from grid import territories
from grid.models import AssetCapacity
from workflow.selectors import rules_for

logger = logging.getLogger(__name__)

_GEOD = Geod(ellps="WGS84")
#: Power factor assumed for the breaker of the applicant's input when nothing better is known.
DEFAULT_COS_PHI = 0.95
#: Line voltage (V) by voltage level, for the current of the applicant's input.
_VOLTAGE_V = {VoltageLevel.V0_23: 230, VoltageLevel.V0_4: 400}


@dataclass(frozen=True)
class PointOption:
    """A connection point the engineer may choose, with what the choice implies."""

    capacity_id: int
    label: str
    distance_m: Decimal
    free_kw: Decimal
    sufficient: bool
    within_distance: bool
    latitude: Decimal
    longitude: Decimal
    generated: bool
    capacity: AssetCapacity = field(repr=False, compare=False)  # the row, asset loaded


@dataclass(frozen=True)
class Proposal:
    """Initial values of the issue_offer form, by field name, and what they were derived from."""

    values: dict[str, Any]
    points: list[PointOption] = field(default_factory=list)
    fee: FeeResult | None = None
    validity_years: int = 0
    valid_until: date | None = None
    notes: list[str] = field(default_factory=list)


def point_label(capacity: AssetCapacity) -> str:
    """ "ТП-10/0,4 кВ № 123 (ТП-123), 0,4 кВ" — what the documents call the connection point."""
    kv = f"{capacity.voltage_kv.normalize():f}".replace(".", ",")
    return _("%(asset)s, %(kv)s kV") % {"asset": capacity.asset, "kv": kv}


def geodesic_distance_m(application: ConnectionRequest, capacity: AssetCapacity) -> Decimal | None:
    if application.latitude is None or application.longitude is None:
        return None
    _a, _b, metres = _GEOD.inv(
        float(application.longitude),
        float(application.latitude),
        float(capacity.asset.longitude),
        float(capacity.asset.latitude),
    )
    return Decimal(str(metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _candidates(application: ConnectionRequest) -> tuple[list[dict], dict | None, float]:
    """The nearest points of the application's voltage class (as the wizard shows them)."""
    if application.latitude is None or application.longitude is None or not application.voltage_level:
        return [], None, 0.0
    found = find_nearest(
        lat=float(application.latitude),
        lon=float(application.longitude),
        power_kw=application.requested_kw or Decimal("0"),
        voltage_kv=application.voltage_level,
        household=application.is_household,
    )
    return found["candidates"], found["connection_point"], float(found["max_distance_m"])


def _option(row: dict, capacities: dict[int, AssetCapacity]) -> PointOption | None:
    capacity = capacities.get(row["connection_point_id"])
    if capacity is None:
        return None
    return PointOption(
        capacity_id=capacity.pk,
        label=point_label(capacity),
        distance_m=Decimal(str(row["distance_m"])),
        free_kw=capacity.free_kw,
        sufficient=bool(row["sufficient"]),
        within_distance=bool(row["within_distance"]),
        latitude=capacity.asset.latitude,
        longitude=capacity.asset.longitude,
        generated=bool(row["generated"]),
        capacity=capacity,
    )


def point_options(application: ConnectionRequest) -> tuple[list[PointOption], PointOption | None, list[str]]:
    """The candidate points (nearest first), the one proposed — the applicant's choice when it can
    serve, else the nearest with enough free capacity, else the nearest — and notes on the choice."""
    try:
        rows, best, max_distance = _candidates(application)
    except Exception:  # the register is an aid here: the engineer can still type the point
        logger.exception("nearest connection points unavailable for the offer form")
        rows, best, max_distance = [], None, 0.0
    if best is not None and all(row["connection_point_id"] != best["connection_point_id"] for row in rows):
        rows = [*rows, best]
    wanted = {row["connection_point_id"] for row in rows}
    if application.preferred_connection_point_id:
        wanted.add(application.preferred_connection_point_id)
    capacities = AssetCapacity.objects.select_related("asset").in_bulk(wanted)
    options = [option for row in rows if (option := _option(row, capacities))]
    chosen = None
    notes: list[str] = []
    preferred = capacities.get(application.preferred_connection_point_id or 0)
    if preferred is not None and (problem := reservations.unsuitable_point(application, preferred)):
        notes.append(_("The point the applicant chose cannot be used: %(problem)s") % {"problem": problem})
        options = [option for option in options if option.capacity_id != preferred.pk]
        preferred = None
    if preferred is not None:
        chosen = next((option for option in options if option.capacity_id == preferred.pk), None)
        distance = geodesic_distance_m(application, preferred)
        if chosen is None and distance is not None:
            chosen = PointOption(
                capacity_id=preferred.pk,
                label=point_label(preferred),
                distance_m=distance,
                free_kw=preferred.free_kw,
                sufficient=preferred.free_kw >= (application.requested_kw or 0),
                within_distance=float(distance) <= max_distance,
                latitude=preferred.asset.latitude,
                longitude=preferred.asset.longitude,
                generated=preferred.asset.source == "generated",
                capacity=preferred,
            )
            options.append(chosen)
    if chosen is None and best is not None:
        chosen = next(
            (option for option in options if option.capacity_id == best["connection_point_id"]), None
        )
    if chosen is None and options:
        chosen = options[0]
    options.sort(key=lambda option: option.distance_m)
    return options, chosen, notes


def _breaker_a(application: ConnectionRequest, max_kw: Decimal) -> int | None:
    volts = _VOLTAGE_V.get(application.voltage_level)
    if volts is None or not max_kw:
        return None
    phases = 1 if application.voltage_level == VoltageLevel.V0_23 else 3
    return breaker_rating(phase_current(float(max_kw), volts, DEFAULT_COS_PHI, phases))


def _km(metres: Decimal) -> Decimal:
    return (metres / 1000).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _texts(
    application: ConnectionRequest,
    label: str,
    distance: Decimal | None,
    near_m: Decimal,
    max_kw: Decimal,
) -> dict[str, str]:
    point_text = label or _("the connection point")
    grid = [_("Preparation and issue of the technical conditions, check of their fulfilment.")]
    if distance is not None and distance > near_m:
        grid.append(
            _(
                "Construction of a power line of %(kv)s kV from %(point)s to the boundary of the applicant's plot, "
                "about %(metres)s m long (overhead line with insulated wires, unless the design decides otherwise)."
            )
            % {
                "kv": f"{connection_point_voltage(application.voltage_level):f}".replace(".", ","),
                "point": point_text,
                "metres": round(distance),
            }
        )
    else:
        grid.append(
            _("No line construction: the grid of %(point)s is within %(metres)s m of the plot boundary.")
            % {"point": point_text, "metres": number_text(near_m)}
        )
    grid += [
        _("Installation of the metering device at the boundary of the balance ownership (see metering)."),
        _("Actual connection and supply of voltage after the applicant's notice of readiness."),
    ]
    breaker = _breaker_a(application, max_kw)
    applicant = [
        _(
            "Input device and wiring of the object from the boundary of the plot to the power-receiving devices."
        ),
        _("Protective device at the input: circuit breaker rated %(amps)s A at most.") % {"amps": breaker}
        if breaker
        else _("Protective device at the input rated for the maximum power."),
        _("Earthing (TN-C-S or TT) and a residual-current device for the socket circuits."),
        _("Notice of readiness through the portal when the measures are done."),
    ]
    metering = _(
        "The grid organisation installs and commissions the metering device (part of the intelligent metering "
        "system, Federal Law 522-FZ) at the boundary of the balance ownership: active energy accuracy class 1.0 "
        "or better, reactive 2.0 or better; direct connection up to 100 A, otherwise via current transformers "
        "of class 0.5S."
    )
    return {
        "grid_measures": "\n".join(grid),
        "applicant_measures": "\n".join(applicant),
        "metering_requirements": metering,
    }


def _construction_km(distance: Decimal | None, rules) -> Decimal:
    """The line to build to the plot: the whole distance beyond the near-grid distance."""
    return _km(distance) if distance is not None and distance > rules.near_grid_distance_m else Decimal("0")


def _proposed_fee(application: ConnectionRequest, distance: Decimal | None, rules) -> FeeResult | None:
    if distance is None:
        return None
    try:
        return fee_for_application(
            application, grid_distance_m=distance, overhead_km=_construction_km(distance, rules)
        )
    except Exception:  # an aid: without a fee the engineer types it
        logger.exception("fee unavailable for the offer form")
        return None


def fee_estimate(application: ConnectionRequest) -> FeeResult | None:
    """The fee the offer proposal would carry for the application as it stands: the same point,
    distance and line construction. A draft is not routed yet: its settlement kind (town or rural,
    deciding the 300 / 500 m condition) is the one its routing would give."""
    if (
        not application.settlement_kind
        and application.latitude is not None
        and application.longitude is not None
    ):
        try:
            routing = territories.route(latitude=application.latitude, longitude=application.longitude)
        except Exception:  # outside every territory: the rural condition, as the offer would apply
            logger.exception("routing unavailable for the fee estimate")
        else:
            application = copy.copy(application)  # not saved: the draft is routed when submitted
            application.settlement_kind = routing.settlement_kind
    _, chosen, _ = point_options(application)
    return _proposed_fee(application, chosen.distance_m if chosen else None, rules_for(application))


def proposal(application: ConnectionRequest, *, today: date | None = None) -> Proposal:
    """What the offer form starts from: the applicant's or the nearest sufficient point, its
    geodesic distance, the power, voltage and category applied for, standard measures, the fee by
    the tariffs in force for that distance and the validity from the application's rulebook."""
    today = today or timezone.localdate()
    rules = rules_for(application)
    points, chosen, point_notes = point_options(application)
    distance = chosen.distance_m if chosen else None
    max_kw = (application.previously_connected_kw or Decimal("0")) + (
        application.requested_kw or Decimal("0")
    )
    needs_construction = not (chosen and chosen.sufficient and chosen.within_distance)
    build_km = _construction_km(distance, rules)
    with translation.override(settings.LANGUAGE_CODE):  # the label and texts go into the documents
        label = point_label(chosen.capacity) if chosen else ""
        texts = _texts(application, label, distance, rules.near_grid_distance_m, max_kw)
    fee = _proposed_fee(application, distance, rules)
    notes = list(point_notes)
    if chosen is None:
        notes.append(
            _("No connection point of the application's voltage was found nearby: enter it by hand.")
        )
    elif not chosen.sufficient:
        notes.append(_("The proposed point has less free capacity than requested."))
    if fee is None:
        notes.append(_("No tariff applies: enter the fee by hand."))
    values: dict[str, Any] = {
        "connection_point_id": chosen.capacity_id if chosen else "",
        "connection_point": label,
        "grid_distance_m": distance if distance is not None else "",
        "max_power_kw": max_kw or "",
        "voltage_level": application.voltage_level,
        "reliability_category": application.reliability_category,
        **texts,
        "other_conditions": "",
        "needs_construction": needs_construction,
        "crosses_third_party_land": False,
        "overhead_km": build_km,
        "cable_km": Decimal("0"),
        "privileged_applicant": False,
        "fee_rub": fee.total if fee else "",
    }
    return Proposal(
        values=values,
        points=points,
        fee=fee,
        validity_years=rules.tu_validity_years,
        valid_until=today + relativedelta(years=rules.tu_validity_years),
        notes=notes,
    )


@dataclass(frozen=True)
class Granted:
    """What the technical conditions grant: the fee, the reservation and the documents follow it."""

    max_kw: Decimal
    new_kw: Decimal  # max_kw less what is already connected: what is reserved and paid for
    voltage_level: str
    reliability_category: str


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check(
    *, application: ConnectionRequest, data: dict[str, Any]
) -> tuple[Granted | None, dict[str, ValidationError]]:
    """The power, voltage and category granted (the application's when not given) and the measures,
    checked against the rulebook of the application: (granted, {}) or (None, errors by field)."""
    rules = rules_for(application)
    previously = application.previously_connected_kw or Decimal("0")
    total = previously + (application.requested_kw or Decimal("0"))
    max_kw = data.get("max_power_kw")
    max_kw = total if max_kw in (None, "") else Decimal(max_kw)
    voltage = data.get("voltage_level") or application.voltage_level
    category = data.get("reliability_category") or application.reliability_category
    errors: dict[str, ValidationError] = {}
    for name in ("grid_measures", "applicant_measures", "metering_requirements"):
        if _blank(data.get(name)):
            errors[name] = ValidationError(_("This field is required."), code="required")
    if max_kw <= previously:
        errors["max_power_kw"] = ValidationError(
            _("The maximum power must be above the %(kw)s kW already connected.")
            % {"kw": number_text(previously)},
            code="min_value",
        )
    elif max_kw > total:
        errors["max_power_kw"] = ValidationError(
            _("The maximum power cannot exceed the %(total)s kW applied for.")
            % {"total": number_text(total)},
            code="above_request",
        )
    limits = limits_for(applicant_type=application.applicant_type, kind=application.kind, rules=rules)
    if not voltage:
        errors["voltage_level"] = ValidationError(_("This field is required."), code="required")
    elif Decimal(voltage) > limits.max_voltage_kv:
        errors["voltage_level"] = ValidationError(
            _("At most %(kv)s kV for this applicant.") % {"kv": number_text(limits.max_voltage_kv)},
            code="above_limit",
        )
    if not category:
        errors["reliability_category"] = ValidationError(_("This field is required."), code="required")
    elif category not in limits.categories:
        errors["reliability_category"] = ValidationError(
            _("Category %(category)s is not allowed for this applicant.") % {"category": category},
            code="not_allowed",
        )
    if errors:
        return None, errors
    return Granted(max_kw, max_kw - previously, voltage, category), {}


def record(
    *,
    application: ConnectionRequest,
    data: dict[str, Any],
    user: User,
    granted: Granted,
    capacity_id: int | None,
    today: date | None = None,
) -> TechnicalConditions:
    """Store the technical conditions of the offer being issued (inside issue_offer's transaction,
    after `check`, the fee check and the reservation)."""
    today = today or timezone.localdate()
    rules = rules_for(application)
    conditions, _created = TechnicalConditions.objects.update_or_create(
        request=application,
        defaults={
            "number": f"ТУ-{application.number or application.pk}",
            "connection_point": application.connection_point_label,
            "connection_capacity_id": capacity_id,
            "max_power_kw": granted.max_kw,
            "voltage_level": granted.voltage_level,
            "reliability_category": granted.reliability_category,
            "grid_measures": data["grid_measures"].strip(),
            "applicant_measures": data["applicant_measures"].strip(),
            "metering_requirements": data["metering_requirements"].strip(),
            "other_conditions": (data.get("other_conditions") or "").strip(),
            "validity_years": rules.tu_validity_years,
            "issued_on": today,
            "valid_until": today + relativedelta(years=rules.tu_validity_years),
            "issued_by": user,
        },
    )
    return conditions
