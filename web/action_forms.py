"""The forms of the transitions open to a user now, built from each transition's input
(connection.api.transitions), for the applicant's and the engineer's pages."""

from __future__ import annotations

from decimal import Decimal

from connection.api.transitions import form_fields
from workflow import services as workflow_services

#: The HTML control of each input type (connection.api.transitions.describe_fields).
CONTROLS = {
    "boolean": "checkbox",
    "choice": "select",
    "date": "date",
    "decimal": "number",
    "integer": "number",
    "list": "lines",
}


def _field_type(field: dict) -> str:
    if field["type"] in CONTROLS:
        return CONTROLS[field["type"]]
    if field["name"] == "comment" or (field["max_length"] or 0) > 300:
        return "textarea"
    return "text"


def _shown_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def action_forms(application, user, *, errors=None, values=None, failed=None, initial=None) -> list[dict]:
    """A form per transition open to `user` now, its fields described by the transition's input;
    `initial` prefills them per transition (the posted `values` win after a refusal)."""
    forms = []
    for info in workflow_services.available(application, user):
        fields = []
        start = (initial or {}).get(info.name, {})
        items = form_fields(info.name)
        items.sort(key=lambda item: item["name"] == "comment")  # the comment last, after what the step needs
        for field in items:
            name = field["name"]
            field_errors = (errors or {}).get(name, []) if failed == info.name else []
            value = (values or {}).get(name, "") if failed == info.name else _shown_value(start.get(name))
            fields.append(
                {
                    "name": name,
                    "id": f"action-{info.name}-{name}",
                    "type": _field_type(field),
                    "label": field["label"],
                    "required": field["required"],
                    "help": field["help_text"],
                    "errors": field_errors,
                    "value": value,
                    "choices": [(str(choice["value"]), choice["label"]) for choice in field["choices"]],
                }
            )
        forms.append(
            {
                "name": info.name,
                "label": str(info.label),
                "fields": fields,
                "errors": (errors or {}).get("non_field_errors", []) if failed == info.name else [],
                "danger": info.name in ("withdraw", "reject"),
            }
        )
    return forms
