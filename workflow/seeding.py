"""Readers of the workflow's data files: the production calendar CSV and the rulebook YAML.

Pure functions with no model imports, so data migrations (which must use historical models) and
the management commands share one reader of each format.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
CALENDAR_FILE = DATA_DIR / "ru-production-calendar-2024-2027.csv"
RULEBOOK_GLOB = "rulebook-*.yaml"

# day_type of the xmlcalendar-derived CSV → CalendarDay.kind
CALENDAR_KINDS = {
    "non_working": "non_working",
    "short_working_day": "short_working",
    "working_weekend_day": "working",
}


class DataFileError(ValueError):
    """A data file that cannot be read as its format requires; the message names the place."""


@dataclass(frozen=True)
class CalendarRow:
    day: date
    kind: str
    note: str
    source: str


def read_calendar_csv(path: Path | str) -> list[CalendarRow]:
    """Rows of a production-calendar CSV (columns date, day_type, holiday_title,
    transferred_from_mmdd, source), as CalendarDay values."""
    rows: list[CalendarRow] = []
    with open(path, encoding="utf-8", newline="") as handle:
        for line_no, record in enumerate(csv.DictReader(handle), start=2):
            try:
                day = date.fromisoformat(record["date"].strip())
                kind = CALENDAR_KINDS[record["day_type"].strip()]
            except (KeyError, ValueError, AttributeError) as exc:
                raise DataFileError(f"{path}:{line_no}: bad date or day_type ({exc})") from exc
            rows.append(
                CalendarRow(day, kind, _calendar_note(kind, record), (record.get("source") or "").strip())
            )
    return rows


def _calendar_note(kind: str, record: dict[str, str]) -> str:
    # Notes are data for the administrators (Russian), like the holiday titles of the source.
    title = (record.get("holiday_title") or "").strip()
    transferred = (record.get("transferred_from_mmdd") or "").strip()
    if title:
        return title
    if transferred:
        month, _dot, day = transferred.partition(".")
        return f"Перенос выходного дня с {day}.{month}"
    if kind == "short_working":
        return "Сокращённый предпраздничный день"
    if kind == "working":
        return "Рабочий день (перенос выходного)"
    return ""


@dataclass(frozen=True)
class RuleValueData:
    key: str
    value: str
    confidence: str
    source_note: str


@dataclass(frozen=True)
class RulebookData:
    code: str
    effective_from: date
    title: str
    source_note: str
    values: tuple[RuleValueData, ...]


def read_rulebook_file(path: Path | str) -> RulebookData:
    """One rulebook version from a YAML file. Values are kept as text; their keys and types are
    checked against the registry by workflow.rulebook.validate_rulebook_data, not here."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(document, dict):
        raise DataFileError(f"{path}: expected a mapping at the top level")
    effective_from = document.get("effective_from")
    if isinstance(effective_from, str):
        try:
            effective_from = date.fromisoformat(effective_from)
        except ValueError as exc:
            raise DataFileError(f"{path}: effective_from is not a date (YYYY-MM-DD)") from exc
    if not isinstance(effective_from, date):
        raise DataFileError(f"{path}: effective_from is required (YYYY-MM-DD)")
    code = str(document.get("code") or "").strip()
    if not code:
        raise DataFileError(f"{path}: code is required")
    raw_values = document.get("values")
    if not isinstance(raw_values, dict) or not raw_values:
        raise DataFileError(f"{path}: values must be a mapping of key → {{value, confidence, source}}")
    values = tuple(_rule_value(path, key, entry) for key, entry in raw_values.items())
    return RulebookData(
        code=code,
        effective_from=effective_from,
        title=str(document.get("title") or "").strip(),
        source_note=str(document.get("source_note") or "").strip(),
        values=values,
    )


def _rule_value(path: Path | str, key: Any, entry: Any) -> RuleValueData:
    if not isinstance(entry, dict) or "value" not in entry:
        raise DataFileError(f"{path}: {key}: expected a mapping with at least 'value'")
    value = entry["value"]
    if isinstance(value, bool) or value is None:
        raise DataFileError(f"{path}: {key}: value must be a number or text")
    if isinstance(value, list | tuple):
        value = ",".join(str(item) for item in value)
    return RuleValueData(
        key=str(key),
        value=str(value).strip(),
        confidence=str(entry.get("confidence") or "likely").strip(),
        source_note=str(entry.get("source") or "").strip(),
    )


def rulebook_files(directory: Path = DATA_DIR) -> list[Path]:
    """The rulebook files shipped in the repository, oldest name first."""
    return sorted(directory.glob(RULEBOOK_GLOB))
