"""Expected completion uses the works term that applies: for each term of the rulebook, the date is
the chain of every remaining step's full term with that works term in it; at the review, the date
and the term stated next to it come from the same facts (it once said «4 месяца» next to a date
twelve months on)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from connection.models import ConnectionRequest
from tests.connection.factories import ConnectionRequestFactory
from tests.grid.factories import point
from workflow import calendar, deadlines
from workflow.rulebook import get_rules
from workflow.states import State

pytestmark = pytest.mark.django_db
METRE_OF_LATITUDE = Decimal("1") / Decimal("111132")


def chain_from_offer(rules, due: date, amount: int, unit: str) -> date:
    """Offer paid on its last day, the works take their whole term, then the check and the copies."""
    works_end = (
        calendar.add_working_days(due, amount)
        if unit == "working_days"
        else calendar.add_calendar_months(due, amount)
    )
    checked = calendar.add_working_days(works_end, rules.readiness_check_wd)
    return calendar.add_working_days(checked, rules.final_documents_copy_wd)


FACTS = {
    "works_term_temporary_wd": {
        "temporary": True,
        "voltage_kv": Decimal("0.4"),
        "urban": True,
        "grid_distance_m": Decimal("100"),
    },
    "works_term_near_0_4kv_wd": {
        "temporary": False,
        "voltage_kv": Decimal("0.4"),
        "urban": True,
        "grid_distance_m": Decimal("10"),
    },
    "works_term_within_distance_no_construction_months": {
        "temporary": False,
        "voltage_kv": Decimal("0.4"),
        "urban": True,
        "grid_distance_m": Decimal("200"),
    },
    "works_term_within_distance_months": {
        "temporary": False,
        "voltage_kv": Decimal("10"),
        "urban": False,
        "grid_distance_m": Decimal("400"),
        "needs_construction": True,
    },
    "works_term_beyond_distance_months": {
        "temporary": False,
        "voltage_kv": Decimal("0.4"),
        "urban": True,
        "grid_distance_m": Decimal("900"),
    },
}


@pytest.mark.parametrize("rule", sorted(FACTS))
def test_expected_completion_uses_each_works_term(rule):
    rules = get_rules()
    facts = deadlines.TermFacts(**FACTS[rule])
    term = deadlines.works_term(rules, facts)
    assert term.rule == rule and term.amount == getattr(rules, rule)
    due = date(2026, 12, 11)
    expected = deadlines.expected_completion(
        State.OFFER_ISSUED, rules=rules, due=due, today=date(2026, 12, 5), facts=facts
    )
    assert expected == chain_from_offer(rules, due, term.amount, term.unit)


def review_expected(draft) -> tuple[str, date]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(draft.owner)
    page = client.get(f"/applications/{draft.pk}/edit/review/").content.decode()
    shown = re.search(r'id="expected">([^<]+)<', page).group(1).strip()
    term = re.search(r"Term of the works</dt><dd>([^<]+)<", page).group(1).strip()
    return term, datetime.strptime(shown, "%m/%d/%Y").date()


@pytest.mark.parametrize(
    ("metres", "kind", "label", "rule"),
    [
        (10, "new", "30 working days", "works_term_near_0_4kv_wd"),
        (200, "new", "4 months", "works_term_within_distance_no_construction_months"),
        (900, "new", "12 months", "works_term_beyond_distance_months"),
        (100, "temporary", "15 working days", "works_term_temporary_wd"),
    ],
)
def test_the_review_states_the_term_its_date_uses(branch, metres, kind, label, rule):
    branch.territories.update(settlement_kind="urban")
    latitude = Decimal("45.000000") + metres * METRE_OF_LATITUDE
    point(f"{latitude:.6f}", "42.000000", installed_kw="400", name="ТП-9", branch=branch)
    draft = ConnectionRequestFactory(with_documents=True, kind=kind)
    if kind == "temporary":
        ConnectionRequest.objects.filter(pk=draft.pk).update(temporary_term_months=6)
        draft.refresh_from_db()
    term, shown = review_expected(draft)
    assert term == label
    rules = get_rules()
    today = timezone.localdate()
    submitted_due = calendar.add_working_days(today, rules.completeness_check_wd)
    offer_due = calendar.add_working_days(submitted_due, rules.offer_wd)
    payment_due = calendar.add_working_days(offer_due, rules.payment_wd)
    amount = getattr(rules, rule)
    assert shown == chain_from_offer(
        rules, payment_due, amount, "working_days" if rule.endswith("_wd") else "months"
    )
