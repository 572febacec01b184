"""Residential building method (СП 256.1325800.2016 § 7.1, load-calculation.md § 2).

- apartments: Pкв = Pкв.уд(n) × n, table 7.1, linear interpolation, n ≤ 5 → the "1–5" column;
- apartments of increased comfort: Pр.кв = Pу × Kс(Pу) × n × Kо(n), tables 7.2 and 7.3;
- lifts: Pр.л = Kс.л × Σ Pn, table 7.4 (one lift: Kс.л = 1);
- building: Pр.ж.д = Pкв + 0.9 × Pс, Pс = Pр.л + design load of the other power receivers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from . import tables
from .devices import device_loads, device_steps
from .electrical import tan_phi, trace_decimal
from .errors import InputError, Problem, make_problem
from .models import BuildingInput, DeviceInput, LiftInput, LoadResult, Notice, TraceStep
from .result import build_result, kw, step, total
from .tables import Lookup, StepTable
from .validation import devices_frame, parse_scalar, prepare_devices, resolve_options


def stove_type(code: object) -> tables.StoveType:
    """Stove type by code (``gas``, ``lpg_solid``, ``electric``, ``garden``) or Russian/English name."""
    key = tables.normalize_key(code)
    for stove in tables.apartment_tables().values():
        if key in {stove.code, tables.normalize_key(stove.name_ru), tables.normalize_key(stove.name_en)}:
            return stove
    raise InputError(
        [
            make_problem(
                "unknown_stove_type",
                column="stove_type",
                value=code,
                extra=", ".join(tables.apartment_tables()),
            )
        ]
    )


def apartment_specific_load(apartments: int, stove: str = "gas") -> float:
    """Pкв.уд, kW per apartment, from table 7.1 (n ≤ 5 → the 1–5 value; linear in between)."""
    _check_apartments(apartments, "apartments")
    return stove_type(stove).table.value(apartments)


def comfort_demand_factor(unit_kw: float) -> float:
    """Kс of an apartment of increased comfort with declared power Pу (table 7.2; ≤ 14 kW → 0.8)."""
    return tables.comfort_demand_table().value(float(unit_kw))


def comfort_simultaneity_factor(apartments: int) -> float:
    """Kо for n apartments of increased comfort (table 7.3; n ≤ 5 → 1)."""
    return tables.comfort_simultaneity_table().value(float(apartments))


def lift_demand_factor(lifts: int, storeys: int) -> float:
    """Kс.л for ``lifts`` lift installations in a building of ``storeys`` storeys (table 7.4)."""
    return tables.lift_group(int(storeys)).table.value(float(lifts))


def _check_apartments(value: int, column: str) -> None:
    limit = tables.settings().max_apartments
    if not 1 <= value <= limit:
        raise InputError(
            [make_problem("apartments_out_of_range", column=column, value=value, min=1, max=limit)]
        )


class _Fields:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def number(
        self, value: object, column: str, *, row: int | None = None, required: bool = True
    ) -> float | None:
        parsed, state = parse_scalar(value)
        if state == "missing":
            if required:
                self.problems.append(make_problem("required", row=row, column=column))
            return None
        if state == "bad":
            self.problems.append(make_problem("not_a_number", row=row, column=column, value=value))
            return None
        return parsed

    def positive(self, value: object, column: str, *, row: int | None = None) -> float | None:
        parsed = self.number(value, column, row=row)
        if parsed is not None and parsed <= 0:
            self.problems.append(make_problem("not_positive", row=row, column=column, value=value))
            return None
        return parsed

    def integer(
        self,
        value: object,
        column: str,
        *,
        row: int | None = None,
        minimum: int,
        maximum: int | None = None,
        code: str = "out_of_range",
        required: bool = True,
    ) -> int | None:
        parsed = self.number(value, column, row=row, required=required)
        if parsed is None:
            return None
        if not float(parsed).is_integer():
            self.problems.append(make_problem("not_integer", row=row, column=column, value=value))
            return None
        if parsed < minimum or (maximum is not None and parsed > maximum):
            if code == "out_of_range" and minimum >= 1 and maximum is None:
                code = "not_positive"
            self.problems.append(
                make_problem(code, row=row, column=column, value=value, min=minimum, max=maximum)
            )
            return None
        return int(parsed)


def calculate_building(
    building: BuildingInput,
    *,
    single_phase_voltage_v: object = None,
    three_phase_voltage_v: object = None,
    phases: object = None,
) -> LoadResult:
    """Design load of a residential building: Pр.ж.д = Pкв + 0.9 × Pс (СП 256.1325800.2016 § 7.1).

    Raises :class:`~capacity_calc.errors.InputError` with every problem found (fields are named
    as in :class:`BuildingInput`; lifts and other receivers as ``lifts.count`` with ``row`` = their
    position, first = 1).
    """
    cfg = tables.settings()
    _, voltages, option_problems = resolve_options(
        None, single_phase_voltage_v, three_phase_voltage_v, phases
    )
    check = _Fields()
    check.problems.extend(option_problems)
    limit = cfg.max_apartments
    n = (
        check.integer(
            building.apartments,
            "apartments",
            minimum=0,
            maximum=limit,
            code="apartments_out_of_range",
            required=False,
        )
        or 0
    )
    nc = (
        check.integer(
            building.comfort_apartments,
            "comfort_apartments",
            minimum=0,
            maximum=limit,
            code="apartments_out_of_range",
            required=False,
        )
        or 0
    )
    if not check.problems and not 1 <= n + nc <= limit:
        check.problems.append(
            make_problem("apartments_total_out_of_range", column="apartments", value=n + nc, min=1, max=limit)
        )
    stove = None
    if n > 0:
        try:
            stove = stove_type(building.stove_type)
        except InputError as error:
            check.problems.extend(error.problems)
    pu_comfort = check.positive(building.comfort_unit_kw, "comfort_unit_kw") if nc > 0 else None

    lifts: list[tuple[int, float]] = []
    for i, lift in enumerate(building.lifts or (), start=1):
        if isinstance(lift, Mapping):
            lift = LiftInput.from_dict(lift)
        if not isinstance(lift, LiftInput):
            check.problems.append(make_problem("invalid_json", row=i, column="lifts", value=lift))
            continue
        count = check.integer(lift.count, "lifts.count", row=i, minimum=1)
        unit = check.positive(lift.unit_kw, "lifts.unit_kw", row=i)
        if count is not None and unit is not None:
            lifts.append((count, unit))
    storeys = None
    if building.lifts:
        storeys = check.integer(building.storeys, "storeys", minimum=1)
    elif building.storeys is not None:
        check.integer(building.storeys, "storeys", minimum=1, required=False)

    others = list(building.other or ())
    prepared = None
    if others:
        try:
            items = [
                o if isinstance(o, DeviceInput) else DeviceInput.from_dict(o, prefix="other.") for o in others
            ]
            prepared = prepare_devices(devices_frame(items), range(1, len(items) + 1), column_prefix="other.")
        except InputError as error:
            check.problems.extend(error.problems)
    if check.problems:
        raise InputError(check.problems)

    trace: list[TraceStep] = []
    notices: list[Notice] = []
    installed = 0.0

    # apartments, table 7.1
    p_apartments = 0.0
    if n > 0 and stove is not None:
        lookup = stove.table.lookup(n)
        trace.append(
            _lookup_step(
                "apartment_specific_load",
                f"Удельная расчётная нагрузка квартир (табл. 7.1): {stove.name_ru}",
                f"Specific design load of apartments (table 7.1): {stove.name_en}",
                "Pкв.уд",
                "n",
                lookup,
                stove.table,
                "kW/apartment",
            )
        )
        p_apartments = lookup.value * n
        trace.append(
            step(
                "apartments_load",
                "Расчётная нагрузка квартир",
                "Design load of the apartments",
                "Pкв = Pкв.уд × n",
                {"Pкв.уд": trace_decimal(lookup.value, 4), "n": n},
                kw(p_apartments),
                "kW",
                "СП 256.1325800.2016 § 7.1 (load-calculation.md § 2)",
            )
        )
        installed += stove.table.value(1) * n

    # apartments of increased comfort, tables 7.2 and 7.3
    p_comfort = 0.0
    if nc > 0 and pu_comfort is not None:
        kc_lookup = tables.comfort_demand_table().lookup(pu_comfort)
        ko_lookup = tables.comfort_simultaneity_table().lookup(nc)
        trace.append(
            _lookup_step(
                "comfort_demand_factor",
                "Коэффициент спроса квартир повышенной комфортности (табл. 7.2)",
                "Demand factor of apartments of increased comfort (table 7.2)",
                "Kс",
                "Pу",
                kc_lookup,
                tables.comfort_demand_table(),
                "",
            )
        )
        trace.append(
            _lookup_step(
                "comfort_simultaneity_factor",
                "Коэффициент одновременности квартир повышенной комфортности (табл. 7.3)",
                "Simultaneity factor of apartments of increased comfort (table 7.3)",
                "Kо",
                "n",
                ko_lookup,
                tables.comfort_simultaneity_table(),
                "",
            )
        )
        for lookup, table_name in ((kc_lookup, "7.2"), (ko_lookup, "7.3")):
            if lookup.kind == "beyond_table":
                notices.append(
                    Notice(
                        f"beyond_table_{table_name.replace('.', '_')}",
                        f"Значение {lookup.x:g} вне таблицы {table_name}: "
                        "принято значение последнего столбца "
                        f"({lookup.value:g}).",
                        f"Value {lookup.x:g} is beyond table {table_name}: the last column's value "
                        f"({lookup.value:g}) is used.",
                    )
                )
        p_comfort = pu_comfort * kc_lookup.value * nc * ko_lookup.value
        trace.append(
            step(
                "comfort_load",
                "Расчётная нагрузка квартир повышенной комфортности",
                "Design load of apartments of increased comfort",
                "Pр.кв = Pу × Kс × n × Kо",
                {
                    "Pу": kw(pu_comfort),
                    "Kс": trace_decimal(kc_lookup.value, 4),
                    "n": nc,
                    "Kо": trace_decimal(ko_lookup.value, 4),
                },
                kw(p_comfort),
                "kW",
                "СП 256.1325800.2016 § 7.1 (load-calculation.md § 2)",
            )
        )
        installed += pu_comfort * nc

    p_kv = p_apartments + p_comfort
    trace.append(
        step(
            "apartments_total",
            "Расчётная нагрузка всех квартир",
            "Design load of all apartments",
            "Pкв = Pкв(табл. 7.1) + Pр.кв(табл. 7.2, 7.3)",
            {"Pкв(табл. 7.1)": kw(p_apartments), "Pр.кв": kw(p_comfort)},
            kw(p_kv),
            "kW",
            "СП 256.1325800.2016 § 7.1",
        )
    )

    # lifts, table 7.4
    p_lifts = installed_lifts = 0.0
    if lifts and storeys is not None:
        count = sum(c for c, _ in lifts)
        rated = sum(c * unit for c, unit in lifts)
        group = tables.lift_group(storeys)
        lookup = group.table.lookup(count)
        trace.append(
            _lookup_step(
                "lift_demand_factor",
                f"Коэффициент спроса лифтовых установок (табл. 7.4): {group.name_ru}, этажей: {storeys}",
                f"Demand factor of lift installations (table 7.4): {group.name_en}, storeys: {storeys}",
                "Kс.л",
                "N",
                lookup,
                group.table,
                "",
            )
        )
        p_lifts = lookup.value * rated
        trace.append(
            step(
                "lift_load",
                "Расчётная нагрузка лифтов",
                "Design load of the lifts",
                "Pр.л = Kс.л × Σ Pn",
                {"Kс.л": trace_decimal(lookup.value, 4)}
                | {f"N × Pn (группа {i})": f"{c} × {kw(u)}" for i, (c, u) in enumerate(lifts, start=1)}
                | {"Σ Pn": kw(rated)},
                kw(p_lifts),
                "kW",
                "СП 256.1325800.2016 § 7.1, table 7.4 (load-calculation.md § 2)",
            )
        )
        installed_lifts = rated

    # other power receivers, device-list method
    p_other = q_other = installed_other = 0.0
    other_three = False
    if prepared is not None:
        positions = np.arange(len(prepared))
        loads = device_loads(prepared, positions)
        trace.extend(device_steps(prepared, positions, loads))
        p_other = float(np.sum(loads.design))
        q_other = float(np.sum(loads.reactive))
        other_three = bool(np.any(loads.three_phase))
        installed_other = float(np.sum(loads.installed))
        trace.append(
            step(
                "other_load",
                "Расчётная нагрузка прочих силовых электроприёмников",
                "Design load of the other power receivers",
                "Pр.пр = Σ Kс × n × Pном",
                {f"Pр (строка {int(r)})": kw(v) for r, v in zip(prepared.rows, loads.design, strict=True)},
                kw(p_other),
                "kW",
                "load-calculation.md § 1",
            )
        )

    factor = cfg.power_receivers_factor
    installed += installed_lifts + installed_other
    p_receivers = p_lifts + p_other
    trace.append(
        step(
            "power_receivers",
            "Расчётная нагрузка силовых электроприёмников",
            "Design load of power receivers",
            "Pс = Pр.л + Pр.пр",
            {"Pр.л": kw(p_lifts), "Pр.пр": kw(p_other)},
            kw(p_receivers),
            "kW",
            "СП 256.1325800.2016 § 7.1",
        )
    )
    design = p_kv + factor * p_receivers
    trace.append(
        step(
            "building_total",
            "Расчётная нагрузка жилого дома",
            "Design load of the residential building",
            f"Pр.ж.д = Pкв + {factor:g} × Pс",
            {"Pкв": kw(p_kv), "Pс": kw(p_receivers)},
            total(design),
            "kW",
            cfg.sources["power_receivers_factor"],
        )
    )
    trace.append(
        step(
            "installed_total",
            "Установленная мощность (сумма нагрузок без учёта несовпадения максимумов)",
            "Installed power (sum of the loads without diversity)",
            "Pу = n × Pкв.уд(1–5) + nк × Pу.к + Σ Pn + Σ n × Pном",
            {
                "n": n,
                "Pкв.уд(1–5)": kw(stove.table.value(1)) if stove else 0,
                "nк": nc,
                "Pу.к": kw(pu_comfort or 0.0),
                "Σ Pn": kw(installed_lifts),
                "Σ n × Pном": kw(installed_other),
            },
            total(installed),
            "kW",
            "load-calculation.md § 2 (tables 7.1, 7.2, 7.4)",
        )
    )
    tg_apartments = float(tan_phi(cfg.apartment_cos_phi))
    tg_lifts = float(tan_phi(cfg.lift_cos_phi))
    reactive = p_kv * tg_apartments + factor * (p_lifts * tg_lifts + q_other)
    trace.append(
        step(
            "reactive_power",
            "Реактивная расчётная нагрузка",
            "Design reactive load",
            f"Qр = Pкв × tg φкв + {factor:g} × (Pр.л × tg φл + Σ Qр,i)",
            {
                "Pкв": kw(p_kv),
                "cos φкв": trace_decimal(cfg.apartment_cos_phi, 4),
                "Pр.л": kw(p_lifts),
                "cos φл": trace_decimal(cfg.lift_cos_phi, 4),
                "Σ Qр,i": trace_decimal(q_other, 4),
            },
            total(reactive),
            "kvar",
            f"cos φкв: {cfg.sources['apartment_cos_phi']}; cos φл: {cfg.sources['lift_cos_phi']}",
        )
    )
    reasons = (["лифты"] if lifts else []) + (["прочие приёмники"] if other_three else [])
    return build_result(
        "building",
        installed,
        design,
        reactive,
        bool(lifts) or other_three,
        voltages,
        trace,
        notices,
        ", ".join(reasons),
    )


def _lookup_step(
    code: str,
    description: str,
    description_en: str,
    symbol: str,
    argument: str,
    lookup: Lookup,
    table: StepTable,
    unit: str,
) -> TraceStep:
    value = trace_decimal(lookup.value, 4)
    if lookup.kind == "interpolated" and lookup.left is not None and lookup.right is not None:
        y1, y2 = lookup.left.value, lookup.right.value
        return step(
            code,
            description + ", линейная интерполяция",
            description_en + ", linear interpolation",
            f"{symbol} = {symbol}₁ + ({symbol}₂ − {symbol}₁) × "
            f"({argument} − {argument}₁) / ({argument}₂ − {argument}₁)",
            {
                argument: _arg(lookup.x),
                f"{argument}₁": _arg(lookup.x1),
                f"{symbol}₁": trace_decimal(y1, 4),
                f"{argument}₂": _arg(lookup.x2),
                f"{symbol}₂": trace_decimal(y2, 4),
            },
            value,
            unit,
            lookup.left.source,
        )
    column = lookup.column
    assert column is not None
    where = {
        "column": f"столбец «{column.label}»",
        "below_table": f"ниже таблицы: принят столбец «{column.label}»",
        "beyond_table": f"вне таблицы: принят последний столбец «{column.label}»",
    }[lookup.kind]
    where_en = {
        "column": f"column '{column.label}'",
        "below_table": f"below the table: column '{column.label}' used",
        "beyond_table": f"beyond the table: last column '{column.label}' used",
    }[lookup.kind]
    return step(
        code,
        f"{description}, {where}",
        f"{description_en}, {where_en}",
        f"{symbol} = {symbol}({argument} ∈ «{column.label}»)",
        {argument: _arg(lookup.x), f"столбец {table.name}": column.label},
        value,
        unit,
        column.source + ("" if column.grade in ("norm", "copy") else f" [{column.grade}]"),
    )


def _arg(value: float) -> object:
    return int(value) if not math.isnan(value) and float(value).is_integer() else trace_decimal(value, 4)
