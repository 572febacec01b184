"""Device-list method: defaults, overrides, trace, supply, breaker, category, JSON output."""

import json
from decimal import Decimal

import pytest

from capacity_calc import DeviceInput, LoadResult, calculate_devices, catalogue


def steps(result: LoadResult, code: str):
    return [step for step in result.trace if step.code == code]


def test_catalogue_defaults_fill_missing_values():
    result = calculate_devices([DeviceInput("kettle", 2)])
    kettle = catalogue()["kettle"]
    installed = 2 * kettle.unit_kw
    assert result.installed_kw == Decimal(f"{installed:.2f}")
    assert result.design_kw == Decimal(f"{kettle.demand_factor * installed:.2f}")
    device = steps(result, "device")[0]
    assert "из каталога" in device.description
    assert device.inputs["n"] == 2


def test_overrides_replace_catalogue_values():
    result = calculate_devices(
        [DeviceInput("kettle", 1, unit_kw=Decimal(3), demand_factor=Decimal("0.5"), cos_phi=1, phases=1)]
    )
    assert result.installed_kw == Decimal("3.00")
    assert result.design_kw == Decimal("1.50")
    assert "все значения заданы" in steps(result, "device")[0].description


def test_design_is_sum_of_kc_times_installed_per_group():
    rows = [
        DeviceInput("other", 2, unit_kw=3, demand_factor=Decimal("0.5"), cos_phi=1),
        DeviceInput("other", 1, unit_kw=4, demand_factor=Decimal("0.25"), cos_phi=1),
    ]
    result = calculate_devices(rows)
    assert result.installed_kw == Decimal("10.00")  # 2×3 + 1×4
    assert result.design_kw == Decimal("4.00")  # 0.5×6 + 0.25×4
    assert [s.result for s in steps(result, "device")] == [Decimal(3), Decimal(1)]


def test_simultaneity_factor_applies_on_top():
    rows = [DeviceInput("other", 1, unit_kw=10, demand_factor=1, cos_phi=1)]
    assert calculate_devices(rows, simultaneity=Decimal("0.8")).design_kw == Decimal("8.00")
    assert calculate_devices(rows, simultaneity="0,8").design_kw == Decimal("8.00")


def test_device_type_by_russian_or_english_name():
    by_code = calculate_devices([DeviceInput("well_pump", 1)])
    by_ru = calculate_devices([DeviceInput("Скважинный насос", 1)])
    by_en = calculate_devices([DeviceInput("borehole (WELL) pump", 1)])
    assert by_code.design_kw == by_ru.design_kw == by_en.design_kw


def test_mappings_are_accepted_like_device_inputs():
    assert calculate_devices([{"device_type": "kettle", "quantity": 2}]) == calculate_devices(
        [DeviceInput("kettle", 2)]
    )


def test_reactive_power_and_weighted_cos_phi():
    # one motor load 0.8 cos φ: Q = P × tg φ = 10 × 0.75 = 7.5; S = 12.5
    result = calculate_devices([DeviceInput("other", 1, unit_kw=10, demand_factor=1, cos_phi=Decimal("0.8"))])
    assert result.reactive_kvar == Decimal("7.50")
    assert result.apparent_kva == Decimal("12.50")
    assert result.cos_phi == Decimal("0.800")


def test_small_load_gets_single_phase_230v():
    result = calculate_devices([DeviceInput("other", 1, unit_kw=5, demand_factor=1, cos_phi=1)])
    assert (result.phases, result.voltage_kv, result.current_voltage_v) == (1, "0.23", 230)
    assert result.design_current_a == Decimal("21.7")  # 5000 / 230
    assert result.breaker_a == 25
    assert result.category == "household"


def test_single_phase_threshold_is_inclusive():
    at = calculate_devices([DeviceInput("other", 1, unit_kw=10, demand_factor=1, cos_phi=1)])
    above = calculate_devices([DeviceInput("other", 1, unit_kw=Decimal("10.01"), demand_factor=1, cos_phi=1)])
    assert at.phases == 1 and at.design_current_a == Decimal("43.5") and at.breaker_a == 50
    assert above.phases == 3 and above.voltage_kv == "0.4"


