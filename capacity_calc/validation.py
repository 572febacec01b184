"""Parsing and validation of device rows and options, vectorised over whole columns.

One code path checks a list of :class:`~capacity_calc.models.DeviceInput` (the API) and a long
table of many applications (the batch and the command line), so both report the same problems
with the same codes.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

import numpy as np
import pandas as pd

from . import tables
from .electrical import Voltages, tan_phi
from .errors import MAX_PROBLEMS, InputError, Problem, make_problem
from .models import DeviceInput

APPLICATION_COLUMN = "application_id"
REQUIRED_COLUMNS = ("device_type", "quantity")
OVERRIDE_COLUMNS = ("unit_kw", "demand_factor", "cos_phi", "phases")
DEVICE_COLUMNS = ("device_type", "name", "quantity", *OVERRIDE_COLUMNS)
#: Order in which problems of one row are listed.
COLUMN_ORDER = {name: i for i, name in enumerate((APPLICATION_COLUMN, *DEVICE_COLUMNS))}

_MISSING_WORDS = frozenset({"nan", "none", "null", "na", "<na>", "n/a"})
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_SEPARATORS = re.compile(r"[\s\u00a0\u202f']")


@dataclass(frozen=True)
class ParsedColumn:
    """A column parsed as numbers: ``values`` is NaN where the cell is blank or not a number;
    ``bad`` marks the cells that are given but not a finite number (None when there are none)."""

    values: np.ndarray
    bad: np.ndarray | None
    raw: pd.Series

    @functools.cached_property
    def given(self) -> np.ndarray:
        return ~np.isnan(self.values)

    @functools.cached_property
    def positions(self) -> np.ndarray:
        """Positions of the given values."""
        return np.flatnonzero(self.given)

    @functools.cached_property
    def given_values(self) -> np.ndarray:
        return self.values[self.positions]

    @functools.cached_property
    def missing(self) -> np.ndarray:
        missing = np.isnan(self.values)
        return missing if self.bad is None else missing & ~self.bad

    @property
    def lowest(self) -> float:
        """Smallest given value (NaN when none)."""
        return float(self.given_values.min()) if len(self.given_values) else math.nan

    @property
    def highest(self) -> float:
        return float(self.given_values.max()) if len(self.given_values) else math.nan


#: Longest column that :func:`parse_numeric` reads element by element when it holds only numbers
#: and blanks (a request's device list); longer ones are parsed by pandas, column-wise.
_SHORT_COLUMN = 256
#: Integers up to this size are exactly floats (and pandas reads them as int64 first).
_EXACT_INTEGER = 2**53


def _short_numbers(series: pd.Series) -> np.ndarray | None:
    """The values of a short object column holding only None and finite numbers (not booleans), as
    :func:`parse_numeric`'s pandas path reads them, without building pandas intermediates; None for
    anything else (text, NaN, infinities, huge integers, other types), which that path handles."""
    if series.dtype != object or len(series) > _SHORT_COLUMN:
        return None
    values = []
    for item in series.array:
        if item is None:
            values.append(math.nan)
        elif isinstance(item, bool | np.bool_):
            return None
        elif isinstance(item, int | np.integer):
            if abs(int(item)) >= _EXACT_INTEGER:
                return None
            values.append(float(item))
        elif isinstance(item, float | Decimal | np.floating):
            number = float(item)
            if not math.isfinite(number):
                return None
            values.append(number)
        else:
            return None
    return np.array(values, dtype=float)


def parse_numeric(series: pd.Series) -> ParsedColumn:
    """Parse a column of numbers: numeric dtypes as they are; text with decimal comma or point,
    spaces (also no-break) or apostrophes as thousands separators, e.g. ``"1 234,5"``."""
    short = _short_numbers(series)
    if short is not None:
        return ParsedColumn(values=short, bad=None, raw=series)
    return _parse_numeric_columnwise(series)


def _parse_numeric_columnwise(series: pd.Series) -> ParsedColumn:
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        if bad.any():
            return ParsedColumn(values=np.where(bad, np.nan, values), bad=bad, raw=series)
        return ParsedColumn(values=values, bad=None, raw=series)
    missing = series.isna().to_numpy(dtype=bool) | (series == "").to_numpy(dtype=bool, na_value=False)
    # fast path: plain numbers ("1.5", 2, Decimal("0.4")); the rest are cleaned below
    values = np.array(
        pd.to_numeric(series.where(~missing, None), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    )
    rest = np.flatnonzero(~missing & ~np.isfinite(values))
    if len(rest):
        # second path: decimal comma ("1,5", as Excel writes numbers in a Russian locale)
        swapped = series.iloc[rest].astype(str).str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(swapped, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        parsed = np.isfinite(numbers)
        values[rest[parsed]] = numbers[parsed]
        rest = rest[~parsed]
    if not len(rest):
        return ParsedColumn(values=values, bad=None, raw=series)
    # last path, for what is left: spaces and apostrophes as thousands separators, blanks, errors
    text = series.iloc[rest].astype(str).str.strip()
    blank = ((text == "") | text.str.lower().isin(_MISSING_WORDS)).to_numpy(dtype=bool)
    cleaned = text.str.replace(_SEPARATORS, "", regex=True).str.replace(",", ".", regex=False)
    well_formed = cleaned.str.fullmatch(_NUMBER).fillna(False).to_numpy(dtype=bool)
    numbers = pd.to_numeric(cleaned.where(well_formed, None), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    wrong = ~blank & (~well_formed | ~np.isfinite(numbers))
    values[rest] = np.where(wrong | blank, np.nan, numbers)
    bad = np.zeros(len(series), dtype=bool)
    bad[rest] = wrong
    return ParsedColumn(values=values, bad=bad if wrong.any() else None, raw=series)


def parse_scalar(value: object) -> tuple[float, str]:
    """Parse one number; returns (value, state) with state ``ok``, ``missing`` or ``bad``."""
    if value is None or value is pd.NA:
        return math.nan, "missing"
    if isinstance(value, bool):
        return math.nan, "bad"
    if isinstance(value, int | float | Decimal | np.number):
        number = float(value)
        if math.isnan(number):
            return math.nan, "missing"
        return (number, "ok") if math.isfinite(number) else (math.nan, "bad")
    text = str(value).strip()
    if not text or text.lower() in _MISSING_WORDS:
        return math.nan, "missing"
    cleaned = _SEPARATORS.sub("", text).replace(",", ".")
    if not _NUMBER.match(cleaned):
        return math.nan, "bad"
    number = float(cleaned)
    return (number, "ok") if math.isfinite(number) else (math.nan, "bad")


def raw_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalize_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename accepted headings (English, Russian, see ``data/column_aliases.csv``) to the
    canonical column names; unknown columns are kept as they are; of two columns meaning the same
    the first wins."""
    aliases = tables.column_aliases()
    mapping: dict[object, str] = {}
    taken: set[str] = set()
    keep: list[object] = []
    for column in frame.columns:
        canonical = aliases.get(tables.normalize_key(str(column).replace("\ufeff", "")))
        if canonical is None:
            keep.append(column)
        elif canonical not in taken:
            taken.add(canonical)
            mapping[column] = canonical
            keep.append(column)
    if len(keep) != len(frame.columns):
        frame = frame.loc[:, [c in set(keep) for c in frame.columns]]
    return frame.rename(columns=mapping)


