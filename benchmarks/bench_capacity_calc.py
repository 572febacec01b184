"""Benchmark of the load calculator's batch path (``capacity_calc.calculate_batch``).

Runs, on generated data (default 1,000,000 device rows over 100,000 applications; ``--quick``:
100,000 rows over 10,000 applications):

1. the vectorised batch path, best and median of ``--repeat`` runs;
2. a plain row-by-row Python implementation of the same method (kept only here), once;
3. a check that both give the same rounded figures for every application;
4. peak memory: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of a child process that has only
   generated the data and run the batch (read before the row-by-row run), and the tracemalloc
   peak of one ``calculate_batch`` call (allocations by Python and numpy during the call);
5. optionally (``--csv``) reading the same rows from a semicolon CSV with decimal commas and
   computing them (``read_table`` + ``calculate_batch``).

Usage: ``python benchmarks/bench_capacity_calc.py [--quick] [--rows N] [--apps N] [--csv]``.
Exits 0 when both implementations agree (whether or not the speed targets are met; the figures
are printed), 1 when they disagree.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SPEEDUP = 20.0
TARGET_SECONDS = 2.0
TARGET_PEAK_MB = 1024.0


def make_frame(rows: int, apps: int, seed: int = 20240601):
    """Long table of device rows: catalogue types, ~30 % unit-power overrides, some Kс/cos φ/phases."""
    import numpy as np
    import pandas as pd

    from capacity_calc import catalogue

    rng = np.random.default_rng(seed)
    codes = np.array([d.code for d in catalogue().types], dtype=object)
    no_default = np.array([d.unit_kw is None for d in catalogue().types])
    device = rng.integers(0, len(codes), rows)
    unit_kw = np.round(rng.uniform(0.05, 12.0, rows), 2)
    unit_kw[(rng.random(rows) < 0.7) & ~no_default[device]] = np.nan
    demand = np.where(rng.random(rows) < 0.1, np.round(rng.uniform(0.1, 1.0, rows), 2), np.nan)
    cos_phi = np.where(rng.random(rows) < 0.1, np.round(rng.uniform(0.5, 1.0, rows), 2), np.nan)
    phases = np.where(rng.random(rows) < 0.05, rng.choice([1.0, 3.0], rows), np.nan)
    return pd.DataFrame(
        {
            # every application has at least one row; the rest spread at random; file order
            "application_id": np.sort(np.concatenate([np.arange(apps), rng.integers(0, apps, rows - apps)]))
            + 1,
            "device_type": pd.Series(codes[device], dtype="str"),
            "quantity": rng.integers(1, 6, rows).astype(np.int64),
            "unit_kw": unit_kw,
            "demand_factor": demand,
            "cos_phi": cos_phi,
            "phases": phases,
        }
    )


# Row-by-row reference


def _half_up(value: float, digits: int) -> float:
    # same rule as capacity_calc.electrical.round_half_up: scaled value first rounded to 6 decimals
    scaled = value * 10.0**digits
    return math.floor(round(scaled * 1e6) / 1e6 + 0.5) / 10.0**digits


def reference_row_by_row(frame, simultaneity: float = 1.0) -> list[tuple]:
    """The device-list method one row at a time in plain Python (validation, catalogue defaults,
    per-application sums, supply, current, breaker, category)."""
    from capacity_calc import tables

    cat = {d.code: d for d in tables.catalogue().types}
    cfg = tables.settings()
    ratings = [float(r) for r in tables.breaker_series().ratings]
    limits = [(c.code, c.max_kw) for c in tables.categories()]
    u1, u3 = cfg.single_phase_voltage_v, cfg.three_phase_voltage_v

    sums: dict[object, list] = {}
    columns = ("application_id", "device_type", "quantity", "unit_kw", "demand_factor", "cos_phi", "phases")
    for app, code, qty, unit, kc, cos, ph in zip(*(frame[c].tolist() for c in columns), strict=True):
        device = cat.get(code)
        if device is None:
            raise ValueError(f"unknown device type {code!r}")
        # a blank cell is NaN: NaN > 0 is False, so "not x > 0" catches blank and non-positive
        if not qty > 0 or qty != int(qty):
            raise ValueError(f"bad quantity {qty!r}")
        if not unit > 0:
            if unit <= 0:
                raise ValueError(f"bad unit power {unit!r}")
            unit = device.unit_kw
            if unit is None:
                raise ValueError(f"unit power required for {code!r}")
        if not kc > 0:
            if kc <= 0:
                raise ValueError(f"bad demand factor {kc!r}")
            kc = device.demand_factor
        if not cos > 0:
            if cos <= 0:
                raise ValueError(f"bad cos phi {cos!r}")
            cos = device.cos_phi
        if not ph > 0:
            ph = device.phases
        if kc > 1 or cos > 1 or ph not in (1, 3):
            raise ValueError("factor out of range")
        installed = qty * unit
        design = kc * installed
        reactive = design * (math.sqrt(max(1.0 - cos * cos, 0.0)) / cos)
        acc = sums.get(app)
        if acc is None:
            acc = sums[app] = [0, 0, 0.0, 0.0, 0.0, False]
        acc[0] += 1
        acc[1] += qty
        acc[2] += installed
        acc[3] += design
        acc[4] += reactive
        acc[5] = acc[5] or ph == 3

    results = []
    sqrt3 = math.sqrt(3.0)
    for app, (rows, devices, installed, design, reactive, three) in sums.items():
        design *= simultaneity
        reactive *= simultaneity
        apparent = math.hypot(design, reactive)
        cos = design / apparent if apparent > 0 else 1.0
        p = _half_up(design, 2)
        i1 = _half_up(apparent * 1000.0 / u1, 1)
        i3 = _half_up(apparent * 1000.0 / (sqrt3 * u3), 1)
        single = p <= cfg.single_phase_max_kw and not three and i1 <= cfg.single_phase_max_current_a
        voltage = "0.23" if single else ("6/10" if p > cfg.medium_voltage_above_kw else "0.4")
        current = i1 if single else i3
        breaker = next((r for r in ratings if r >= current), None)
        category = next(code for code, limit in limits if p <= limit)
        results.append(
            (
                app,
                rows,
                int(devices),
                _half_up(installed, 2),
                p,
                _half_up(reactive, 2),
                _half_up(apparent, 2),
                _half_up(cos, 3),
                1 if single else 3,
                voltage,
                current,
                breaker,
                category,
            )
        )
    return results


def child(rows: int, apps: int, repeat: int, with_csv: bool) -> dict:
    import numpy as np
    import pandas as pd

    from capacity_calc import BATCH_COLUMNS, calculate_batch, read_table

    frame = make_frame(rows, apps)
    gc.collect()
    rss_data_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    calculate_batch(frame.head(1000))  # warm caches (data files, imports)

    times = []
    result = None
    for _ in range(repeat):
        del result
        gc.collect()
        start = time.perf_counter()
        result = calculate_batch(frame)
        times.append(time.perf_counter() - start)
    rss_batch_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    gc.collect()
    tracemalloc.start()
    calculate_batch(frame)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    start = time.perf_counter()
    reference = reference_row_by_row(frame)
    reference_seconds = time.perf_counter() - start

    ref = pd.DataFrame(reference, columns=list(BATCH_COLUMNS))
    got = result.assign(
        voltage_kv=result["voltage_kv"].astype(str),
        category=result["category"].astype(str),
        breaker_a=result["breaker_a"].astype("float64"),
    )
    mismatches = {}
    for column in BATCH_COLUMNS:
        left, right = got[column].to_numpy(), ref[column].to_numpy()
        if left.dtype.kind == "f" or right.dtype.kind == "f":
            left, right = left.astype(float), right.astype(float)
            same = (left == right) | (np.isnan(left) & np.isnan(right))
        else:
            same = left == right
        mismatches[column] = int((~same).sum())

    csv = None
    if with_csv:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "devices.csv"
            frame.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")
            start = time.perf_counter()
            table = read_table(path)
            read_seconds = time.perf_counter() - start
            start = time.perf_counter()
            from_csv = calculate_batch(table)
            csv_batch_seconds = time.perf_counter() - start
            csv = {
                "file_mb": path.stat().st_size / 2**20,
                "read_seconds": read_seconds,
                "batch_seconds": csv_batch_seconds,
                "same_design_kw": bool(
                    np.array_equal(from_csv["design_kw"].to_numpy(), result["design_kw"].to_numpy())
                ),
            }

    return {
        "rows": rows,
        "apps_requested": apps,
        "applications": len(result),
        "batch_seconds": times,
        "reference_seconds": reference_seconds,
        "mismatches": mismatches,
        "rss_after_data_mb": rss_data_mb,
        "rss_peak_batch_mb": rss_batch_mb,
        "tracemalloc_peak_mb": traced_peak / 2**20,
        "csv": csv,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows over 10,000 applications")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--apps", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv", action="store_true", help="also time read_table on a CSV of the same rows")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    apps = args.apps or max(1, rows // 10)

    if args.child:
        print(json.dumps(child(rows, apps, args.repeat, args.csv)))
        return 0

    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--rows",
        str(rows),
        "--apps",
        str(apps),
    ]
    command += ["--repeat", str(args.repeat)] + (["--csv"] if args.csv else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
        return 1
    data = json.loads(done.stdout.strip().splitlines()[-1])

    best = min(data["batch_seconds"])
    median = statistics.median(data["batch_seconds"])
    speedup = data["reference_seconds"] / best
    agree = not any(data["mismatches"].values())
    rows, applications = data["rows"], data["applications"]
    print(f"capacity_calc batch benchmark — {rows:,} device rows, {applications:,} applications")
    print(f"  python {sys.version.split()[0]}, cores {os.cpu_count()}")
    runs = len(data["batch_seconds"])
    print(f"  batch (calculate_batch):   best {best:.3f} s, median {median:.3f} s of {runs}")
    print(f"  row-by-row Python:         {data['reference_seconds']:.3f} s")
    print(f"  speed-up:                  {speedup:.1f}x  (target ≥ {TARGET_SPEEDUP:g}x)")
    print(f"  rows per second (batch):   {data['rows'] / best:,.0f}")
    print(
        f"  peak RSS of the child (ru_maxrss, data + batch): {data['rss_peak_batch_mb']:.0f} MB "
        f"(after generating the data: {data['rss_after_data_mb']:.0f} MB; target < {TARGET_PEAK_MB:g} MB)"
    )
    print(f"  tracemalloc peak of one calculate_batch call:   {data['tracemalloc_peak_mb']:.0f} MB")
    print(f"  results identical:         {'yes' if agree else 'NO'}")
    print(f"  mismatches per column:     {data['mismatches']}")
    if data["csv"]:
        csv = data["csv"]
        print(f"  CSV file ({csv['file_mb']:.0f} MB, ';' and decimal comma, UTF-8 with BOM):")
        print(f"    read_table {csv['read_seconds']:.2f} s; calculate_batch on its text columns")
        same = csv["same_design_kw"]
        print(f"    {csv['batch_seconds']:.2f} s; same design_kw as the in-memory run: {same}")
    targets = {
        "speed-up": speedup >= TARGET_SPEEDUP,
        "batch time": best < TARGET_SECONDS,
        "peak memory": data["rss_peak_batch_mb"] < TARGET_PEAK_MB,
    }
    print("  targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in targets.items()))
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
