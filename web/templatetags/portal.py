"""Template helpers: a field's widget with its help and error tied to it for assistive technology."""

from django import template

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
    """A power figure without trailing zeros: 15.00 → 15, 5.50 → 5.5."""
    if value is None or value == "":
        return ""
    try:
        from decimal import Decimal

        number = Decimal(str(value))
    except Exception:
        return value
    text = format(number.normalize(), "f")
    return text


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
