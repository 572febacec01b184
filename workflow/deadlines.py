"""Deadlines: who must act in each state and by when, from the rulebook and the working-day
calendar. Pure functions of the recorded dates and facts, so a deadline can be recomputed and
explained at any time; the application stores the result for ordering and overdue checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workflow import calendar
from workflow.machine import Party
from workflow.rulebook import Rules
from workflow.states import FINAL_STATES, State

#: The grid class of the shortest works term (`works_term_near_0_4kv_wd`, `near_grid_distance_m`):
#: the voltage is part of that rule's definition, as its key says.
NEAR_GRID_MAX_VOLTAGE_KV = Decimal("0.4")


@dataclass(frozen=True)
class TermFacts:
    """What the term of the connection works depends on, as recorded on the application."""

    temporary: bool
    voltage_kv: Decimal | None
    urban: bool
    grid_distance_m: Decimal | None  # None until the engineer records it (then the longest term applies)
    needs_construction: bool = False
    crosses_third_party_land: bool = False
    public_procurement: bool = False


@dataclass(frozen=True)
class Term:
    amount: int
    unit: str  # "working_days" or "months"
    rule: str  # the rulebook key it comes from

    def end(self, start: date) -> date:
        if self.unit == "working_days":
            return calendar.add_working_days(start, self.amount)
        return calendar.add_calendar_months(start, self.amount)


def works_term(rules: Rules, facts: TermFacts) -> Term:
    """The term of the connection works (connection-rules.md §3, counted from the contract date)."""
    distance = facts.grid_distance_m
    limit = rules.urban_distance_m if facts.urban else rules.rural_distance_m
    if distance is not None and facts.temporary and distance <= rules.urban_distance_m:
        return Term(rules.works_term_temporary_wd, "working_days", "works_term_temporary_wd")
    if (
        distance is not None
        and facts.voltage_kv is not None
        and facts.voltage_kv <= NEAR_GRID_MAX_VOLTAGE_KV
        and distance <= rules.near_grid_distance_m
        and not facts.crosses_third_party_land
    ):
        return Term(rules.works_term_near_0_4kv_wd, "working_days", "works_term_near_0_4kv_wd")
    if distance is not None and distance <= limit:
        if not facts.needs_construction:
            return Term(
                rules.works_term_within_distance_no_construction_months,
                "months",
                "works_term_within_distance_no_construction_months",
            )
        return Term(rules.works_term_within_distance_months, "months", "works_term_within_distance_months")
    return Term(rules.works_term_beyond_distance_months, "months", "works_term_beyond_distance_months")


@dataclass(frozen=True)
class Step:
    party: str
    due: date | None


def step(
    state: str,
    *,
    rules: Rules,
    started_on: date | None,
    complete_since: date | None,
    contract_date: date | None,
    facts: TermFacts,
) -> Step:
    """Who acts in `state` and the due date, for a step that started on `started_on`."""
    if state in FINAL_STATES:
        return Step(Party.NONE, None)
    if state == State.DRAFT or started_on is None:
        return Step(Party.APPLICANT, None)
    add = calendar.add_working_days
    if state == State.SUBMITTED:
        return Step(Party.GRID, add(started_on, rules.completeness_check_wd))
    if state == State.NEEDS_INFO:
        return Step(Party.APPLICANT, add(started_on, rules.applicant_info_wd))
    if state == State.UNDER_REVIEW:
        return Step(Party.GRID, add(complete_since or started_on, rules.offer_wd))
    if state == State.OFFER_ISSUED:
        days = rules.payment_procurement_wd if facts.public_procurement else rules.payment_wd
        return Step(Party.APPLICANT, add(started_on, days))
    if state == State.CONTRACT_ACTIVE:
        return Step(Party.BOTH, works_term(rules, facts).end(contract_date or started_on))
    if state == State.READY_FOR_CHECK:
        return Step(Party.GRID, add(started_on, rules.readiness_check_wd))
    if state == State.CONNECTED:
        return Step(Party.GRID, add(started_on, rules.final_documents_copy_wd))
    raise ValueError(f"unknown state {state!r}")


# The path an application takes when every party uses its whole term.
HAPPY_PATH = [
    State.SUBMITTED,
    State.UNDER_REVIEW,
    State.OFFER_ISSUED,
    State.CONTRACT_ACTIVE,
    State.READY_FOR_CHECK,
    State.CONNECTED,
]


def expected_completion(
    state: str,
    *,
    rules: Rules,
    due: date | None,
    today: date,
    facts: TermFacts,
) -> date | None:
    """The date the application would be completed if every remaining step took its full term
    from the current due date (or from today for a draft). None once it has ended."""
    if state in FINAL_STATES:
        return None
    if state == State.DRAFT:
        position, end = 0, today
    elif state == State.NEEDS_INFO:
        # The applicant answers by the due date; then the completeness check starts again.
        position, end = 0, max(due or today, today)
    else:
        position, end = HAPPY_PATH.index(state) + 1, max(due or today, today)
    for next_state in HAPPY_PATH[position:]:
        end = step(
            next_state, rules=rules, started_on=end, complete_since=end, contract_date=end, facts=facts
        ).due
    return end
