"""The fee estimate shown at the review is the fee the offer proposal carries for the same
application: the same connection point, distance and line construction (a household 438 m from the
point once got 51 742 ₽ estimated and 686 842 ₽ offered)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from connection import technical_conditions
from connection.workflow_actions import perform_transition
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory
from tests.grid.factories import point
from web.wizard import indicative_fee, nearest_for

pytestmark = pytest.mark.django_db
METRE_OF_LATITUDE = Decimal("1") / Decimal("111132")  # degrees, near 45° N


@pytest.mark.parametrize(
    ("metres", "settlement", "preferential"),
    [(120, "rural", True), (438, "rural", True), (438, "urban", False), (900, "urban", False)],
)
def test_the_estimate_equals_the_offer_proposal(branch, metres, settlement, preferential):
    call_command("load_tariffs", verbosity=0)
    branch.territories.update(settlement_kind=settlement)
    latitude = Decimal("45.000000") + metres * METRE_OF_LATITUDE
    point(f"{latitude:.6f}", "42.000000", installed_kw="400", name="ТП-5", branch=branch)
    draft = ConnectionRequestFactory(with_documents=True)
    estimate = indicative_fee(draft, nearest_for(draft))
    assert estimate is not None

    perform_transition(application=draft, name="submit", user=draft.owner)
    draft.refresh_from_db()
    assert draft.settlement_kind == settlement
    perform_transition(application=draft, name="accept", user=UserFactory(role="supervisor"))
    proposal = technical_conditions.proposal(draft)
    assert proposal.fee is not None
    assert estimate.total == proposal.fee.total == proposal.values["fee_rub"]
    # Beyond 300 m in a town the standardised rates for the line to build apply, in both.
    assert (estimate.method == "preferential") is preferential
    if not preferential:
        assert proposal.values["overhead_km"] > 0 and estimate.total > Decimal("75000")
    assert technical_conditions.fee_estimate(draft).total == estimate.total
