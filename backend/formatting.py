"""Numbers and dates in user text, in the language of the request: "12,5", "1 500" and "10" (never
"1E+1"), "05.12.2026" in Russian. One place, so that messages, pages, documents and exports agree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import formats


def plain_decimal(value) -> Decimal | None:
    """The value as a Decimal without an exponent or trailing zeros (10 stays 10, not 1E+1)."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number == number.to_integral():
        return number.quantize(Decimal(1))
    return number.normalize()


def number_text(value, *, grouping: bool = True) -> str:
    """A number as people of the request's language write it: 1 234,5 in Russian, 1,234.5 in English."""
    number = plain_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return formats.number_format(number, use_l10n=True, force_grouping=grouping)


def date_text(value: date | None) -> str:
    """A date in the short form of the request's language (дд.мм.гггг in Russian)."""
    return "" if value is None else formats.date_format(value, "SHORT_DATE_FORMAT")
