"""Input and result types of the load calculator.

Public results use :class:`~decimal.Decimal`: power in kW rounded to 0.01, current in A rounded to
0.1, cos φ to 0.001 (ROUND_HALF_UP). ``to_dict()`` gives JSON-serialisable output in which every
Decimal is a string such as ``"12.34"`` (so no precision is lost in JSON), integers stay integers
and missing values are ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from .errors import InputError, make_problem

#: A value in the trace: a Decimal number, an integer, or text.
TraceValue = Decimal | int | str


def jsonable(value: Any) -> Any:
    """Decimals as strings, containers recursively; other values unchanged."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


@dataclass(frozen=True)
class DeviceInput:
    """One row of a device list.

    ``device_type`` is a catalogue code (see ``data/devices.csv``) or the device's Russian or
    English name. Any of ``unit_kw``, ``demand_factor``, ``cos_phi``, ``phases`` left as None is
    taken from the catalogue; a given value overrides it. ``name`` is an optional label.
    """

    device_type: str
    quantity: int = 1
    unit_kw: Decimal | float | None = None
    demand_factor: Decimal | float | None = None
    cos_phi: Decimal | float | None = None
    phases: int | None = None
    name: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, prefix: str = "") -> DeviceInput:
        """Build from a mapping with the field names as keys (values are checked by the calculator);
        ``prefix`` is prepended to field names in problems (e.g. ``other.``)."""
        known = {f.name for f in fields(cls)}
        _reject_unknown(data, known, prefix)
        # A missing device type is left to the validation, which names its row and column.
        return cls(**{"device_type": None, **{key: value for key, value in data.items() if key in known}})


@dataclass(frozen=True)
class LiftInput:
    """A group of identical lifts: ``count`` lifts of ``unit_kw`` kW each (motor rated power Pn)."""

    count: int
    unit_kw: Decimal | float

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LiftInput:
        _reject_unknown(data, {"count", "unit_kw"}, "lifts.")
        return cls(count=data.get("count"), unit_kw=data.get("unit_kw"))  # type: ignore[arg-type]


@dataclass(frozen=True)
class BuildingInput:
    """A residential building (СП 256.1325800.2016 § 7.1).

    - ``apartments`` ordinary apartments with ``stove_type`` one of ``gas`` (natural-gas stoves),
      ``lpg_solid`` (liquefied gas or solid fuel), ``electric`` (electric stoves up to 8.5 kW),
      ``garden`` (garden-plot houses) — table 7.1;
    - ``comfort_apartments`` apartments of increased comfort with declared power
      ``comfort_unit_kw`` each — tables 7.2 and 7.3;
    - ``lifts`` (groups of lifts) in a building of ``storeys`` storeys — table 7.4;
    - ``other`` power receivers (pumps, lighting of common areas beyond the table, etc.)
      computed by the device-list method.
    """

    apartments: int = 0
    stove_type: str = "gas"
    comfort_apartments: int = 0
    comfort_unit_kw: Decimal | float | None = None
    storeys: int | None = None
    lifts: tuple[LiftInput, ...] | list[LiftInput] = ()
    other: tuple[DeviceInput, ...] | list[DeviceInput] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BuildingInput:
        known = {f.name for f in fields(cls)}
        _reject_unknown(data, known, "")
        values = {key: value for key, value in data.items() if key in known}
        values["lifts"] = tuple(LiftInput.from_dict(item) for item in data.get("lifts") or ())
        values["other"] = tuple(
            DeviceInput.from_dict(item, prefix="other.") for item in data.get("other") or ()
        )
        return cls(**values)


def _reject_unknown(data: Mapping[str, Any], known: set[str], prefix: str) -> None:
    if not isinstance(data, Mapping):
        raise InputError([make_problem("invalid_json", column=prefix.rstrip(".") or None, value=data)])
    unknown = [key for key in data if key not in known]
    if unknown:
        raise InputError([make_problem("unknown_field", column=f"{prefix}{key}") for key in unknown])


@dataclass(frozen=True)
class TraceStep:
    """One step of the calculation, enough to redo it by hand.

    ``inputs`` maps a symbol (as used in ``formula``) to its value; ``result`` is the step's value
    in ``unit`` (``kW``, ``kvar``, ``kVA``, ``A``, ``kW/apartment``, or empty for factors and text);
    ``source`` cites the norm or data file row the step relies on.
    """

    code: str
    description: str
    description_en: str
    formula: str
    inputs: Mapping[str, TraceValue]
    result: TraceValue
    unit: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "description": self.description,
            "description_en": self.description_en,
            "formula": self.formula,
            "inputs": jsonable(dict(self.inputs)),
            "result": jsonable(self.result),
            "unit": self.unit,
            "source": self.source,
        }


@dataclass(frozen=True)
class Notice:
    """A warning attached to a result (the result is still valid)."""

    code: str
    message: str
    message_en: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "message_en": self.message_en}


@dataclass(frozen=True)
class LoadResult:
    """Result of a load calculation.

    - ``installed_kw`` Pу: sum of the installed (rated) power, no diversity;
    - ``design_kw`` Pр: the design (demand) power to request;
    - ``reactive_kvar`` Qр, ``apparent_kva`` Sр, ``cos_phi`` = Pр / Sр;
    - ``phases`` (1 or 3) and ``voltage_kv`` ("0.23", "0.4" or "6/10") recommended;
    - ``design_current_a``: current per phase at ``current_voltage_v`` (230 V single-phase,
      400 V three-phase by default);
    - ``breaker_a``: the smallest standard rating not below the design current (None when the
      current exceeds the series);
    - ``category``: the band the design power falls into — ``household`` (≤ 15 kW), ``business``
      (≤ 150 kW) or ``beyond`` the portal (whether the applicant may use that band, e.g. only
      individuals for ``household``, is checked by the portal, not here);
    - ``trace``: every step with formula, inputs and result; ``notices``: warnings.
    """

    method: str  # "devices" | "building"
    installed_kw: Decimal
    design_kw: Decimal
    reactive_kvar: Decimal
    apparent_kva: Decimal
    cos_phi: Decimal
    phases: int
    voltage_kv: str
    voltage_label: str
    voltage_label_en: str
    current_voltage_v: int
    design_current_a: Decimal
    breaker_a: int | None
    category: str
    category_label: str
    category_label_en: str
    trace: tuple[TraceStep, ...] = field(default_factory=tuple)
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict; Decimals become strings such as ``"12.34"``."""
        result: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("trace", "notices"):
                result[item.name] = [entry.to_dict() for entry in value]
            else:
                result[item.name] = jsonable(value)
        return result
