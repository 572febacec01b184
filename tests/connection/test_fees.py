"""The fee calculator (connection-rules.md §4) on a tariff table: the household, privileged and
business cases, tariff validity by date and the error when no tariff applies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from connection import fees
from connection.models import Tariff
from workflow.rulebook import get_rules

ON = date(2025, 3, 1)
D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def tariffs(db):
    """Rates in the shape of connection/data/tariffs-demo.csv (households with VAT, business without)."""
    common = {"region": "RU-STA", "valid_from": date(2025, 1, 1), "is_example": True}
    household = {
        "c1_per_connection": D("25000.00"),
        "c2_per_km_overhead": D("1500000.00"),
        "c3_per_km_cable": D("2000000.00"),
        "metering_cost": D("26000.00"),
        "rates_include_vat": True,
    }
    Tariff.objects.create(
        **common, **household, applicant_group="household", preferential_rate_per_kw=D("5000.00")
    )
    Tariff.objects.create(
        **common,
        **household,
        applicant_group="privileged_household",
        preferential_rate_per_kw=D("5000.00"),
        privileged_rate_per_kw=D("1000.00"),
    )
    Tariff.objects.create(
        **common,
        applicant_group="business",
        c1_per_connection=D("21452.00"),
        c2_per_km_overhead=D("1208000.00"),
        c3_per_km_cable=D("1833000.00"),
        metering_cost=D("21700.00"),
        rates_include_vat=False,
        vat_percent=D("20"),
    )


def within(*, urban: bool, metres: str) -> bool:
    return fees.within_distance(rules=get_rules(on=ON), urban=urban, grid_distance_m=D(metres))


def household(**kwargs) -> fees.FeeResult:
    arguments = {"applicant_group": "household", "requested_kw": D("15"), "voltage_kv": D("0.4"), "on": ON}
    return fees.calculate_fee(**{**arguments, **kwargs})


def amounts(result: fees.FeeResult) -> dict[str, Decimal]:
    return {line.code: line.amount for line in result.lines}


def test_household_15_kw_within_300_m_in_a_town_pays_the_preferential_rate(tariffs):
    assert within(urban=True, metres="280")
    result = household(within_distance=within(urban=True, metres="280"), overhead_km=D("0.28"))
    # standardised: 25 000 + 0.28 × 1 500 000 + 26 000 = 471 000 > 15 × 5 000
    assert result.method == fees.PREFERENTIAL
    assert result.within_conditions
    assert result.total == D("75000.00")
    assert amounts(result) == {"preferential": D("75000.00")}
    assert result.lines[0].formula == "15 kW × 5000"
    assert result.alternative_total == D("471000.00")
    assert {line.code for line in result.alternative_lines} == {"c1", "c2", "metering"}
    assert result.is_example


def test_household_15_kw_pays_the_standardised_rates_when_cheaper(tariffs):
    result = household(within_distance=within(urban=True, metres="40"))  # no line to build
    assert result.method == fees.STANDARDISED
    assert result.within_conditions
    assert amounts(result) == {"c1": D("25000.00"), "metering": D("26000.00")}
    assert result.total == D("51000.00")
    assert result.alternative_total == D("75000.00")


def test_privileged_household_pays_its_rate_per_kw(tariffs):
    result = fees.calculate_fee(
        applicant_group="privileged_household",
        requested_kw=D("7.5"),
        voltage_kv=D("0.23"),
        within_distance=within(urban=False, metres="450"),
        overhead_km=D("0.45"),
        on=ON,
    )
    assert result.method == fees.PRIVILEGED
    assert result.total == D("7500.00")
    assert result.lines[0].formula == "7.5 kW × 1000"


def test_business_100_kw_with_0_4_km_of_overhead_line_pays_standardised_rates_plus_vat(tariffs):
    result = fees.calculate_fee(
        applicant_group="business",
        requested_kw=D("100"),
        voltage_kv=D("0.4"),
        within_distance=True,
        overhead_km=D("0.4"),
        on=ON,
    )
    assert result.method == fees.STANDARDISED
    assert not result.within_conditions
    assert amounts(result) == {
        "c1": D("21452.00"),
        "c2": D("483200.00"),  # 0.4 × 1 208 000
        "metering": D("21700.00"),
        "vat": D("105270.40"),  # 20 % of 526 352.00
    }
    assert result.total == D("631622.40")
    assert sum(line.amount for line in result.lines) == result.total
    assert result.alternative_total is None


def test_household_beyond_500_m_in_a_village_pays_standardised_rates(tariffs):
    assert not within(urban=False, metres="650")
    result = household(within_distance=within(urban=False, metres="650"), overhead_km=D("0.65"))
    assert result.method == fees.STANDARDISED
    assert not result.within_conditions
    assert result.total == D("1026000.00")  # 25 000 + 0.65 × 1 500 000 + 26 000
    assert any("distance" in note for note in result.notes)


def test_the_tariff_valid_on_the_date_is_used(tariffs):
    Tariff.objects.create(
        region="RU-STA",
        applicant_group="household",
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
        preferential_rate_per_kw=D("4000.00"),
        c1_per_connection=D("90000.00"),
    )
    assert household(within_distance=True, on=date(2024, 12, 31)).total == D("60000.00")
    assert household(within_distance=True, on=date(2025, 1, 1)).total == D("51000.00")
    # an overlapping period is refused by the model's validation
    overlapping = Tariff(region="RU-STA", applicant_group="household", valid_from=date(2024, 6, 1))
    with pytest.raises(Exception, match="valid in this period"):
        overlapping.full_clean()


def test_no_tariff_is_a_clear_error(tariffs):
    with pytest.raises(fees.TariffNotFound) as error:
        household(within_distance=True, on=date(2024, 12, 31))
    assert "RU-STA" in error.value.message and "2024-12-31" in error.value.message
    with pytest.raises(fees.TariffNotFound):
        household(within_distance=True, region="RU-MOW")
