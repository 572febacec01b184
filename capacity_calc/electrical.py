"""Current, power, supply (phases and voltage), breaker and category — scalar and vectorised.

Formulas (load-calculation.md § 3):

- single phase: I = P / (U × cos φ), U the phase voltage (230 V by default);
- three phase: I = P / (√3 × U × cos φ), U the line voltage (400 V by default);
- with reactive power: S = √(P² + Q²), I = S / U (single phase) or S / (√3 × U) (three phase).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from . import tables

SQRT3 = math.sqrt(3.0)

#: Supply options: (voltage_kv code, Russian label, English label).
SUPPLY_SINGLE = ("0.23", "0,23 кВ, однофазное (1 фаза)", "0.23 kV, single-phase")
SUPPLY_THREE = ("0.4", "0,4 кВ, трёхфазное (3 фазы)", "0.4 kV, three-phase")
SUPPLY_MEDIUM = ("6/10", "6 или 10 кВ (средний класс напряжения)", "6 or 10 kV (medium voltage)")
SUPPLIES = (SUPPLY_SINGLE, SUPPLY_THREE, SUPPLY_MEDIUM)


def phase_current(power_kw: float, voltage_v: float, cos_phi: float, phases: int) -> float:
    """Design current, A: P / (U × cos φ) single-phase, P / (√3 × U × cos φ) three-phase."""
    factor = SQRT3 if int(phases) == 3 else 1.0
    return float(power_kw) * 1000.0 / (factor * float(voltage_v) * float(cos_phi))


def power_from_current(current_a: float, voltage_v: float, cos_phi: float, phases: int) -> float:
    """Active power, kW, carried by ``current_a``: U × I × cos φ (× √3 three-phase) / 1000."""
    factor = SQRT3 if int(phases) == 3 else 1.0
    return factor * float(voltage_v) * float(current_a) * float(cos_phi) / 1000.0


def round_half_up(values: np.ndarray | float, digits: int, *, inplace: bool = False) -> np.ndarray:
    """Round half away from zero (for the non-negative values used here) to ``digits`` decimals.

    The scaled value is first rounded to 6 decimals, so binary noise (2.675 stored as
    2.67499999...) does not turn a half into a floor. ``inplace=True`` reuses the (float64)
    input array for the result.
    """
    scale = 10.0**digits
    # the same operations as np.floor(np.round(values * scale, 6) + 0.5) / scale, in place
    source = np.asarray(values, dtype=float)
    target = source if inplace and source.ndim else np.empty(source.shape)
    out = np.multiply(source, scale, out=target)
    np.multiply(out, 1e6, out=out)
    np.rint(out, out=out)
    np.divide(out, 1e6, out=out)
    np.add(out, 0.5, out=out)
    np.floor(out, out=out)
    np.divide(out, scale, out=out)
    return out


def to_decimal(value: float, digits: int) -> Decimal:
    """A float already rounded to ``digits`` decimals as an exact Decimal (e.g. ``Decimal("12.30")``)."""
    return Decimal(f"{float(value):.{digits}f}")


def trace_decimal(value: float, digits: int = 4) -> Decimal:
    """A value for the trace: rounded half-up to ``digits`` decimals, trailing zeros dropped."""
    text = f"{float(round_half_up(value, digits)):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


def breaker_rating(current_a: float) -> int | None:
    """Smallest standard breaker rating (``data/breaker_ratings.csv``) not below ``current_a``."""
    index = breaker_indices(np.array([current_a]))[0]
    return None if index < 0 else int(tables.breaker_series().ratings[index])


def breaker_indices(current_a: np.ndarray) -> np.ndarray:
    """Vectorised: index into the breaker series of the smallest rating ≥ current, −1 if none."""
    ratings = tables.breaker_series().ratings
    index = np.searchsorted(ratings, np.asarray(current_a, dtype=float), side="left")
    index[index == len(ratings)] = -1
    return index


def category_indices(design_kw: np.ndarray) -> np.ndarray:
    """Vectorised: index into ``tables.categories()`` of the first category whose limit ≥ power."""
    return np.searchsorted(tables.category_limits(), np.asarray(design_kw, dtype=float), side="left")


@dataclass(frozen=True)
class Voltages:
    single_phase_v: float
    three_phase_v: float
    phases: int | None = None  # the supply the user chose (1 or 3); None: as recommended


@dataclass(frozen=True)
class Finished:
    """Vectorised final figures for one or many applications (all arrays of the same length)."""

    installed_kw: np.ndarray  # rounded to 0.01
    design_kw: np.ndarray  # rounded to 0.01
    reactive_kvar: np.ndarray  # rounded to 0.01
    apparent_kva: np.ndarray  # rounded to 0.01
    cos_phi: np.ndarray  # rounded to 0.001
    single_phase_current_a: np.ndarray  # rounded to 0.1
    three_phase_current_a: np.ndarray  # rounded to 0.1
    single_phase: np.ndarray  # bool: single-phase supply (recommended, or chosen by the user)
    recommended_single_phase: np.ndarray  # bool: single-phase supply recommended by the thresholds
    supply: np.ndarray  # index into SUPPLIES
    phases: np.ndarray  # 1 or 3
    design_current_a: np.ndarray  # rounded to 0.1
    breaker: np.ndarray  # index into the breaker series, −1 when above the series
    breaker_a: np.ndarray  # rating, NaN when above the series
    category: np.ndarray  # index into tables.categories()


def finish(
    installed_kw: np.ndarray,
    design_kw: np.ndarray,
    reactive_kvar: np.ndarray,
    needs_three_phase: np.ndarray,
    voltages: Voltages,
) -> Finished:
    """From design P and Q to supply, current, breaker and category, for many applications at once.

    Single-phase 0.23 kV supply is recommended when the design power is at most
    ``single_phase_max_kw``, no power receiver needs three phases and the single-phase current is at
    most ``single_phase_max_current_a``; above ``medium_voltage_above_kw`` 6/10 kV is suggested
    (current still given at 0.4 kV, three-phase); otherwise three-phase 0.4 kV. Thresholds compare
    the rounded figures the user sees; the breaker is chosen for the rounded design current.
    """
    cfg = tables.settings()
    design = np.asarray(design_kw, dtype=float)
    reactive = np.asarray(reactive_kvar, dtype=float)
    apparent = np.hypot(design, reactive)
    cos_phi = np.divide(design, apparent, out=np.ones_like(apparent), where=apparent > 0)
    current_1 = np.multiply(apparent, 1000.0)
    current_1 = round_half_up(np.divide(current_1, voltages.single_phase_v, out=current_1), 1, inplace=True)
    current_3 = np.multiply(apparent, 1000.0)
    current_3 = round_half_up(
        np.divide(current_3, SQRT3 * voltages.three_phase_v, out=current_3), 1, inplace=True
    )
    design_r = round_half_up(design, 2)
    needs_three = np.asarray(needs_three_phase, dtype=bool)
    recommended = (
        (design_r <= cfg.single_phase_max_kw) & ~needs_three & (current_1 <= cfg.single_phase_max_current_a)
    )
    medium = design_r > cfg.medium_voltage_above_kw
    # A chosen supply is honoured where it is possible at all (the result then warns if the
    # thresholds advise otherwise): not single-phase for three-phase receivers or 6/10 kV loads.
    if voltages.phases == 1:
        single = ~medium & ~needs_three
    elif voltages.phases == 3:
        single = np.zeros_like(recommended)
    else:
        single = recommended
    supply = (np.int8(1) + medium) * ~single  # 0 single-phase, 1 three-phase 0.4 kV, 2 medium voltage
    current = np.where(single, current_1, current_3)
    breaker = breaker_indices(current)
    ratings_or_nan = np.append(tables.breaker_series().ratings, np.nan)  # index −1 → NaN
    return Finished(
        installed_kw=round_half_up(installed_kw, 2),
        design_kw=design_r,
        reactive_kvar=round_half_up(reactive, 2),
        apparent_kva=round_half_up(apparent, 2),
        cos_phi=round_half_up(cos_phi, 3),
        single_phase_current_a=current_1,
        three_phase_current_a=current_3,
        single_phase=single,
        recommended_single_phase=recommended,
        supply=supply,
        phases=np.int8(3) - np.int8(2) * single,
        design_current_a=current,
        breaker=breaker,
        breaker_a=ratings_or_nan.take(breaker),
        category=category_indices(design_r),
    )


def tan_phi(cos_phi: np.ndarray | float) -> np.ndarray:
    """tg φ = √(1 − cos²φ) / cos φ (reactive power per unit of active power)."""
    cos = np.asarray(cos_phi, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # cos φ = 0 is rejected by validation
        if cos.ndim == 0:
            return np.sqrt(max(1.0 - float(cos) ** 2, 0.0)) / cos
        result = cos * cos
        np.subtract(1.0, result, out=result)
        np.maximum(result, 0.0, out=result)
        np.sqrt(result, out=result)
        np.divide(result, cos, out=result)
    return result
