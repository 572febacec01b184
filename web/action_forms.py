"""The forms of the transitions open to a user now, built from each transition's input
(connection.api.transitions), for the applicant's and the engineer's pages."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

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


#: Transitions the web asks to confirm, with the reason required: the field, its label and the error
#: when it is missing. The API keeps the reason optional for its clients.
CONFIRMED = {
    "withdraw": {
        "field": "confirm",
        "label": _("I understand that a withdrawn application cannot be resumed; a new one will be needed"),
        "error": _("Confirm that you want to withdraw the application."),
    },
}
REASON_REQUIRED = {"withdraw"}
CONFIRM_REASON_ERROR = _("State the reason; it is recorded in the history.")


def confirmation_errors(name: str, posted) -> dict[str, list[str]]:
    """What a confirmed transition's web form misses: the ticked confirmation and the reason."""
    errors: dict[str, list[str]] = {}
    if name in REASON_REQUIRED and not (posted.get("reason") or "").strip():
        errors["reason"] = [str(CONFIRM_REASON_ERROR)]
    confirmation = CONFIRMED.get(name)
    if confirmation and not posted.get(confirmation["field"]):
        errors[confirmation["field"]] = [str(confirmation["error"])]
    return errors


def _help_for_people(text: str, labels: dict[str, str]) -> str:
    """A transition input's help as the web form shows it: the API's `field_name` becomes the
    field's label, so no API name appears on the page."""
    return re.sub(r"`(\w+)`", lambda match: f"«{labels.get(match.group(1), match.group(1))}»", text)


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
        labels = {item["name"]: item["label"] for item in items}
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
                    "required": field["required"] or (info.name in REASON_REQUIRED and name == "reason"),
                    "help": _help_for_people(field["help_text"], labels),
                    "errors": field_errors,
                    "value": value,
                    "choices": [(str(choice["value"]), choice["label"]) for choice in field["choices"]],
                }
            )
        confirmation = CONFIRMED.get(info.name)
        if confirmation:
            name = confirmation["field"]
            fields.append(
                {
                    "name": name,
                    "id": f"action-{info.name}-{name}",
                    "type": "checkbox",
                    "label": str(confirmation["label"]),
                    "required": True,
                    "help": "",
                    "errors": (errors or {}).get(name, []) if failed == info.name else [],
                    "value": (values or {}).get(name, "") if failed == info.name else "",
                    "choices": [],
                }
            )
        forms.append(
            {
                "name": info.name,
                "label": str(info.label),
                "fields": fields,
                "errors": (errors or {}).get("non_field_errors", []) if failed == info.name else [],
                "danger": info.name in ("withdraw", "reject"),
                "confirmed": confirmation is not None,
                "failed": failed == info.name,
            }
        )
    return forms
