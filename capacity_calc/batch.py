"""Vectorised device-list method for many applications at once (one long table of device rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import tables
from .devices import device_loads
from .electrical import SUPPLIES, finish
from .errors import InputError
from .validation import normalize_columns, prepare_devices, resolve_options, row_numbers

#: Columns of the frame returned by :func:`calculate_batch`.
BATCH_COLUMNS = (
    "application_id",
    "rows",
    "devices",
    "installed_kw",
    "design_kw",
    "reactive_kvar",
    "apparent_kva",
    "cos_phi",
    "phases",
    "voltage_kv",
    "design_current_a",
    "breaker_a",
    "category",
)


def calculate_batch(
    df: pd.DataFrame,
    *,
    simultaneity: object = None,
    single_phase_voltage_v: object = None,
    three_phase_voltage_v: object = None,
) -> pd.DataFrame:
    """Device-list method for every application in a long table, without per-row Python loops.

    Input columns (headings as in ``data/column_aliases.csv``, English or Russian): ``device_type``
    and ``quantity`` (required), ``application_id`` (optional: without it all rows are one
    application ``1``), ``unit_kw``, ``demand_factor``, ``cos_phi``, ``phases`` (optional; blank
    cells take the catalogue value). Numbers may be numeric columns or text (decimal comma allowed).

    Returns one row per application in order of first appearance with the columns
    :data:`BATCH_COLUMNS`: figures as floats already rounded like :class:`LoadResult` (kW and kvar
    to 0.01, A to 0.1, cos φ to 0.001), ``phases`` int, ``voltage_kv`` and ``category`` categorical
    codes, ``breaker_a`` nullable Int64 (NA above the series). Same numbers as
    :func:`calculate_devices` per application.

    Raises :class:`~capacity_calc.errors.InputError` with problems naming the row (the index of a
    frame from :func:`read_table`, otherwise position + 2, header = row 1) and the column.
    """
    ko, voltages, problems = resolve_options(simultaneity, single_phase_voltage_v, three_phase_voltage_v)
    if problems:
        raise InputError(problems)
    frame = normalize_columns(df)
    prepared = prepare_devices(frame, row_numbers(df))
    loads = device_loads(prepared, consume=True)
    ids, sums = group_sums(
        prepared.application_id,
        {
            "devices": prepared.quantity,
            "installed": loads.installed,
            "design": loads.design,
            "reactive": loads.reactive,
            "three_phase": loads.three_phase,
        },
    )
    fin = finish(
        sums["installed"],
        ko * sums["design"],
        ko * sums["reactive"],
        sums["three_phase"] > 0,
        voltages,
    )
    categories = [category.code for category in tables.categories()]
    return pd.DataFrame(
        {
            "application_id": ids,
            "rows": sums["rows"].astype(np.int64),
            "devices": sums["devices"].astype(np.int64),
            "installed_kw": fin.installed_kw,
            "design_kw": fin.design_kw,
            "reactive_kvar": fin.reactive_kvar,
            "apparent_kva": fin.apparent_kva,
            "cos_phi": fin.cos_phi,
            "phases": fin.phases.astype(np.int64),
            "voltage_kv": pd.Categorical.from_codes(fin.supply, categories=[s[0] for s in SUPPLIES]),
            "design_current_a": fin.design_current_a,
            "breaker_a": pd.arrays.IntegerArray(
                np.nan_to_num(fin.breaker_a).astype(np.int64), np.isnan(fin.breaker_a)
            ),
            "category": pd.Categorical.from_codes(fin.category, categories=categories),
        },
        columns=list(BATCH_COLUMNS),
    )


def group_sums(
    keys: pd.Series | None, columns: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-application sums of ``columns`` (boolean columns: any) and row counts (``rows``),
    applications in order of first appearance (no keys: one application ``"1"``).

    ``DataFrame.groupby(keys, sort=False)`` in general. When every application's rows are
    contiguous (the usual layout of a file), the same sums come from one ``reduceat`` per column
    over the block starts, which avoids hashing the keys.
    """
    n = len(next(iter(columns.values())))
    if keys is None:
        starts = np.zeros(1, dtype=np.int64)
        block_keys = np.array(["1"], dtype=object)
    else:
        values = keys.to_numpy()
        starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
        block_keys = values[starts]
    ascending = block_keys.dtype.kind in "iuf" and bool(np.all(block_keys[1:] > block_keys[:-1]))
    if keys is None or ascending or pd.Index(block_keys).is_unique:
        sums = {
            name: (np.logical_or if column.dtype == bool else np.add).reduceat(column, starts)
            for name, column in columns.items()
        }
        sums["rows"] = np.diff(np.append(starts, n))
        return block_keys, sums
    grouped = pd.DataFrame(columns).groupby(keys, sort=False)
    result = grouped.sum()
    sums = {name: result[name].to_numpy() for name in columns}
    sums["rows"] = grouped.size().to_numpy()
    return result.index.to_numpy(), sums