def row_numbers(frame: pd.DataFrame) -> Sequence[int]:
    """Row numbers for messages: the index of a frame from :func:`read_table` (named ``row``: the
    spreadsheet row, header = 1), otherwise position + 2 as if the frame had been read from a
    file with a header row."""
    if frame.index.name == "row" and pd.api.types.is_integer_dtype(frame.index.dtype):
        return frame.index.to_numpy(dtype=np.int64)
    return range(2, len(frame) + 2)


def devices_frame(rows: Sequence[DeviceInput | Mapping[str, object]]) -> pd.DataFrame:
    """A list of DeviceInput (or mappings with the same keys) as an object-dtype DataFrame."""
    wrong = [
        make_problem("invalid_json", row=number, value=type(row).__name__)
        for number, row in enumerate(rows, start=1)
        if not isinstance(row, DeviceInput | Mapping)
    ]
    if wrong:
        raise InputError(wrong)
    items = [row if isinstance(row, DeviceInput) else DeviceInput.from_dict(row) for row in rows]
    names = [f.name for f in fields(DeviceInput)]
    # Row by row into one object block: a quarter of the cost of a Series per column for a request's
    # few rows; object dtype throughout, so that pandas infers nothing (as with object Series).
    return pd.DataFrame(
        [[getattr(item, name) for name in names] for item in items], columns=names, dtype=object
    )


