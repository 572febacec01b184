"""Command line: ``python -m capacity_calc FILE [--json]``.

FILE is a CSV or XLSX table of device rows (one or many ``application_id``) or a JSON file with a
building (``{"building": {...}}``, fields of :class:`BuildingInput`) or a device list
(``{"devices": [{...}, ...]}``). Prints every application's result and trace, as tables by default
or as JSON with ``--json``. Exit codes: 0 done, 2 bad input (each problem names its row and
column), 1 unexpected internal error — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .building import calculate_building
from .devices import calculate_devices, device_result
from .electrical import Voltages
from .errors import InputError, make_problem
from .models import BuildingInput, LoadResult, TraceStep, jsonable
from .reader import read_table
from .validation import normalize_columns, prepare_devices, resolve_options, row_numbers

Results = list[tuple[object, LoadResult]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m capacity_calc",
        description="Расчёт электрической нагрузки / Electrical load calculation (СП 256.1325800.2016).",
    )
    parser.add_argument("file", help="CSV, XLSX (device rows) or JSON (building or device list)")
    parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
    parser.add_argument("--simultaneity", default=None, help="Kо across device groups (default 1)")
    parser.add_argument(
        "--voltage-1ph", dest="u1", default=None, help="single-phase voltage, V (default 230)"
    )
    parser.add_argument("--voltage-3ph", dest="u3", default=None, help="three-phase voltage, V (default 400)")
    parser.add_argument(
        "--phases", default=None, help="supply chosen: 1 or 3 (default: as recommended by the thresholds)"
    )
    args = parser.parse_args(argv)
    _configure_streams()
    sys.excepthook = _internal_error  # an unexpected error: one line and exit code 1, no traceback
    try:
        results = run(args.file, simultaneity=args.simultaneity, u1=args.u1, u3=args.u3, phases=args.phases)
    except InputError as error:
        print(format_error(error), file=sys.stderr)
        return 2
    if args.as_json:
        payload = {
            "applications": [{"application_id": jsonable(app), **res.to_dict()} for app, res in results]
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(format_result(app, res) for app, res in results))
    return 0


def run(
    path: str, *, simultaneity: object = None, u1: object = None, u3: object = None, phases: object = None
) -> Results:
    """Calculate every application in the file at ``path``."""
    if Path(path).suffix.lower() == ".json":
        return _run_json(Path(path), simultaneity, u1, u3, phases)
    ko, voltages, problems = resolve_options(simultaneity, u1, u3, phases)
    frame = read_table(path)
    if problems:
        raise InputError(problems)
    return _run_table(frame, ko, voltages)


def _run_table(frame: pd.DataFrame, ko: float, voltages: Voltages) -> Results:
    prepared = prepare_devices(normalize_columns(frame), row_numbers(frame))
    if prepared.application_id is None:
        return [("1", device_result(prepared, np.arange(len(prepared)), ko, voltages))]
    codes, uniques = pd.factorize(prepared.application_id, sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]
    return [
        (
            uniques[i].item() if hasattr(uniques[i], "item") else uniques[i],
            device_result(prepared, positions, ko, voltages),
        )
        for i, positions in enumerate(np.split(order, bounds))
    ]


def _run_json(path: Path, simultaneity: object, u1: object, u3: object, phases: object = None) -> Results:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([make_problem("file_not_found", value=str(path))]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([make_problem("unreadable_file", value=f"{path}: {error}")]) from None
    if not text.strip():
        raise InputError([make_problem("empty_file")])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            [make_problem("invalid_json", row=error.lineno, value=f"{error.msg}, column {error.colno}")]
        ) from None
    if isinstance(data, list):
        data = {"devices": data}
    if not isinstance(data, dict):
        raise InputError([make_problem("invalid_json", value=type(data).__name__)])
    app = data.get("application_id", "1")
    if "devices" in data:
        devices = data["devices"]
        if not isinstance(devices, list):
            raise InputError([make_problem("invalid_json", column="devices", value=type(devices).__name__)])
        options = {"simultaneity": data.get("simultaneity", simultaneity)}
        return [
            (
                app,
                calculate_devices(
                    devices, **options, single_phase_voltage_v=u1, three_phase_voltage_v=u3, phases=phases
                ),
            )
        ]
    building = data.get("building", {k: v for k, v in data.items() if k != "application_id"})
    return [
        (
            app,
            calculate_building(
                BuildingInput.from_dict(building),
                single_phase_voltage_v=u1,
                three_phase_voltage_v=u3,
                phases=phases,
            ),
        )
    ]


def format_error(error: InputError) -> str:
    lines = [f"Ошибка во входных данных / Input error ({len(error.problems)}):"]
    for problem in error.problems:
        lines.append(f"  - {problem.describe('ru')}")
        lines.append(f"    {problem.describe('en')}")
    return "\n".join(lines)


def format_result(app: object, result: LoadResult) -> str:
    method = {"devices": "перечень устройств / device list", "building": "жилой дом / residential building"}
    breaker = f"{result.breaker_a} А" if result.breaker_a is not None else "нет в ряду / above the series"
    summary = [
        ("Метод / Method", method.get(result.method, result.method)),
        ("Установленная мощность Pу / Installed power", f"{result.installed_kw} кВт (kW)"),
        ("Расчётная мощность Pр / Design power", f"{result.design_kw} кВт (kW)"),
        ("Реактивная мощность Qр / Reactive power", f"{result.reactive_kvar} квар (kvar)"),
        ("Полная мощность Sр / Apparent power", f"{result.apparent_kva} кВ·А (kVA)"),
        ("cos φ", str(result.cos_phi)),
        ("Присоединение / Supply", f"{result.voltage_label} / {result.voltage_label_en}"),
        ("Расчётный ток / Design current", f"{result.design_current_a} А при {result.current_voltage_v} В"),
        ("Автомат / Breaker", breaker),
        ("Категория / Category", f"{result.category}: {result.category_label} / {result.category_label_en}"),
    ]
    width = max(len(label) for label, _ in summary)
    lines = [f"=== Заявка / Application {app} ==="]
    lines += [f"{label.ljust(width)}  {value}" for label, value in summary]
    for notice in result.notices:
        lines.append(f"! {notice.message} / {notice.message_en}")
    lines.append("")
    lines.append("Расчёт по шагам / Calculation trace:")
    lines.append(format_trace(result.trace))
    return "\n".join(lines)


_TRACE_COLUMNS = (
    ("№", 3),
    ("Шаг / step", 27),
    ("Описание", 32),
    ("Формула", 32),
    ("Исходные данные", 30),
    ("Результат", 13),
)


def format_trace(trace: Sequence[TraceStep]) -> str:
    """The trace as a text table with wrapped cells."""
    widths = [width for _, width in _TRACE_COLUMNS]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [rule, _table_row([name for name, _ in _TRACE_COLUMNS], widths), rule]
    for number, item in enumerate(trace, start=1):
        inputs = "; ".join(f"{key} = {value}" for key, value in jsonable(dict(item.inputs)).items())
        result = f"{jsonable(item.result)} {item.unit}".strip()
        out.append(
            _table_row([str(number), item.code, item.description, item.formula, inputs, result], widths)
        )
        out.append(rule)
    return "\n".join(out)


def _table_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    wrapped = [textwrap.wrap(cell, width) or [""] for cell, width in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    lines = []
    for i in range(height):
        parts = [
            (column[i] if i < len(column) else "").ljust(width)
            for column, width in zip(wrapped, widths, strict=True)
        ]
        lines.append("| " + " | ".join(parts) + " |")
    return "\n".join(lines)


def _internal_error(kind: type[BaseException], error: BaseException, _traceback: object) -> None:
    print(f"Внутренняя ошибка / internal error: {kind.__name__}: {error}", file=sys.stderr)


def _configure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
