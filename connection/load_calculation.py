"""Applying a load calculation to a draft: the requested power and, where asked, phases and voltage.

The result is computed by the caller (``capacity_calc``, server-side); this service only writes,
through :func:`connection.services.update_draft`, so that every rule of a draft edit (eligibility,
stages adding up, a draft only) applies exactly as for any other change, in one transaction. Every
calculation applied is kept (:class:`~connection.models.LoadCalculation`: what was entered and the
result with its trace), so that the engineer sees how the requested power was arrived at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

import capacity_calc
from backend.users.models import User
from capacity_calc import LoadResult
from connection import services
from connection.models import ConnectionRequest, LoadCalculation, VoltageLevel

#: The calculator's supply voltage -> the application's voltage level. "6/10" (a choice between
#: two levels the applicant has to make) has no single counterpart and is never applied.
VOLTAGE_LEVELS: dict[str, str] = {"0.23": VoltageLevel.V0_23, "0.4": VoltageLevel.V0_4}

KW_STEP = Decimal("0.01")
#: The device type of a row that gives its power but no type.
FALLBACK_DEVICE_TYPE = "other"


@dataclass(frozen=True)
class Note:
    """Something the applicant should know about what was (not) applied."""

    code: str
    message: str
    field: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "field": self.field}


@dataclass(frozen=True)
class AppliedLoad:
    """The saved draft, the values written and notes on what was left as it was."""

    application: ConnectionRequest
    requested_kw: Decimal
    phases: int | None  # written, or None when left unchanged
    voltage_level: str | None  # written, or None when left unchanged
    notes: list[Note] = field(default_factory=list)
    calculation: LoadCalculation | None = None  # the record kept of the calculation applied


def json_safe(value: Any) -> Any:
    """Calculator input or result as JSON: Decimals as the strings a client would send (2.500000 →
    "2.5", 15.00 → "15"), mappings and sequences recursively, other values unchanged."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def _expected_phases(voltage_level: str) -> int:
    return 1 if voltage_level == VoltageLevel.V0_23 else 3


