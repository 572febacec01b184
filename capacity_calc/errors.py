"""Validation problems and the exception that carries them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

#: Most problems listed in one InputError; the rest are counted in a final ``too_many_problems`` entry.
MAX_PROBLEMS = 200

# code -> (Russian template, English template). Templates may use {value}, {min}, {max}, {extra}.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing_column": (
        "нет обязательного столбца (заголовок в строке 1)",
        "required column is missing (header in row 1)",
    ),
    "empty_file": ("файл пуст: нет строк с данными", "the file is empty: no data rows"),
    "no_rows": ("нет ни одного устройства", "no device rows given"),
    "file_not_found": ("файл не найден: {value}", "file not found: {value}"),
    "unsupported_format": (
        "формат файла не поддерживается: {value} (нужен CSV или XLSX)",
        "unsupported file format: {value} (CSV or XLSX expected)",
    ),
    "unreadable_file": ("не удалось прочитать файл: {value}", "cannot read the file: {value}"),
    "malformed_csv": ("ошибка структуры CSV: {value}", "malformed CSV: {value}"),
    "required": ("значение обязательно", "a value is required"),
    "not_a_number": ("не число: «{value}»", "not a number: '{value}'"),
    "not_positive": (
        "значение должно быть больше нуля, указано «{value}»",
        "the value must be greater than zero, got '{value}'",
    ),
    "not_integer": (
        "нужно целое число, указано «{value}»",
        "a whole number is required, got '{value}'",
    ),
    "unknown_device_type": (
        "неизвестный тип устройства «{value}»",
        "unknown device type '{value}'",
    ),
    "unknown_stove_type": (
        "неизвестный тип плит «{value}» (допустимо: {extra})",
        "unknown stove type '{value}' (allowed: {extra})",
    ),
    "apartments_out_of_range": (
        "число квартир должно быть от {min} до {max}, указано «{value}»",
        "the number of apartments must be from {min} to {max}, got '{value}'",
    ),
    "apartments_total_out_of_range": (
        "всего квартир (обычных и повышенной комфортности) должно быть от {min} до {max}, указано «{value}»",
        "the apartments in all (ordinary and of increased comfort) must number from {min} to {max}, got '{value}'",
    ),
    "cos_phi_out_of_range": (
        "cos φ должен быть больше 0 и не больше 1, указано «{value}»",
        "cos φ must be greater than 0 and at most 1, got '{value}'",
    ),
    "demand_factor_out_of_range": (
        "коэффициент спроса Kс должен быть больше 0 и не больше 1, указано «{value}»",
        "the demand factor must be greater than 0 and at most 1, got '{value}'",
    ),
    "simultaneity_out_of_range": (
        "коэффициент одновременности Kо должен быть больше 0 и не больше 1, указано «{value}»",
        "the simultaneity factor must be greater than 0 and at most 1, got '{value}'",
    ),
    "phases_invalid": (
        "число фаз должно быть 1 или 3, указано «{value}»",
        "phases must be 1 or 3, got '{value}'",
    ),
    "out_of_range": (
        "значение должно быть от {min} до {max}, указано «{value}»",
        "the value must be from {min} to {max}, got '{value}'",
    ),
    "unknown_field": ("неизвестное поле", "unknown field"),
    "invalid_json": ("некорректный JSON: {value}", "invalid JSON: {value}"),
    "too_many_problems": (
        "и ещё {value} ошибок не показаны",
        "and {value} more problems not shown",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One problem with the input.

    ``row`` is the 1-based row: in a file, the row number as a spreadsheet shows it (the header is
    row 1, the first data row is row 2); in a list passed to the API, the position in the list
    (first item = 1). ``row`` is None for problems not tied to a row (an empty file, a field of a
    building). ``column`` names the column or field.
    """

    row: int | None
    column: str | None
    code: str
    message: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def where(self, lang: str = "ru") -> str:
        parts = []
        if self.row is not None:
            parts.append(f"строка {self.row}" if lang == "ru" else f"row {self.row}")
        if self.column:
            parts.append(f"столбец «{self.column}»" if lang == "ru" else f"column '{self.column}'")
        return ", ".join(parts)

    def describe(self, lang: str = "ru") -> str:
        """One line naming the row and column, e.g. ``строка 3, столбец «unit_kw»: ...``."""
        where = self.where(lang)
        text = self.message if lang == "ru" else self.message_en
        return f"{where}: {text}" if where else text


def make_problem(
    code: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: object = "",
    **params: object,
) -> Problem:
    """A Problem with the standard Russian and English messages of ``code``."""
    ru, en = MESSAGES[code]
    shown = _show(value)
    return Problem(
        row=row,
        column=column,
        code=code,
        message=ru.format(value=shown, **params),
        message_en=en.format(value=shown, **params),
    )


def _show(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class InputError(ValueError):
    """Raised when the input cannot be calculated; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem], *, hidden: int = 0):
        """``hidden``: problems found but not passed in (they are counted in ``too_many_problems``)."""
        listed = list(problems)
        if len(listed) > MAX_PROBLEMS:
            hidden += len(listed) - MAX_PROBLEMS
            listed = listed[:MAX_PROBLEMS]
        if hidden:
            listed.append(make_problem("too_many_problems", value=hidden))
        self.problems: tuple[Problem, ...] = tuple(listed)
        super().__init__(self.summary("en"))

    def summary(self, lang: str = "ru") -> str:
        return "; ".join(problem.describe(lang) for problem in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``{"problems": [{"row", "column", "code", "message", "message_en"}]}``."""
        return {"problems": [problem.to_dict() for problem in self.problems]}
