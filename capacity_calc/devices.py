"""Device-list (demand) method: Pу = Σ n × Pном; Pр = Kо × Σ Kс × n × Pном (load-calculation.md § 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import tables
from .electrical import Voltages, trace_decimal
from .errors import InputError
from .models import DeviceInput, LoadResult, TraceStep
from .result import build_result, kw, step, total
from .validation import (
    PreparedDevices,
    devices_frame,
    prepare_devices,
    raw_text,
    resolve_options,
)


def calculate_devices(
    rows: Sequence[DeviceInput | Mapping[str, object]],
    *,
    simultaneity: object = None,
    single_phase_voltage_v: object = None,
    three_phase_voltage_v: object = None,
    phases: object = None,
) -> LoadResult:
    """Load of a device list (a private house, a small business).

    Each row's missing unit power, Kс, cos φ and phases come from the catalogue. ``simultaneity``
    is the factor Kо across groups (default from ``data/settings.csv``: 1). Voltages default to
    230 V single-phase and 400 V three-phase. ``phases`` (1 or 3) is the supply the user chose:
    honoured where possible, with a notice when the thresholds advise otherwise. Problems are reported with ``row`` = position in
    ``rows`` (first = 1). Raises :class:`~capacity_calc.errors.InputError`.
    """
    ko, voltages, problems = resolve_options(
        simultaneity, single_phase_voltage_v, three_phase_voltage_v, phases
    )
    try:
        prepared = prepare_devices(devices_frame(rows), range(1, len(rows) + 1))
    except InputError as error:
        raise InputError([*problems, *error.problems]) from None
    if problems:
        raise InputError(problems)
    return device_result(prepared, np.arange(len(prepared)), ko, voltages)


@dataclass(frozen=True)
class DeviceLoads:
    """Per-row loads of a device list."""

    installed: np.ndarray  # Pу,i = n × Pном
    design: np.ndarray  # Pр,i = Kс × Pу,i
    reactive: np.ndarray  # Qр,i = Pр,i × tg φ
    three_phase: np.ndarray  # bool


def device_loads(
    prepared: PreparedDevices, positions: np.ndarray | slice = slice(None), *, consume: bool = False
) -> DeviceLoads:
    """Per-row Pу, Pр, Qр. ``consume=True`` (the batch) computes in place in the prepared
    ``unit_kw``, ``demand_factor`` and ``tan_phi`` arrays, which are then no longer valid: it
    saves three full-length temporaries."""
    if consume and isinstance(positions, slice) and positions == slice(None):
        installed = np.multiply(prepared.quantity, prepared.unit_kw, out=prepared.unit_kw)
        design = np.multiply(prepared.demand_factor, installed, out=prepared.demand_factor)
        reactive = np.multiply(design, prepared.tan_phi, out=prepared.tan_phi)
    else:
        installed = prepared.quantity[positions] * prepared.unit_kw[positions]
        design = prepared.demand_factor[positions] * installed
        reactive = design * prepared.tan_phi[positions]
    return DeviceLoads(
        installed=installed,
        design=design,
        reactive=reactive,
        three_phase=prepared.three_phase[positions],
    )


def device_steps(prepared: PreparedDevices, positions: np.ndarray, loads: DeviceLoads) -> list[TraceStep]:
    """One trace step per device row: Pр,i = Kс × n × Pном."""
    catalogue = tables.catalogue()
    steps = []
    for k, position in enumerate(positions):
        device = catalogue.types[int(prepared.device[position])]
        label = raw_text(prepared.name.iloc[position]) if prepared.name is not None else ""
        shown = f"{label} ({device.name_ru})" if label else device.name_ru
        shown_en = f"{label} ({device.name_en})" if label else device.name_en
        defaults = [
            col
            for col in ("unit_kw", "demand_factor", "cos_phi", "phases")
            if not prepared.given(col, int(position))
        ]
        symbols = {"unit_kw": "Pном", "demand_factor": "Kс", "cos_phi": "cos φ", "phases": "фазы"}
        taken = ", ".join(symbols[col] for col in defaults)
        quantity = int(prepared.quantity[position])
        row = int(prepared.rows[position])
        steps.append(
            step(
                "device",
                f"Строка {row}: {shown} [{device.code}], {quantity} шт."
                + (f"; из каталога: {taken}" if taken else "; все значения заданы"),
                f"Row {row}: {shown_en} [{device.code}], {quantity} pcs"
                + (f"; from the catalogue: {', '.join(defaults)}" if defaults else "; all values given"),
                "Pу,i = n × Pном; Pр,i = Kс × Pу,i; Qр,i = Pр,i × tg φ",
                {
                    "n": quantity,
                    "Pном": kw(prepared.unit_kw[position]),
                    "Kс": trace_decimal(prepared.demand_factor[position], 4),
                    "cos φ": trace_decimal(prepared.cos_phi[position], 4),
                    "фазы": int(prepared.phases[position]),
                    "Pу,i": kw(loads.installed[k]),
                    "Qр,i": trace_decimal(loads.reactive[k], 4),
                },
                kw(loads.design[k]),
                "kW",
                f"data/devices.csv: {device.source}" if defaults else "input",
            )
        )
    return steps


def device_result(
    prepared: PreparedDevices, positions: np.ndarray, ko: float, voltages: Voltages
) -> LoadResult:
    """The LoadResult and trace of the device rows at ``positions``."""
    cfg = tables.settings()
    loads = device_loads(prepared, positions)
    installed = float(np.sum(loads.installed))
    design_sum = float(np.sum(loads.design))
    reactive = ko * float(np.sum(loads.reactive))
    design = ko * design_sum
    rows = [int(prepared.rows[p]) for p in positions]
    trace = device_steps(prepared, positions, loads)
    trace.append(
        step(
            "installed_total",
            "Установленная мощность",
            "Installed power",
            "Pу = Σ n × Pном",
            {f"Pу (строка {r})": kw(v) for r, v in zip(rows, loads.installed, strict=True)},
            total(installed),
            "kW",
            "load-calculation.md § 1",
        )
    )
    trace.append(
        step(
            "design_sum",
            "Сумма расчётных мощностей групп",
            "Sum of the groups' design power",
            "ΣPр,i = Σ Kс × Pу,i",
            {f"Pр (строка {r})": kw(v) for r, v in zip(rows, loads.design, strict=True)},
            kw(design_sum),
            "kW",
            "load-calculation.md § 1",
        )
    )
    trace.append(
        step(
            "design_power",
            "Расчётная мощность с коэффициентом одновременности",
            "Design power with the simultaneity factor",
            "Pр = Kо × ΣPр,i",
            {"Kо": trace_decimal(ko, 4), "ΣPр,i": kw(design_sum)},
            total(design),
            "kW",
            "load-calculation.md § 1; Kо: " + cfg.sources["default_simultaneity"],
        )
    )
    trace.append(
        step(
            "reactive_power",
            "Реактивная расчётная мощность",
            "Design reactive power",
            "Qр = Kо × Σ Pр,i × tg φi",
            {"Kо": trace_decimal(ko, 4)}
            | {f"Qр (строка {r})": trace_decimal(v, 4) for r, v in zip(rows, loads.reactive, strict=True)},
            total(reactive),
            "kvar",
            "load-calculation.md § 3",
        )
    )
    three_rows = [f"строка {r}" for r, three in zip(rows, loads.three_phase, strict=True) if three]
    return build_result(
        "devices",
        installed,
        design,
        reactive,
        bool(np.any(loads.three_phase)),
        voltages,
        trace,
        [],
        ", ".join(three_rows[:10]) + (" …" if len(three_rows) > 10 else ""),
    )
