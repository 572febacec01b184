"""Reading device tables from CSV (as Excel writes them in any locale) and XLSX files.

CSV: UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1251; separator ``;``, ``,`` or tab,
detected from the header line; numbers keep their text (decimal comma is handled when the numbers
are parsed). XLSX: the first (active) worksheet read with openpyxl; the header is row 1.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from .errors import InputError, make_problem

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_UNNAMED = re.compile(r"^Unnamed: \d+$")
_LINE = re.compile(r"line (\d+)")


def read_table(
    source: str | os.PathLike[str] | BinaryIO | bytes, *, format: str | None = None
) -> pd.DataFrame:
    """Read a CSV or XLSX table of device rows.

    Returns a DataFrame of text cells (``""`` for blank cells; numbers are parsed, with their own
    error messages, by :func:`calculate_batch`) whose index, named ``row``, is the row number as a
    spreadsheet shows it: the header is row 1, the first data row row 2. Entirely blank rows and
    unnamed blank columns are dropped. ``format`` (``"csv"`` or ``"xlsx"``) is needed only for
    bytes or a file object without a name; otherwise the file name's suffix or content decides.

    Raises :class:`~capacity_calc.errors.InputError` (``file_not_found``, ``unsupported_format``,
    ``unreadable_file``, ``malformed_csv``, ``empty_file``).
    """
    name = ""
    if isinstance(source, bytes):
        raw = source
    elif hasattr(source, "read"):
        name = str(getattr(source, "name", "") or "")
        raw = source.read()  # type: ignore[union-attr]
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
    else:
        path = Path(os.fspath(source))  # type: ignore[arg-type]
        name = str(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise InputError([make_problem("file_not_found", value=name)]) from None
        except OSError as error:
            raise InputError([make_problem("unreadable_file", value=f"{name}: {error.strerror}")]) from None
    kind = _detect_format(format, name, raw)
    frame = _read_xlsx(raw) if kind == "xlsx" else _read_csv(raw)
    return _tidy(frame)


def _detect_format(format: str | None, name: str, raw: bytes) -> str:
    if format:
        kind = format.lower().lstrip(".")
        if kind not in {"csv", "xlsx"}:
            raise InputError([make_problem("unsupported_format", value=format)])
        return kind
    suffix = Path(name).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix == ".xls" or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError([make_problem("unsupported_format", value=suffix or "xls")])
    return "xlsx" if raw.startswith(b"PK\x03\x04") else "csv"


def decode_text(raw: bytes) -> str:
    """Decode CSV bytes: BOM-marked UTF-8/UTF-16, else UTF-8, else Windows-1251."""
    try:
        if raw.startswith(codecs.BOM_UTF8):
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1251")
    except UnicodeDecodeError as error:
        raise InputError([make_problem("unreadable_file", value=f"encoding: {error.reason}")]) from None


def detect_separator(text: str) -> str:
    """The separator of the header line: the most frequent of ``;``, tab and ``,`` outside quotes
    (ties in that order; ``,`` for a single-column file)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {";": 0, "\t": 0, ",": 0}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(raw: bytes) -> pd.DataFrame:
    text = decode_text(raw)
    if not text.strip():
        raise InputError([make_problem("empty_file")])
    sep = detect_separator(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise InputError([make_problem("empty_file")]) from None
    except pd.errors.ParserError as error:
        message = str(error).strip().splitlines()[-1]
        match = _LINE.search(message)
        row = int(match.group(1)) if match else None
        raise InputError([make_problem("malformed_csv", row=row, value=message)]) from None
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return frame


def _read_xlsx(raw: bytes) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise InputError([make_problem("unreadable_file", value=f"XLSX: {error}")]) from None
    try:
        sheet = workbook.active if workbook.active is not None else workbook.worksheets[0]
        rows: Iterable[tuple[object, ...]] = sheet.iter_rows(values_only=True)
        iterator = iter(rows)
        header = next(iterator, None)
        if header is None:
            raise InputError([make_problem("empty_file")])
        names = [_cell_text(cell) for cell in header]
        data = [[_cell_text(cell) for cell in row] for row in iterator]
    finally:
        workbook.close()
    width = max([len(names), *(len(row) for row in data)]) if data else len(names)
    names += [""] * (width - len(names))
    names = [name or f"Unnamed: {i}" for i, name in enumerate(names)]
    data = [row + [""] * (width - len(row)) for row in data]
    frame = pd.DataFrame(data, columns=names, dtype=object)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    return frame


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _blank(column: pd.Series) -> np.ndarray:
    """Blank cells: missing, empty or whitespace only."""
    text = column.astype(str)
    blank = column.isna().to_numpy(dtype=bool) | (text == "").to_numpy(dtype=bool, na_value=False)
    if not blank.all():
        blank |= text.str.isspace().to_numpy(dtype=bool, na_value=False)
    return blank


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop blank rows and blank unnamed columns; strip headings (incl. a stray BOM)."""
    frame.columns = [str(column).replace("\ufeff", "").strip() for column in frame.columns]
    blank = pd.DataFrame({column: _blank(frame[column]) for column in frame.columns}, index=frame.index)
    unnamed = [c for c in frame.columns if (not c or _UNNAMED.match(c)) and bool(blank[c].all())]
    if unnamed:
        frame = frame.drop(columns=unnamed)
        blank = blank.drop(columns=unnamed)
    frame = frame.loc[~blank.all(axis=1).to_numpy()]
    if frame.shape[1] == 0 or len(frame) == 0:
        raise InputError([make_problem("empty_file")])
    return frame.fillna("")