@dataclass(frozen=True)
class PreparedDevices:
    """Validated device rows (aligned by position): catalogue positions, quantities and the values
    the input gave; the resolved columns (input value, else catalogue default) are built on first
    use, so that a caller that needs only some of them does not pay for the others."""

    rows: Sequence[int]  # row numbers for messages and the trace (an array or a range)
    device: np.ndarray  # index into tables.catalogue().types (all valid)
    quantity: np.ndarray  # int64 or float64 (whole numbers)
    overrides: Mapping[str, tuple[np.ndarray, np.ndarray]]  # column -> (positions, given values)
    application_id: pd.Series | None
    name: pd.Series | None

    def __len__(self) -> int:
        return len(self.rows)

    def _resolve(self, column: str, defaults: np.ndarray, convert=None) -> np.ndarray:
        result = defaults.take(self.device)
        if column in self.overrides:
            positions, values = self.overrides[column]
            if len(positions):
                result[positions] = values if convert is None else convert(values)
        return result

    @functools.cached_property
    def unit_kw(self) -> np.ndarray:
        return self._resolve("unit_kw", tables.catalogue().unit_kw)

    @functools.cached_property
    def demand_factor(self) -> np.ndarray:
        return self._resolve("demand_factor", tables.catalogue().demand_factor)

    @functools.cached_property
    def cos_phi(self) -> np.ndarray:
        return self._resolve("cos_phi", tables.catalogue().cos_phi)

    @functools.cached_property
    def tan_phi(self) -> np.ndarray:
        """tg φ of the resolved cos φ."""
        return self._resolve("cos_phi", tables.catalogue().tan_phi, tan_phi)

    @functools.cached_property
    def phases(self) -> np.ndarray:
        return self._resolve("phases", tables.catalogue().phases)

    @functools.cached_property
    def three_phase(self) -> np.ndarray:
        """True where the device needs three phases."""
        return self._resolve("phases", tables.catalogue().phases == 3, lambda values: values == 3)

    def given(self, column: str, position: int) -> bool:
        """Whether the input gave ``column`` at ``position`` (else the catalogue value is used)."""
        if column not in self.overrides:
            return False
        positions = self.overrides[column][0]
        index = int(np.searchsorted(positions, position))
        return index < len(positions) and positions[index] == position


class _Problems:
    """Collects problems from boolean masks without looping over good rows."""

    def __init__(self, rows: Sequence[int], prefix: str):
        self.rows = rows
        self.prefix = prefix
        self.items: list[tuple[int, int, Problem]] = []
        self.total = 0

    def add(self, mask: np.ndarray, column: str, code: str, raw: pd.Series | None = None, **params: object):
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        self.total += len(positions)
        for position in positions[: MAX_PROBLEMS + 1]:
            value = raw_text(raw.iloc[position]) if raw is not None else ""
            problem = make_problem(
                code, row=int(self.rows[position]), column=self.prefix + column, value=value, **params
            )
            self.items.append((int(self.rows[position]), COLUMN_ORDER.get(column, 99), problem))

    def raise_if_any(self) -> None:
        if self.total:
            self.items.sort(key=lambda item: (item[0], item[1]))
            problems = [item[2] for item in self.items[:MAX_PROBLEMS]]
            raise InputError(problems, hidden=self.total - len(problems))


