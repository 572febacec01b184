"""Reads of the workflow: the current step ("ball in court") and the expected completion date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from workflow import calendar, deadlines
from workflow.machine import Party
from workflow.rulebook import Rules, get_rules, get_rules_by_version
from workflow.states import State


def rules_for(application, *, default: Rules | None = None) -> Rules:
    """The rulebook the application is processed under; for a draft, the one in force today."""
    if application.rulebook_version_id:
        return get_rules_by_version(application.rulebook_version_id)
    return default or get_rules()


def current_step(application, *, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    due = application.due_date
    return {
        "state": application.state,
        "label": str(State(application.state).label),
        "acting_party": application.acting_party,
        "acting_party_label": str(Party(application.acting_party).label),
        "due_date": due,
        "days_left": calendar.working_days_between(today, due) if due else None,
        "overdue": bool(due and today > due),
    }


def expected_completion(
    application,
    *,
    today: date | None = None,
    rules: Rules | None = None,
    facts: deadlines.TermFacts | None = None,
) -> date | None:
    """`facts` replace the application's recorded ones (a draft's, estimated from its nearest point)."""
    today = today or timezone.localdate()
    return deadlines.expected_completion(
        application.state,
        rules=rules_for(application, default=rules),
        due=application.due_date,
        today=today,
        facts=facts or application.term_facts(),
    )
