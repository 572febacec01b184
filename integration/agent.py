"""The installer's (agent's) view of all the applications its organisation acts for: one row per
application, and its exports — CSV for Excel (UTF-8 with BOM, semicolons) and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date

from django.utils.translation import gettext as _

from workflow.machine import Party
from workflow.states import State

COLUMNS = (
    "id",
    "number",
    "state",
    "state_label",
    "acting_party",
    "acting_party_label",
    "due_date",
    "overdue",
    "applicant_email",
    "object_address",
    "requested_kw",
    "submitted_at",
)


def row(application, *, today: date) -> dict:
    return {
        "id": application.pk,
        "number": application.number or None,
        "state": application.state,
        "state_label": str(State(application.state).label),
        "acting_party": application.acting_party,
        "acting_party_label": str(Party(application.acting_party).label),
        "due_date": application.due_date.isoformat() if application.due_date else None,
        "overdue": bool(application.due_date and application.due_date < today),
        "applicant_email": application.owner.email,
        "object_address": application.object_address,
        "requested_kw": str(application.requested_kw) if application.requested_kw is not None else None,
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
    }


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """CSV that Excel opens as it is: a byte-order mark, `;` between fields, headers in the user's
    language (translated now: the lines are produced while the response streams)."""
    headers = {
        "id": _("Id"),
        "number": _("Number"),
        "state": _("State code"),
        "state_label": _("State"),
        "acting_party": _("Who acts (code)"),
        "acting_party_label": _("Who acts now"),
        "due_date": _("Due date"),
        "overdue": _("Overdue"),
        "applicant_email": _("Applicant's e-mail"),
        "object_address": _("Object address"),
        "requested_kw": _("Requested power, kW"),
        "submitted_at": _("Submitted at"),
    }
    return _csv(rows, [headers[column] for column in COLUMNS], _("yes"), _("no"))


def _csv(rows: Iterable[dict], header: list[str], yes: str, no: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    yield "\ufeff" + _drain(buffer)
    for item in rows:
        writer.writerow(
            [
                (yes if item[column] else no)
                if column == "overdue"
                else ("" if item[column] is None else item[column])
                for column in COLUMNS
            ]
        )
        yield _drain(buffer)


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    for item in rows:
        yield json.dumps(item, ensure_ascii=False) + "\n"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