def missing_columns(frame: pd.DataFrame, required: Iterable[str], prefix: str = "") -> list[Problem]:
    return [
        make_problem("missing_column", row=1, column=prefix + column)
        for column in required
        if column not in frame.columns
    ]


def prepare_devices(
    frame: pd.DataFrame, rows: Sequence[int] | None = None, *, column_prefix: str = ""
) -> PreparedDevices:
    """Check device rows (canonical column names) and fill catalogue defaults.

    Raises :class:`InputError` listing every problem: missing columns, no rows, blank required
    values, unparseable numbers, non-integer or non-positive quantity, unknown device type,
    non-positive power, Kс or cos φ outside (0, 1], phases other than 1 or 3, blank application id.
    """
    missing = missing_columns(frame, REQUIRED_COLUMNS, column_prefix)
    if missing:
        raise InputError(missing)
    if len(frame) == 0:
        raise InputError([make_problem("no_rows", column=column_prefix.rstrip(".") or None)])
    frame = frame.reset_index(drop=True)
    rows = range(1, len(frame) + 1) if rows is None else rows
    catalogue = tables.catalogue()
    problems = _Problems(rows, column_prefix)

    # device type: exact catalogue codes by one hash look-up; the rest (names, other spelling,
    # blanks, unknown) factorised, so that only their distinct values are looked up one by one
    raw_type = frame["device_type"]
    values = raw_type.to_numpy(dtype=object)
    device = np.asarray(_code_index().get_indexer(pd.Index(values, dtype=object, copy=False)), dtype=np.intp)
    rest = np.flatnonzero(device < 0) if len(device) and device.min() < 0 else ()
    if len(rest):
        codes, uniques = pd.factorize(values[rest], use_na_sentinel=True)
        found = np.array([_device_position(catalogue, value) for value in uniques] or [-2], dtype=np.intp)
        device[rest] = np.where(codes >= 0, found[np.maximum(codes, 0)], -2)
        problems.add(device == -2, "device_type", "required")
        problems.add(device == -1, "device_type", "unknown_device_type", raw_type)
        known = device >= 0
        index = np.maximum(device, 0)
    else:
        known = None  # all known
        index = device

    # Each check below first looks at the column's extremes (one pass) and builds the row mask
    # only when some value may be wrong, so that valid input costs a few passes per column.
    raw_quantity = frame["quantity"]
    if raw_quantity.dtype.kind in "iu":  # a plain integer column: whole numbers, no blanks
        q = raw_quantity.to_numpy()
        if len(q) and q.min() <= 0:
            problems.add(q <= 0, "quantity", "not_positive", raw_quantity)
    else:
        quantity = parse_numeric(raw_quantity)
        q = quantity.values
        if quantity.bad is not None:
            problems.add(quantity.bad, "quantity", "not_a_number", raw_quantity)
        with np.errstate(invalid="ignore"):
            low = float(q.min())
            if np.isnan(low):  # some quantities blank or bad
                problems.add(quantity.missing, "quantity", "required")
                low = quantity.lowest
            whole = np.floor(q)
            if np.isnan(low) or np.any((q != whole) & ~np.isnan(q)):
                problems.add(np.isfinite(q) & (q != whole), "quantity", "not_integer", raw_quantity)
            if low <= 0:
                problems.add((q == whole) & (q <= 0), "quantity", "not_positive", raw_quantity)

    overrides: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for column in OVERRIDE_COLUMNS:
        parsed = parse_numeric(frame[column]) if column in frame.columns else None
        if parsed is not None:
            if parsed.bad is not None:
                problems.add(parsed.bad, column, "not_a_number", parsed.raw)
            overrides[column] = (parsed.positions, parsed.given_values)
        with np.errstate(invalid="ignore"):
            if column == "unit_kw" and np.isnan(catalogue.unit_kw).any():
                # a device type without a default power ("other") needs the value
                lacking = np.isnan(catalogue.unit_kw.take(index))
                if parsed is not None:
                    lacking[parsed.positions] = False
                    if parsed.bad is not None:
                        lacking &= ~parsed.bad
                if known is not None:
                    lacking &= known
                problems.add(lacking, column, "required")
            if parsed is None or not len(parsed.positions):
                continue
            low, high = parsed.lowest, parsed.highest
            v = parsed.values
            if column == "unit_kw" and low <= 0:
                problems.add(v <= 0, column, "not_positive", parsed.raw)
            elif column == "phases" and not np.all((parsed.given_values == 1) | (parsed.given_values == 3)):
                problems.add(parsed.given & (v != 1) & (v != 3), column, "phases_invalid", parsed.raw)
            elif column in ("demand_factor", "cos_phi") and (low <= 0 or high > 1):
                problems.add((v <= 0) | (v > 1), column, f"{column}_out_of_range", parsed.raw)

    application_id = None
    if APPLICATION_COLUMN in frame.columns:
        application_id = frame[APPLICATION_COLUMN]
        if not pd.api.types.is_numeric_dtype(application_id.dtype):
            stripped = application_id.astype(str).str.strip()
            blank = application_id.isna().to_numpy(dtype=bool) | (stripped == "").to_numpy(dtype=bool)
            application_id = stripped.where(~blank, None)
            problems.add(blank, APPLICATION_COLUMN, "required")
        elif application_id.hasnans:
            problems.add(application_id.isna().to_numpy(), APPLICATION_COLUMN, "required")

    problems.raise_if_any()
    return PreparedDevices(
        rows=rows,
        device=index,
        quantity=q,
        overrides=overrides,
        application_id=application_id,
        name=frame["name"] if "name" in frame.columns else None,
    )


