"""Loading tariffs (connection.models.Tariff) from a CSV file: one row per region, applicant group
and validity start; loading again updates the rows with the same key. The demo file is
connection/data/tariffs-demo.csv (every row an example)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import transaction

from connection.models import Tariff
from connection.models.tariffs import DEFAULT_VAT_PERCENT

DEMO_FILE = "tariffs-demo.csv"
MONEY_COLUMNS = (
    "preferential_rate_per_kw",
    "privileged_rate_per_kw",
    "c1_per_connection",
    "c2_per_km_overhead",
    "c3_per_km_cable",
    "metering_cost",
)
TRUE = {"true", "1", "yes"}


class TariffFileError(ValueError):
    """A row that cannot be loaded; the message names the line and the column."""


def _decimal(value: str, line: int, column: str) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise TariffFileError(f"line {line}, column {column}: not a number: {value!r}") from error


def _date(value: str, line: int, column: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise TariffFileError(f"line {line}, column {column}: not a date (YYYY-MM-DD): {value!r}") from error


def _record(row: dict[str, str], line: int) -> dict:
    record = {column: _decimal(row.get(column, ""), line, column) for column in MONEY_COLUMNS}
    for column in ("c1_per_connection", "c2_per_km_overhead", "c3_per_km_cable", "metering_cost"):
        record[column] = record[column] or Decimal("0")
    record["valid_to"] = _date(row.get("valid_to", ""), line, "valid_to")
    record["rates_include_vat"] = (row.get("rates_include_vat") or "").strip().lower() in TRUE
    record["vat_percent"] = _decimal(row.get("vat_percent", ""), line, "vat_percent") or DEFAULT_VAT_PERCENT
    record["is_example"] = (row.get("is_example") or "").strip().lower() in TRUE
    record["source_note"] = (row.get("source_note") or "").strip()
    return record


@transaction.atomic
def load_tariffs(handle: TextIO | Iterable[str]) -> int:
    """Create or update the tariffs of a CSV file; all or nothing. Returns the number of rows."""
    count = 0
    for line, row in enumerate(csv.DictReader(handle), start=2):
        key = {
            "region": (row.get("region") or "").strip(),
            "applicant_group": (row.get("applicant_group") or "").strip(),
            "valid_from": _date(row.get("valid_from", ""), line, "valid_from"),
        }
        tariff = Tariff.objects.filter(**key).first() or Tariff(**key)
        for name, value in _record(row, line).items():
            setattr(tariff, name, value)
        try:
            tariff.full_clean()
        except ValidationError as error:
            raise TariffFileError(f"line {line}: {error.message_dict}") from error
        tariff.save()
        count += 1
    return count


def load_demo_tariffs() -> int:
    with (resources.files("connection") / "data" / DEMO_FILE).open(encoding="utf-8", newline="") as handle:
        return load_tariffs(handle)
