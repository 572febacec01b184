"""Template helpers: a field's widget with its help and error tied to it for assistive technology."""

import re

from django import template
from django.utils.translation import gettext_lazy

from backend.formatting import number_text
from connection.issued_documents import money_text
from web import console

register = template.Library()


@register.simple_tag
def widget(field, **attrs):
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    needed = field.field.required or getattr(field.field, "needed", False)
    if needed and field.widget_type not in ("radio", "checkbox", "clearablefile", "file"):
        attrs.setdefault("aria-required", "true")
    return field.as_widget(attrs=attrs)


@register.filter
def kw(value):
    """A power figure without trailing zeros, as the language writes it: 15.00 → 15, 5.50 → 5,5."""
    if value is None or value == "":
        return ""
    return number_text(value)


@register.filter
def is_console_user(user) -> bool:
    """Engineers, supervisors and administrators: those who see the console."""
    return console.is_console_user(user)


@register.filter
def money(value):
    """75 000,00 — as in the issued documents."""
    return "" if value in (None, "") else money_text(value)


@register.filter
def snils(value):
    """SNILS as printed on the card: 112-233-445 95."""
    digits = "".join(character for character in str(value or "") if character.isdigit())
    if len(digits) != 11:
        return value or ""
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


#: Words of the calculator's trace meant for its maintainers, in the reader's words (the data
#: files name the norms; their file names and grades stay out of the page).
_SOURCE_WORDS = (
    (re.compile(r"\bdata/[\w-]+\.csv:\s*"), ""),
    (re.compile(r"\bload-calculation\.md\b"), gettext_lazy("calculation method")),
    (re.compile(r"\bengineering default\b"), gettext_lazy("accepted engineering value")),
    (re.compile(r"^input$"), gettext_lazy("your input")),
    (re.compile(r"\s*\[(single|verify|default|firm)\]"), ""),
)


@register.filter
def source_text(value) -> str:
    """A calculation step's source as the user reads it: the norm, never a file name or a code."""
    text = str(value or "")
    for pattern, replacement in _SOURCE_WORDS:
        text = pattern.sub(lambda _match, words=replacement: str(words), text)
    return text.strip() or "—"
