"""Residential building method: tables 7.1–7.4 and Pр.ж.д = Pкв + 0.9 × Pс."""

from decimal import Decimal

import pytest

from capacity_calc import (
    BuildingInput,
    DeviceInput,
    LiftInput,
    apartment_specific_load,
    calculate_building,
    comfort_demand_factor,
    comfort_simultaneity_factor,
    lift_demand_factor,
)


def step(result, code):
    return next(s for s in result.trace if s.code == code)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_one_to_five_apartments_use_the_1_5_column(n):
    assert apartment_specific_load(n, "gas") == 4.5
    assert apartment_specific_load(n, "electric") == 10
    assert (
        "«1–5»"
        in step(calculate_building(BuildingInput(apartments=n)), "apartment_specific_load").description
    )


@pytest.mark.parametrize(
    ("stove", "n", "value"),
    [
        ("gas", 6, 2.8),
        ("gas", 1000, 0.67),
        ("lpg_solid", 24, 1.8),
        ("electric", 12, 3.2),
        ("garden", 600, 0.51),
        ("electric", 7, 5.1 + (3.8 - 5.1) / 3),
    ],
)
def test_table_7_1_columns_and_interpolation(stove, n, value):
    assert apartment_specific_load(n, stove) == pytest.approx(value)


def test_stove_type_by_russian_name():
    by_name = calculate_building(
        BuildingInput(apartments=10, stove_type="Квартиры с плитами на природном газе")
    )
    assert by_name.design_kw == calculate_building(BuildingInput(apartments=10, stove_type="gas")).design_kw


def test_comfort_tables_7_2_and_7_3():
    assert comfort_demand_factor(10) == 0.8  # ≤ 14 kW
    assert comfort_demand_factor(14) == 0.8
    assert comfort_demand_factor(25) == pytest.approx(0.625)  # between 20 (0.65) and 30 (0.6)
    assert comfort_demand_factor(70) == 0.45
    assert comfort_simultaneity_factor(5) == 1
    assert comfort_simultaneity_factor(6) == 0.51
    assert comfort_simultaneity_factor(50) == pytest.approx(0.19)


def test_comfort_apartments_load():
    # Pр.кв = Pу × Kс × n × Kо = 20 × 0.65 × 12 × 0.32 = 49.92
    result = calculate_building(BuildingInput(comfort_apartments=12, comfort_unit_kw=20))
    assert result.design_kw == Decimal("49.92")
    assert result.installed_kw == Decimal("240.00")
    assert step(result, "comfort_load").result == Decimal("49.92")


def test_comfort_beyond_tables_is_clamped_with_notice():
    result = calculate_building(BuildingInput(comfort_apartments=700, comfort_unit_kw=80))
    assert {n.code for n in result.notices} >= {"beyond_table_7_2", "beyond_table_7_3"}
    assert result.design_kw == Decimal(f"{80 * 0.45 * 700 * 0.11:.2f}")


def test_lift_table_7_4():
    assert lift_demand_factor(1, 9) == 1
    assert lift_demand_factor(2, 9) == 0.8
    assert lift_demand_factor(3, 9) == 0.8
    assert lift_demand_factor(5, 16) == 0.8
    assert lift_demand_factor(8, 9) == pytest.approx(0.575)  # between 6 (0.65) and 10 (0.5)
    assert lift_demand_factor(25, 9) == 0.35
    assert lift_demand_factor(40, 20) == 0.4
    assert lift_demand_factor(2, 11) == 0.8
    assert lift_demand_factor(2, 12) == 0.9  # "12 storeys and more"


def test_building_total_adds_0_9_of_power_receivers():
    # 60 gas apartments: 1.05 × 60 = 63; lifts: 2 × 7 kW, 9 storeys: 0.8 × 14 = 11.2;
    # pumps: 2 × 1.1 × 0.8 = 1.76; Pр.ж.д = 63 + 0.9 × (11.2 + 1.76) = 74.664
    building = BuildingInput(
        apartments=60,
        stove_type="gas",
        storeys=9,
        lifts=[LiftInput(count=2, unit_kw=Decimal(7))],
        other=[DeviceInput("well_pump", 2)],
    )
    result = calculate_building(building)
    assert step(result, "lift_load").result == Decimal("11.2")
    assert step(result, "power_receivers").result == Decimal("12.96")
    assert result.design_kw == Decimal("74.66")
    assert result.phases == 3  # lifts are three-phase
    assert result.installed_kw == Decimal(f"{60 * 4.5 + 14 + 2.2:.2f}")


def test_mixed_apartments_add_up():
    plain = calculate_building(BuildingInput(apartments=40)).design_kw
    comfort = calculate_building(BuildingInput(comfort_apartments=10, comfort_unit_kw=30)).design_kw
    both = calculate_building(BuildingInput(apartments=40, comfort_apartments=10, comfort_unit_kw=30))
    assert both.design_kw == plain + comfort


def test_lift_groups_are_counted_together():
    building = BuildingInput(
        apartments=100, storeys=16, lifts=[LiftInput(2, Decimal("7.5")), LiftInput(2, Decimal(11))]
    )
    lift = step(calculate_building(building), "lift_load")
    assert lift.inputs["Kс.л"] == Decimal("0.8")  # 4 lifts, 16 storeys
    assert lift.result == Decimal("29.6")  # 0.8 × (15 + 22)


def test_building_from_dict():
    data = {"apartments": 50, "stove_type": "gas", "storeys": 9, "lifts": [{"count": 1, "unit_kw": 7}]}
    result = calculate_building(BuildingInput.from_dict(data))
    assert result.design_kw == Decimal(f"{56.25 + 0.9 * 7:.2f}")


def test_building_trace_to_dict():
    data = calculate_building(BuildingInput(apartments=50)).to_dict()
    codes = [s["code"] for s in data["trace"]]
    assert codes[:2] == ["apartment_specific_load", "apartments_load"]
    assert data["trace"][0]["result"] == "1.125"
    assert data["method"] == "building"
