"""The nearest-point answer (connection.nearest): its conditions come from the rulebook in force,
and its database queries do not grow with the number of candidates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connection.nearest import find_nearest
from grid import index_cache
from tests.grid.factories import point
from tests.workflow.factories import version_with

QUERY = {"lat": 45.0, "lon": 42.0, "power_kw": Decimal("15"), "voltage_kv": "0.4"}


@pytest.fixture(autouse=True)
def _fresh_index():
    index_cache.clear_cache()
    yield
    index_cache.clear_cache()


@pytest.fixture
def points(branch):
    # 0.4 kV points north of the query point, ~111 m per 0.001 deg of latitude
    return [point(f"45.{i:03d}000", "42.000000", installed_kw="400", name=f"ТП-{i}") for i in range(3, 23)]


@pytest.mark.django_db
def test_conditions_follow_the_rulebook(points):
    before = find_nearest(**QUERY)
    assert before["max_distance_m"] == Decimal("500")  # rural territory
    assert before["within_distance"] is True  # the nearest point is ~333 m away
    assert before["fee_category"] == "preferential"

    version_with(date(2025, 1, 1), code="test-limits", household_max_kw="10", rural_distance_m="300")
    after = find_nearest(**QUERY)
    assert after["max_distance_m"] == Decimal("300")
    assert after["within_distance"] is False and after["shortfall"] is not None
    assert after["fee_category"] == "standardised"


@pytest.mark.django_db
def test_preferential_voltage_limit_from_the_rulebook(points):
    version_with(date(2025, 1, 1), code="test-voltage", household_max_voltage_kv="0.23")
    assert find_nearest(**QUERY)["fee_category"] == "standardised"
    assert find_nearest(**{**QUERY, "voltage_kv": "0.23"})["fee_category"] == "preferential"


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_candidates(points):
    far = {**QUERY, "power_kw": Decimal("500")}  # no point has it: the shortfall is described too
    find_nearest(**far, limit=1)  # builds the index and caches the rulebook
    counts = []
    for limit in (1, 5, 20):
        with CaptureQueriesContext(connection) as queries:
            answer = find_nearest(**far, limit=limit)
        assert len(answer["candidates"]) == limit and answer["shortfall"]["nearest_any"] is not None
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
    assert counts[0] <= 5, counts
