"""Assembling a LoadResult: the common final steps (power factor, supply, current, breaker,
category) and their trace."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import tables
from .electrical import (
    SUPPLIES,
    Finished,
    Voltages,
    finish,
    round_half_up,
    to_decimal,
    trace_decimal,
)
from .models import LoadResult, Notice, TraceStep, TraceValue


def step(
    code: str,
    description: str,
    description_en: str,
    formula: str,
    inputs: Mapping[str, TraceValue],
    result: TraceValue,
    unit: str = "",
    source: str = "",
) -> TraceStep:
    return TraceStep(
        code=code,
        description=description,
        description_en=description_en,
        formula=formula,
        inputs=dict(inputs),
        result=result,
        unit=unit,
        source=source,
    )


def kw(value: float) -> TraceValue:
    """A power figure for the trace, 4 decimals at most."""
    return trace_decimal(value, 4)


def total(value: float) -> TraceValue:
    """A total for the trace, rounded like the public results (0.01)."""
    return to_decimal(float(round_half_up(value, 2)), 2)


def build_result(
    method: str,
    installed_kw: float,
    design_kw: float,
    reactive_kvar: float,
    needs_three_phase: bool,
    voltages: Voltages,
    trace: list[TraceStep],
    notices: list[Notice],
    three_phase_reason: str = "",
) -> LoadResult:
    """Finish one application (same vectorised code as the batch) and append the final steps."""
    fin = finish(
        np.array([installed_kw]),
        np.array([design_kw]),
        np.array([reactive_kvar]),
        np.array([needs_three_phase]),
        voltages,
    )
    trace.extend(_final_steps(fin, voltages, needs_three_phase, three_phase_reason))
    cfg = tables.settings()
    category = tables.categories()[int(fin.category[0])]
    supply_code, supply_ru, supply_en = SUPPLIES[int(fin.supply[0])]
    breaker = None if fin.breaker[0] < 0 else int(fin.breaker_a[0])
    notices.extend(_chosen_supply_notices(fin, voltages, cfg))
    if supply_code == "6/10":
        notices.append(
            Notice(
                "medium_voltage",
                f"Расчётная мощность больше {cfg.medium_voltage_above_kw:g} кВт: рекомендуется присоединение "
                "на 6 или 10 кВ; ток и автомат указаны для стороны 0,4 кВ.",
                f"Design power above {cfg.medium_voltage_above_kw:g} kW: connection at 6 or 10 kV is "
                "suggested; the current and breaker are given for the 0.4 kV side.",
            )
        )
    if breaker is None:
        notices.append(
            Notice(
                "no_breaker",
                "Расчётный ток больше наибольшего номинала ряда автоматов: нужен индивидуальный подбор.",
                "The design current exceeds the largest rating of the breaker series: select individually.",
            )
        )
    if category.code == "beyond":
        notices.append(
            Notice(
                "beyond_portal",
                f"Расчётная мощность {float(fin.design_kw[0]):.2f} кВт больше 150 кВт: такую заявку нельзя "
                "подать через портал (Правила № 861).",
                f"Design power {float(fin.design_kw[0]):.2f} kW exceeds 150 kW: such an application cannot "
                "be filed through this portal (Rules No. 861).",
            )
        )
    return LoadResult(
        method=method,
        installed_kw=to_decimal(fin.installed_kw[0], 2),
        design_kw=to_decimal(fin.design_kw[0], 2),
        reactive_kvar=to_decimal(fin.reactive_kvar[0], 2),
        apparent_kva=to_decimal(fin.apparent_kva[0], 2),
        cos_phi=to_decimal(fin.cos_phi[0], 3),
        phases=int(fin.phases[0]),
        voltage_kv=supply_code,
        voltage_label=supply_ru,
        voltage_label_en=supply_en,
        current_voltage_v=round(voltages.single_phase_v if fin.single_phase[0] else voltages.three_phase_v),
        design_current_a=to_decimal(fin.design_current_a[0], 1),
        breaker_a=breaker,
        category=category.code,
        category_label=category.name_ru,
        category_label_en=category.name_en,
        trace=tuple(trace),
        notices=tuple(notices),
    )


def _chosen_supply_notices(fin: Finished, voltages: Voltages, cfg) -> list[Notice]:
    """What the user should know about the supply they chose, when it differs from the advice."""
    if voltages.phases != 1:
        return []
    if not fin.single_phase[0]:
        return [
            Notice(
                "single_phase_impossible",
                "Однофазное присоединение выбрано, но невозможно: есть трёхфазные приёмники или нагрузка "
                "требует 6/10 кВ; результат дан для трёхфазного присоединения.",
                "Single-phase supply was chosen but is not possible: there are three-phase receivers or the "
                "load needs 6/10 kV; the result is given for a three-phase supply.",
            )
        ]
    if fin.recommended_single_phase[0]:
        return []
    return [
        Notice(
            "single_phase_above_threshold",
            f"Выбрано однофазное присоединение, хотя расчётная мощность {float(fin.design_kw[0]):.2f} кВт или "
            f"ток {float(fin.single_phase_current_a[0]):.1f} А больше рекомендуемых для одной фазы "
            f"({cfg.single_phase_max_kw:g} кВт, {cfg.single_phase_max_current_a:g} А): проверьте, что "
            "сеть и вводной автомат это допускают.",
            f"Single-phase supply was chosen although the design power {float(fin.design_kw[0]):.2f} kW or "
            f"the current {float(fin.single_phase_current_a[0]):.1f} A exceeds what is advised for one phase "
            f"({cfg.single_phase_max_kw:g} kW, {cfg.single_phase_max_current_a:g} A): check that the grid "
            "and the incoming breaker allow it.",
        )
    ]


def _final_steps(
    fin: Finished, voltages: Voltages, needs_three_phase: bool, three_phase_reason: str
) -> list[TraceStep]:
    cfg = tables.settings()
    design = to_decimal(fin.design_kw[0], 2)
    apparent = to_decimal(fin.apparent_kva[0], 2)
    supply_code = SUPPLIES[int(fin.supply[0])][0]
    single = bool(fin.single_phase[0])
    u1, u3 = voltages.single_phase_v, voltages.three_phase_v
    steps = [
        step(
            "apparent_power",
            "Полная расчётная мощность",
            "Design apparent power",
            "Sр = √(Pр² + Qр²)",
            {"Pр": design, "Qр": to_decimal(fin.reactive_kvar[0], 2)},
            apparent,
            "kVA",
            "load-calculation.md § 3",
        ),
        step(
            "power_factor",
            "Средневзвешенный коэффициент мощности",
            "Weighted power factor",
            "cos φ = Pр / Sр",
            {"Pр": design, "Sр": apparent},
            to_decimal(fin.cos_phi[0], 3),
            "",
            "load-calculation.md § 3",
        ),
        step(
            "supply",
            "Рекомендуемое число фаз и напряжение"
            + (f" (трёхфазные приёмники: {three_phase_reason})" if needs_three_phase else ""),
            "Recommended phases and voltage"
            + (" (three-phase receivers present)" if needs_three_phase else ""),
            f"1 фаза 0,23 кВ, если Pр ≤ {cfg.single_phase_max_kw:g} кВт, I₁ = Sр × 1000 / U₁ ≤ "
            f"{cfg.single_phase_max_current_a:g} А и нет трёхфазных приёмников; 6/10 кВ, если Pр > "
            f"{cfg.medium_voltage_above_kw:g} кВт; иначе 3 фазы 0,4 кВ",
            {
                "Pр": design,
                "U₁": _volts(u1),
                "I₁": to_decimal(fin.single_phase_current_a[0], 1),
                "трёхфазные приёмники": "да" if needs_three_phase else "нет",
            },
            f"{supply_code} кВ, {int(fin.phases[0])} ф.",
            "",
            "; ".join(
                cfg.sources[key]
                for key in ("single_phase_max_kw", "single_phase_max_current_a", "medium_voltage_above_kw")
            ),
        ),
    ]
    if single:
        steps.append(
            step(
                "current",
                "Расчётный ток, однофазная сеть",
                "Design current, single phase",
                "I = Sр × 1000 / U = Pр × 1000 / (U × cos φ)",
                {"Sр": apparent, "U": _volts(u1)},
                to_decimal(fin.design_current_a[0], 1),
                "A",
                "load-calculation.md § 3; " + cfg.sources["single_phase_voltage_v"],
            )
        )
    else:
        steps.append(
            step(
                "current",
                "Расчётный ток в фазе, трёхфазная сеть"
                + (" (сторона 0,4 кВ)" if supply_code == "6/10" else ""),
                "Design current per phase, three phase" + (" (0.4 kV side)" if supply_code == "6/10" else ""),
                "I = Sр × 1000 / (√3 × U) = Pр × 1000 / (√3 × U × cos φ)",
                {"Sр": apparent, "U": _volts(u3)},
                to_decimal(fin.design_current_a[0], 1),
                "A",
                "load-calculation.md § 3; " + cfg.sources["three_phase_voltage_v"],
            )
        )
    series = tables.breaker_series()
    breaker = int(fin.breaker[0])
    steps.append(
        step(
            "breaker",
            "Номинальный ток автомата: наименьший из стандартного ряда, не меньше расчётного тока",
            "Breaker rating: the smallest standard rating not below the design current",
            "Iном = min { Iном ∈ ряд : Iном ≥ I }",
            {"I": to_decimal(fin.design_current_a[0], 1)},
            int(series.ratings[breaker]) if breaker >= 0 else "нет в ряду",
            "A" if breaker >= 0 else "",
            series.sources[int(series.ratings[max(breaker, 0)])],
        )
    )
    category = tables.categories()[int(fin.category[0])]
    limits = " ; ".join(
        f"{c.code}: Pр ≤ {c.max_kw:g} кВт" for c in tables.categories() if np.isfinite(c.max_kw)
    )
    steps.append(
        step(
            "category",
            f"Категория присоединения: {category.name_ru}",
            f"Connection category: {category.name_en}",
            f"{limits} ; иначе beyond",
            {"Pр": design},
            category.code,
            "",
            category.source,
        )
    )
    return steps


def _volts(value: float) -> TraceValue:
    return int(value) if float(value).is_integer() else trace_decimal(value, 2)
