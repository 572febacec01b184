"""Reference tables, device catalogue and settings, loaded once from ``capacity_calc/data/*.csv``.

Every value the calculator uses comes from one of these files, each row carrying its ``source``
(the norm's clause or table, or "engineering default") and its ``grade`` (norm, copy, single,
verify, default, firm — see load-calculation.md), so a better source can replace a value without a
code change.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np

DATA_PACKAGE = "capacity_calc.data"


def read_data_file(name: str) -> list[dict[str, str]]:
    """Rows of the data file ``name`` (a CSV in ``capacity_calc/data``) as dicts of stripped strings."""
    text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return [
        {key.strip(): (value or "").strip() for key, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


def normalize_key(text: object) -> str:
    """Lower-case, trimmed, single-spaced text with ``ё`` folded to ``е`` (for look-ups)."""
    return " ".join(str(text).replace("ё", "е").replace("Ё", "Е").lower().split())


@dataclass(frozen=True)
class TableColumn:
    """One column of a norm table: a single argument value (``lo == hi``), a range such as "1–5",
    an open start such as "≤ 14" (``lo`` is None) or an open end such as "≥ 25" (``hi`` is None)."""

    lo: float | None
    hi: float | None
    value: float
    grade: str
    source: str

    @property
    def label(self) -> str:
        if self.lo is None:
            return f"≤{_num(self.hi)}"
        if self.hi is None:
            return f"≥{_num(self.lo)}"
        if self.lo == self.hi:
            return _num(self.lo)
        return f"{_num(self.lo)}–{_num(self.hi)}"


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Lookup:
    """How a table value was obtained, for the calculation trace."""

    x: float
    value: float
    kind: str  # "column" | "interpolated" | "below_table" | "beyond_table"
    column: TableColumn | None = None  # the column hit ("column", "below_table", "beyond_table")
    left: TableColumn | None = None  # neighbours of an interpolation
    right: TableColumn | None = None
    x1: float = math.nan
    x2: float = math.nan


@dataclass(frozen=True)
class StepTable:
    """A norm table with linear interpolation between its columns.

    A range column ("1–5") holds its value over the whole range; between two columns the value is
    interpolated linearly (from the end of the left column to the start of the right one); outside
    the table the nearest column's value applies (``Lookup.kind`` tells the caller so).
    """

    name: str
    columns: tuple[TableColumn, ...]
    x: np.ndarray
    y: np.ndarray

    @classmethod
    def build(cls, name: str, columns: list[TableColumn]) -> StepTable:
        xs: list[float] = []
        ys: list[float] = []
        for col in columns:
            for point in (col.lo, col.hi):
                if point is not None and (not xs or point != xs[-1]):
                    xs.append(point)
                    ys.append(col.value)
        x = np.asarray(xs, dtype=float)
        if len(x) == 0 or np.any(np.diff(x) <= 0):
            raise ValueError(f"table {name}: columns must be in ascending order without overlaps")
        return cls(name=name, columns=tuple(columns), x=x, y=np.asarray(ys, dtype=float))

    def values(self, x: np.ndarray | float) -> np.ndarray:
        """Vectorised value at ``x`` (clamped outside the table)."""
        return np.interp(np.asarray(x, dtype=float), self.x, self.y)

    def value(self, x: float) -> float:
        return float(np.interp(float(x), self.x, self.y))

    def lookup(self, x: float) -> Lookup:
        """The value at ``x`` with the columns it came from."""
        x = float(x)
        value = self.value(x)
        first, last = self.columns[0], self.columns[-1]
        for col in self.columns:
            lo = -math.inf if col.lo is None else col.lo
            hi = math.inf if col.hi is None else col.hi
            if lo <= x <= hi:
                return Lookup(x=x, value=value, kind="column", column=col)
        first_x = first.lo if first.lo is not None else first.hi
        last_x = last.hi if last.hi is not None else last.lo
        if first_x is not None and x < first_x:
            return Lookup(x=x, value=value, kind="below_table", column=first)
        if last_x is not None and x > last_x:
            return Lookup(x=x, value=value, kind="beyond_table", column=last)
        for left, right in zip(self.columns, self.columns[1:], strict=False):
            x1 = left.hi if left.hi is not None else left.lo
            x2 = right.lo if right.lo is not None else right.hi
            if x1 is not None and x2 is not None and x1 < x < x2:
                return Lookup(x=x, value=value, kind="interpolated", left=left, right=right, x1=x1, x2=x2)
        raise AssertionError(f"{self.name}: no column for {x}")  # pragma: no cover

    @property
    def source(self) -> str:
        return self.columns[0].source


def _columns(rows: list[dict[str, str]], lo: str, hi: str, value: str) -> list[TableColumn]:
    return [
        TableColumn(
            lo=float(row[lo]) if row[lo] else None,
            hi=float(row[hi]) if row[hi] else None,
            value=float(row[value]),
            grade=row["grade"],
            source=row["source"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class StoveType:
    code: str
    name_ru: str
    name_en: str
    table: StepTable


@functools.cache
def apartment_tables() -> Mapping[str, StoveType]:
    """Table 7.1: specific design load of apartments, kW per apartment, by stove type."""
    rows = read_data_file("apartments_table_7_1.csv")
    result: dict[str, StoveType] = {}
    for code in dict.fromkeys(row["stove_type"] for row in rows):
        own = [row for row in rows if row["stove_type"] == code]
        result[code] = StoveType(
            code=code,
            name_ru=own[0]["name_ru"],
            name_en=own[0]["name_en"],
            table=StepTable.build(f"7.1/{code}", _columns(own, "n_from", "n_to", "kw_per_apartment")),
        )
    return result


@functools.cache
def comfort_demand_table() -> StepTable:
    """Table 7.2: demand factor Kс of apartments of increased comfort by declared power Pу."""
    rows = read_data_file("comfort_kc_table_7_2.csv")
    return StepTable.build("7.2", _columns(rows, "pu_from_kw", "pu_to_kw", "demand_factor"))


@functools.cache
def comfort_simultaneity_table() -> StepTable:
    """Table 7.3: simultaneity factor Kо of apartments of increased comfort by their number."""
    rows = read_data_file("comfort_ko_table_7_3.csv")
    return StepTable.build("7.3", _columns(rows, "n_from", "n_to", "simultaneity_factor"))


@dataclass(frozen=True)
class LiftGroup:
    code: str
    name_ru: str
    name_en: str
    storeys_from: int
    storeys_to: int | None
    table: StepTable


@functools.cache
def lift_tables() -> tuple[LiftGroup, ...]:
    """Table 7.4: demand factor Kс.л of lift installations by count, per storeys group."""
    rows = read_data_file("lifts_table_7_4.csv")
    groups = []
    for code in dict.fromkeys(row["storeys_group"] for row in rows):
        own = [row for row in rows if row["storeys_group"] == code]
        groups.append(
            LiftGroup(
                code=code,
                name_ru=own[0]["name_ru"],
                name_en=own[0]["name_en"],
                storeys_from=int(own[0]["storeys_from"]),
                storeys_to=int(own[0]["storeys_to"]) if own[0]["storeys_to"] else None,
                table=StepTable.build(
                    f"7.4/{code}", _columns(own, "lifts_from", "lifts_to", "demand_factor")
                ),
            )
        )
    return tuple(groups)


def lift_group(storeys: int) -> LiftGroup:
    for group in lift_tables():
        if storeys >= group.storeys_from and (group.storeys_to is None or storeys <= group.storeys_to):
            return group
    raise ValueError(f"no lift table for {storeys} storeys")


@dataclass(frozen=True)
class DeviceType:
    """One row of the device catalogue (``data/devices.csv``)."""

    code: str
    name_ru: str
    name_en: str
    unit_kw: float | None
    demand_factor: float
    cos_phi: float
    phases: int
    grade: str
    source: str


@dataclass(frozen=True)
class Catalogue:
    types: tuple[DeviceType, ...]
    unit_kw: np.ndarray  # NaN where the catalogue has no default (the user must give it)
    demand_factor: np.ndarray
    cos_phi: np.ndarray
    phases: np.ndarray
    tan_phi: np.ndarray  # tg φ of the default cos φ
    index: Mapping[str, int]  # normalised code / Russian name / English name -> position

    def find(self, text: object) -> int | None:
        """Position of a device type given by code or by its Russian or English name."""
        return self.index.get(normalize_key(text))

    def __getitem__(self, code: str) -> DeviceType:
        position = self.find(code)
        if position is None:
            raise KeyError(code)
        return self.types[position]


@functools.cache
def catalogue() -> Catalogue:
    """The device catalogue with default unit power, Kс, cos φ and phases of each device type."""
    types = tuple(
        DeviceType(
            code=row["code"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            unit_kw=float(row["unit_kw"]) if row["unit_kw"] else None,
            demand_factor=float(row["demand_factor"]),
            cos_phi=float(row["cos_phi"]),
            phases=int(row["phases"]),
            grade=row["grade"],
            source=row["source"],
        )
        for row in read_data_file("devices.csv")
    )
    index: dict[str, int] = {}
    for position, device in enumerate(types):
        for key in (device.code, device.code.replace("_", " "), device.name_ru, device.name_en):
            index.setdefault(normalize_key(key), position)
    return Catalogue(
        types=types,
        unit_kw=np.array([math.nan if d.unit_kw is None else d.unit_kw for d in types]),
        demand_factor=np.array([d.demand_factor for d in types]),
        cos_phi=np.array([d.cos_phi for d in types]),
        phases=np.array([float(d.phases) for d in types]),
        tan_phi=np.array([math.sqrt(1.0 - d.cos_phi**2) / d.cos_phi for d in types]),
        index=index,
    )


# Settings, series


@dataclass(frozen=True)
class Settings:
    """Engineering settings from ``data/settings.csv`` (see its ``source`` column)."""

    single_phase_voltage_v: float
    three_phase_voltage_v: float
    single_phase_max_kw: float
    single_phase_max_current_a: float
    medium_voltage_above_kw: float
    default_simultaneity: float
    apartment_cos_phi: float
    lift_cos_phi: float
    power_receivers_factor: float
    max_apartments: int
    sources: Mapping[str, str]


@functools.cache
def settings() -> Settings:
    rows = {row["key"]: row for row in read_data_file("settings.csv")}
    values = {key: float(row["value"]) for key, row in rows.items()}
    return Settings(
        single_phase_voltage_v=values["single_phase_voltage_v"],
        three_phase_voltage_v=values["three_phase_voltage_v"],
        single_phase_max_kw=values["single_phase_max_kw"],
        single_phase_max_current_a=values["single_phase_max_current_a"],
        medium_voltage_above_kw=values["medium_voltage_above_kw"],
        default_simultaneity=values["default_simultaneity"],
        apartment_cos_phi=values["apartment_cos_phi"],
        lift_cos_phi=values["lift_cos_phi"],
        power_receivers_factor=values["power_receivers_factor"],
        max_apartments=int(values["max_apartments"]),
        sources={key: row["source"] for key, row in rows.items()},
    )


@dataclass(frozen=True)
class Category:
    code: str
    name_ru: str
    name_en: str
    max_kw: float  # inf for the open-ended last category
    source: str


@functools.cache
def categories() -> tuple[Category, ...]:
    """Connection categories by maximum power, ascending (``data/categories.csv``)."""
    rows = read_data_file("categories.csv")
    result = tuple(
        Category(
            code=row["code"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            max_kw=float(row["max_kw"]) if row["max_kw"] else math.inf,
            source=row["source"],
        )
        for row in rows
    )
    limits = [c.max_kw for c in result]
    if limits != sorted(limits) or not math.isinf(limits[-1]):
        raise ValueError("categories.csv: max_kw must ascend and the last category must be open")
    return result


@functools.cache
def category_limits() -> np.ndarray:
    return np.array([c.max_kw for c in categories()])


@dataclass(frozen=True)
class BreakerSeries:
    ratings: np.ndarray
    sources: Mapping[int, str]


@functools.cache
def breaker_series() -> BreakerSeries:
    """Standard breaker ratings, A, ascending (``data/breaker_ratings.csv``)."""
    rows = read_data_file("breaker_ratings.csv")
    ratings = np.array([float(row["rating_a"]) for row in rows])
    if np.any(np.diff(ratings) <= 0):
        raise ValueError("breaker_ratings.csv: ratings must ascend")
    return BreakerSeries(ratings=ratings, sources={int(row["rating_a"]): row["source"] for row in rows})


@functools.cache
def column_aliases() -> Mapping[str, str]:
    """Accepted column headings (normalised) -> canonical column name."""
    return {normalize_key(row["alias"]): row["column"] for row in read_data_file("column_aliases.csv")}