def test_three_phase_device_forces_three_phase_supply():
    result = calculate_devices([DeviceInput("ev_charger_11", 1)])
    assert result.design_kw == Decimal("11.00")
    assert (result.phases, result.voltage_kv, result.current_voltage_v) == (3, "0.4", 400)
    supply = steps(result, "supply")[0]
    assert supply.inputs["трёхфазные приёмники"] == "да"
    small = calculate_devices([DeviceInput("lathe", 1)])
    assert small.design_kw < 10 and small.phases == 3


def test_low_power_factor_single_phase_current_above_limit_goes_three_phase():
    # 9 kW at cos φ 0.5: I₁ = 18000 / 230 = 78.3 A > 63 A → three phases
    result = calculate_devices([DeviceInput("other", 1, unit_kw=9, demand_factor=1, cos_phi=Decimal("0.5"))])
    assert result.phases == 3


def test_categories_at_the_limits():
    def category(kw):
        return calculate_devices([DeviceInput("other", 1, unit_kw=kw, demand_factor=1, cos_phi=1)]).category

    assert category(15) == "household"
    assert category(Decimal("15.01")) == "business"
    assert category(150) == "business"
    assert category(Decimal("150.01")) == "beyond"


def test_above_150kw_suggests_medium_voltage_with_notice():
    result = calculate_devices([DeviceInput("other", 1, unit_kw=200, demand_factor=1, cos_phi=1)])
    assert result.voltage_kv == "6/10"
    assert result.phases == 3
    assert {n.code for n in result.notices} == {"medium_voltage", "beyond_portal"}
    assert result.design_current_a == Decimal("288.7")
    assert result.breaker_a == 315


def test_current_above_breaker_series_gives_none():
    result = calculate_devices([DeviceInput("other", 1, unit_kw=5000, demand_factor=1, cos_phi=1)])
    assert result.breaker_a is None
    assert "no_breaker" in {n.code for n in result.notices}


def test_voltage_parameters():
    rows = [DeviceInput("other", 1, unit_kw=Decimal("2.2"), demand_factor=1, cos_phi=1)]
    assert calculate_devices(rows, single_phase_voltage_v=220).design_current_a == Decimal("10.0")
    assert calculate_devices(rows).design_current_a == Decimal("9.6")


def test_trace_has_every_step_with_formula_inputs_and_result():
    result = calculate_devices([DeviceInput("kettle", 1), DeviceInput("fridge", 2, name="Кухня")])
    codes = [step.code for step in result.trace]
    assert codes == [
        "device",
        "device",
        "installed_total",
        "design_sum",
        "design_power",
        "reactive_power",
        "apparent_power",
        "power_factor",
        "supply",
        "current",
        "breaker",
        "category",
    ]
    for step in result.trace:
        assert step.description and step.description_en and step.formula and step.inputs
        assert step.result != ""
    assert "Кухня" in result.trace[1].description
    assert steps(result, "breaker")[0].result == result.breaker_a
    assert steps(result, "current")[0].result == result.design_current_a


def test_trace_lets_a_user_recompute_the_totals():
    result = calculate_devices([DeviceInput("kettle", 3), DeviceInput("washing_machine", 1)])
    installed = steps(result, "installed_total")[0]
    assert sum(installed.inputs.values()) == result.installed_kw
    design = steps(result, "design_sum")[0]
    assert sum(design.inputs.values()) == result.design_kw


def test_to_dict_is_json_serialisable_with_decimal_strings():
    result = calculate_devices([DeviceInput("kettle", 1)])
    data = json.loads(json.dumps(result.to_dict()))
    assert data["design_kw"] == "0.80"
    assert data["installed_kw"] == "2.00"
    assert data["design_current_a"] == "3.5"
    assert data["breaker_a"] == 6
    assert data["phases"] == 1
    assert data["trace"][0]["inputs"]["Pном"] == "2"
    assert data["category"] == "household"
    assert isinstance(data["notices"], list)


@pytest.mark.parametrize("code", ["kettle", "ev_charger_7", "ev_charger_11", "ev_charger_22", "heat_pump"])
def test_catalogue_devices_calculate(code):
    result = calculate_devices([DeviceInput(code, 1)])
    assert Decimal(0) < result.design_kw <= result.installed_kw