@transaction.atomic
def apply_load_result(
    *,
    application: ConnectionRequest,
    result: LoadResult,
    input_data: dict[str, Any],
    user: User,
    overwrite_electrical: bool = False,
) -> AppliedLoad:
    """Set the draft's requested power to the design power of ``result`` (kW, 0.01) and suggest
    phases and voltage level: each is written only where the draft has none yet, or always with
    ``overwrite_electrical``, and never so that it contradicts the other one the draft keeps.

    A single commissioning stage follows the new power; several stages are left for the applicant
    to re-plan (the draft service refuses them on ``stages`` unless they still add up). Raises
    Conflict for a non-draft and ValidationError keyed by field; nothing is saved then.

    Once the draft is saved, the calculation is kept as a :class:`LoadCalculation` by ``user``:
    ``input_data`` is what the calculation was computed from, in the shape of the calculator's API
    (``{"devices": [...]}`` or ``{"building": {...}}``), and the result with its trace.
    """
    # Lock first, so that the values we decide on are the ones we overwrite.
    current = ConnectionRequest.objects.select_for_update().get(pk=application.pk)
    requested_kw = Decimal(result.design_kw).quantize(KW_STEP, rounding=ROUND_HALF_UP)
    data: dict[str, Any] = {"requested_kw": requested_kw}
    notes: list[Note] = []

    suggested_phases = int(result.phases)
    suggested_voltage = VOLTAGE_LEVELS.get(result.voltage_kv)
    if suggested_voltage is None:
        notes.append(
            Note(
                "voltage_not_applied",
                _(
                    "The calculation suggests a connection at %(voltage)s kV; the voltage level of the "
                    "application was left unchanged: choose it yourself."
                )
                % {"voltage": result.voltage_kv},
                "voltage_level",
            )
        )

    phases = current.phases
    voltage = current.voltage_level
    write_phases = overwrite_electrical or phases is None
    write_voltage = suggested_voltage is not None and (overwrite_electrical or not voltage)
    if (
        write_voltage
        and not write_phases
        and phases is not None
        and phases != _expected_phases(suggested_voltage)
    ):
        write_voltage = False
        notes.append(
            Note(
                "voltage_not_applied",
                _(
                    "The suggested %(voltage)s kV does not match the %(phases)d phase(s) of the draft; the "
                    "voltage level was left unchanged (send overwrite_electrical to apply both)."
                )
                % {"voltage": suggested_voltage, "phases": phases},
                "voltage_level",
            )
        )
    target_voltage = suggested_voltage if write_voltage else voltage
    if write_phases and target_voltage and suggested_phases != _expected_phases(target_voltage):
        write_phases = False
        notes.append(
            Note(
                "phases_not_applied",
                _(
                    "The suggested %(phases)d phase(s) do not match the voltage level of %(voltage)s kV; the "
                    "phases were left unchanged."
                )
                % {"phases": suggested_phases, "voltage": target_voltage},
                "phases",
            )
        )
    if not overwrite_electrical:
        if phases is not None and phases != suggested_phases:
            notes.append(
                Note(
                    "phases_kept",
                    _(
                        "The draft keeps its %(current)d phase(s); the calculation suggests %(suggested)d "
                        "(send overwrite_electrical to apply it)."
                    )
                    % {"current": phases, "suggested": suggested_phases},
                    "phases",
                )
            )
        if voltage and suggested_voltage and voltage != suggested_voltage:
            notes.append(
                Note(
                    "voltage_kept",
                    _(
                        "The draft keeps its voltage level of %(current)s kV; the calculation suggests "
                        "%(suggested)s kV (send overwrite_electrical to apply it)."
                    )
                    % {"current": voltage, "suggested": suggested_voltage},
                    "voltage_level",
                )
            )
    if write_phases:
        data["phases"] = suggested_phases
    if write_voltage:
        data["voltage_level"] = suggested_voltage

    stages = list(current.stages.order_by("position").values("planned_date", "power_kw"))
    new_stages = None
    if len(stages) == 1:
        new_stages = [{"planned_date": stages[0]["planned_date"], "power_kw": requested_kw}]
    # Several stages: update_draft checks them against the new power and refuses on `stages`.

    saved = services.update_draft(application=current, data=data, stages=new_stages)
    calculation = LoadCalculation.objects.create(
        request=saved,
        method=result.method,
        design_kw=requested_kw,
        input=json_safe(input_data),
        result=json_safe(result.to_dict()),
        created_by=user,
    )
    return AppliedLoad(
        application=saved,
        requested_kw=requested_kw,
        phases=data.get("phases"),
        voltage_level=data.get("voltage_level"),
        notes=notes,
        calculation=calculation,
    )


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Decimals as typed (DRF pads them to its decimal places: 2.5 → 2.500000), so that the trace
    and the messages show what the user wrote."""
    return {
        key: (value.to_integral() if value == value.to_integral() else value.normalize())
        if isinstance(value, Decimal)
        else value
        for key, value in values.items()
    }


def _device_inputs(rows: list[dict[str, Any]]) -> list[capacity_calc.DeviceInput]:
    items = []
    for row in rows:
        values = _plain(row)
        if not values.get("device_type"):
            # no type: "other" when the power is given, else the calculator says it is required
            values["device_type"] = FALLBACK_DEVICE_TYPE if values.get("unit_kw") is not None else None
        items.append(capacity_calc.DeviceInput.from_dict(values))
    return items


def _problem_field(section: str, problem: capacity_calc.Problem) -> str:
    """The dotted input path of a calculator problem: rows are 1-based there, 0-based here."""
    column, row = problem.column, problem.row
    if row is None:
        return f"{section}.{column}" if column else section
    index = row - 1
    if section == "devices":
        return f"devices.{index}.{column}" if column else f"devices.{index}"
    if column and "." in column:  # building: "lifts.count", "other.unit_kw"
        group, rest = column.split(".", 1)
        return f"{section}.{group}.{index}.{rest}"
    return f"{section}.{column}.{index}" if column else section


#: Nominal phase voltage → line voltage, V (230/400 of ГОСТ 29322-2014, 220/380 of older networks).
LINE_VOLTAGE_V = {230: 400, 220: 380}


def calculate_load(data: dict[str, Any]) -> capacity_calc.LoadResult:
    """Compute a load from validated input (devices or a building); the calculator's problems
    become a ValidationError keyed by the dotted path of the input field."""
    section = "devices" if "devices" in data else "building"
    supply = data.get("supply") or {}
    phase_voltage = int(supply.get("voltage_v") or 230)
    options = {
        "phases": supply.get("phases"),
        "single_phase_voltage_v": phase_voltage,
        "three_phase_voltage_v": LINE_VOLTAGE_V[phase_voltage],
    }
    try:
        if section == "devices":
            return capacity_calc.calculate_devices(_device_inputs(data["devices"]), **options)
        building = _plain(data["building"])
        building["lifts"] = [capacity_calc.LiftInput(**_plain(lift)) for lift in building.get("lifts", [])]
        building["other"] = _device_inputs(building.get("other", []))
        return capacity_calc.calculate_building(capacity_calc.BuildingInput(**building), **options)
    except capacity_calc.InputError as error:
        english = (get_language() or "").startswith("en")
        detail: dict[str, list[ValidationError]] = {}
        for problem in error.problems:
            message = problem.message_en if english else problem.message
            detail.setdefault(_problem_field(section, problem), []).append(
                ValidationError(message, code=problem.code)
            )
        raise ValidationError(detail) from None