@functools.cache
def _code_index() -> pd.Index:
    return pd.Index([device.code for device in tables.catalogue().types], dtype=object)


def _device_position(catalogue: tables.Catalogue, value: object) -> int:
    """Catalogue position of a device type; -2 when blank, -1 when unknown."""
    if not raw_text(value):
        return -2
    position = catalogue.find(value)
    return -1 if position is None else position


def resolve_options(
    simultaneity: object = None,
    single_phase_voltage_v: object = None,
    three_phase_voltage_v: object = None,
    phases: object = None,
) -> tuple[float, Voltages, list[Problem]]:
    """Options with defaults from ``data/settings.csv``; problems for invalid values."""
    cfg = tables.settings()
    problems: list[Problem] = []

    def number(value: object, default: float, column: str, out_of_range: str, upper: float) -> float:
        if value is None:
            return default
        parsed, state = parse_scalar(value)
        if state == "missing":
            return default
        if state == "bad":
            problems.append(make_problem("not_a_number", column=column, value=value))
        elif not 0 < parsed <= upper:
            problems.append(make_problem(out_of_range, column=column, value=value, min=0, max=upper))
        return parsed

    ko = number(simultaneity, cfg.default_simultaneity, "simultaneity", "simultaneity_out_of_range", 1.0)
    u1 = number(
        single_phase_voltage_v, cfg.single_phase_voltage_v, "single_phase_voltage_v", "not_positive", math.inf
    )
    u3 = number(
        three_phase_voltage_v, cfg.three_phase_voltage_v, "three_phase_voltage_v", "not_positive", math.inf
    )
    chosen = None
    if phases is not None and str(phases).strip() != "":
        parsed, state = parse_scalar(phases)
        if state == "ok" and parsed in (1, 3):
            chosen = int(parsed)
        else:
            problems.append(make_problem("phases_invalid", column="phases", value=phases))
    return ko, Voltages(single_phase_v=u1, three_phase_v=u3, phases=chosen), problems
