"""Bad input through the API functions: every problem names row, column, code and messages."""

import math
from decimal import Decimal

import pandas as pd
import pytest

from capacity_calc import (
    BuildingInput,
    DeviceInput,
    InputError,
    LiftInput,
    calculate_batch,
    calculate_building,
    calculate_devices,
)

GOOD = DeviceInput("kettle", 1)


def problems_of(call, *args, **kwargs):
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    problems = caught.value.problems
    for problem in problems:
        assert problem.message and problem.message_en
    return problems


def only(problems):
    assert len(problems) == 1, problems
    problem = problems[0]
    return problem.row, problem.column, problem.code


DEVICE_CASES = [
    ("zero power", DeviceInput("kettle", 1, unit_kw=0), "unit_kw", "not_positive"),
    ("negative power", DeviceInput("kettle", 1, unit_kw=Decimal(-2)), "unit_kw", "not_positive"),
    ("power required (no default)", DeviceInput("other", 1), "unit_kw", "required"),
    ("NaN power, no default", DeviceInput("other", 1, unit_kw=math.nan), "unit_kw", "required"),
    ("NaN Decimal power", DeviceInput("other", 1, unit_kw=Decimal("NaN")), "unit_kw", "required"),
    ("quantity missing", DeviceInput("kettle", None), "quantity", "required"),  # type: ignore[arg-type]
    ("quantity zero", DeviceInput("kettle", 0), "quantity", "not_positive"),
    ("quantity negative", DeviceInput("kettle", -3), "quantity", "not_positive"),
    ("quantity not integer", DeviceInput("kettle", 1.5), "quantity", "not_integer"),  # type: ignore[arg-type]
    ("unknown device type", DeviceInput("teleporter", 1), "device_type", "unknown_device_type"),
    ("blank device type", DeviceInput("  ", 1), "device_type", "required"),
    ("cos φ zero", DeviceInput("kettle", 1, cos_phi=0), "cos_phi", "cos_phi_out_of_range"),
    ("cos φ above 1", DeviceInput("kettle", 1, cos_phi=Decimal("1.2")), "cos_phi", "cos_phi_out_of_range"),
    ("Kс zero", DeviceInput("kettle", 1, demand_factor=0), "demand_factor", "demand_factor_out_of_range"),
    (
        "Kс above 1",
        DeviceInput("kettle", 1, demand_factor=Decimal("1.5")),
        "demand_factor",
        "demand_factor_out_of_range",
    ),
    ("phases 2", DeviceInput("kettle", 1, phases=2), "phases", "phases_invalid"),
    ("phases 0", DeviceInput("kettle", 1, phases=0), "phases", "phases_invalid"),
    ("unparseable power", DeviceInput("kettle", 1, unit_kw="два"), "unit_kw", "not_a_number"),  # type: ignore[arg-type]
    ("unparseable quantity", DeviceInput("kettle", "1,2,3"), "quantity", "not_a_number"),  # type: ignore[arg-type]
    ("infinite power", DeviceInput("kettle", 1, unit_kw=math.inf), "unit_kw", "not_a_number"),
]


@pytest.mark.parametrize(("label", "bad", "column", "code"), DEVICE_CASES, ids=[c[0] for c in DEVICE_CASES])
def test_calculate_devices_rejects(label, bad, column, code):
    # the bad row is the second of the list: row = 2
    assert only(problems_of(calculate_devices, [GOOD, bad])) == (2, column, code)


def test_calculate_devices_empty_list():
    assert only(problems_of(calculate_devices, [])) == (None, None, "no_rows")


def test_all_problems_are_reported_together_in_row_order():
    rows = [DeviceInput("teleporter", 0), GOOD, DeviceInput("kettle", 1, cos_phi=2, phases=2)]
    found = [(p.row, p.column, p.code) for p in problems_of(calculate_devices, rows)]
    assert found == [
        (1, "device_type", "unknown_device_type"),
        (1, "quantity", "not_positive"),
        (3, "cos_phi", "cos_phi_out_of_range"),
        (3, "phases", "phases_invalid"),
    ]


def test_messages_are_russian_first_with_english_variant():
    problem = problems_of(calculate_devices, [DeviceInput("kettle", 1, unit_kw=0)])[0]
    assert problem.message == "значение должно быть больше нуля, указано «0»"
    assert problem.message_en == "the value must be greater than zero, got '0'"
    assert problem.describe() == "строка 1, столбец «unit_kw»: значение должно быть больше нуля, указано «0»"
    error = InputError([problem])
    assert error.to_dict()["problems"][0] == {
        "row": 1,
        "column": "unit_kw",
        "code": "not_positive",
        "message": problem.message,
        "message_en": problem.message_en,
    }


@pytest.mark.parametrize(
    ("options", "column", "code"),
    [
        ({"simultaneity": 0}, "simultaneity", "simultaneity_out_of_range"),
        ({"simultaneity": "1,5"}, "simultaneity", "simultaneity_out_of_range"),
        ({"single_phase_voltage_v": 0}, "single_phase_voltage_v", "not_positive"),
        ({"three_phase_voltage_v": "x"}, "three_phase_voltage_v", "not_a_number"),
    ],
)
def test_bad_options(options, column, code):
    assert only(problems_of(calculate_devices, [GOOD], **options)) == (None, column, code)


BUILDING_CASES = [
    ("0 apartments", BuildingInput(apartments=0), None, "apartments", "apartments_total_out_of_range"),
    ("1001 apartments", BuildingInput(apartments=1001), None, "apartments", "apartments_out_of_range"),
    ("negative apartments", BuildingInput(apartments=-1), None, "apartments", "apartments_out_of_range"),
    (
        "apartments over 1000 in total",
        BuildingInput(apartments=900, comfort_apartments=200, comfort_unit_kw=20),
        None,
        "apartments",
        "apartments_total_out_of_range",
    ),
    ("fractional apartments", BuildingInput(apartments=2.5), None, "apartments", "not_integer"),  # type: ignore[arg-type]
    ("unparseable apartments", BuildingInput(apartments="много"), None, "apartments", "not_a_number"),  # type: ignore[arg-type]
    (
        "unknown stove",
        BuildingInput(apartments=10, stove_type="nuclear"),
        None,
        "stove_type",
        "unknown_stove_type",
    ),
    (
        "comfort without power",
        BuildingInput(comfort_apartments=10),
        None,
        "comfort_unit_kw",
        "required",
    ),
    (
        "comfort zero power",
        BuildingInput(comfort_apartments=10, comfort_unit_kw=0),
        None,
        "comfort_unit_kw",
        "not_positive",
    ),
    (
        "lifts without storeys",
        BuildingInput(apartments=10, lifts=[LiftInput(1, 7)]),
        None,
        "storeys",
        "required",
    ),
    (
        "zero lifts",
        BuildingInput(apartments=10, storeys=9, lifts=[LiftInput(0, 7)]),
        1,
        "lifts.count",
        "not_positive",
    ),
    (
        "lift power NaN",
        BuildingInput(apartments=10, storeys=9, lifts=[LiftInput(1, math.nan)]),
        1,
        "lifts.unit_kw",
        "required",
    ),
    (
        "other receiver with negative power",
        BuildingInput(
            apartments=10, other=[DeviceInput("well_pump", 1), DeviceInput("well_pump", 1, unit_kw=-1)]
        ),
        2,
        "other.unit_kw",
        "not_positive",
    ),
    (
        "other receiver unknown",
        BuildingInput(apartments=10, other=[DeviceInput("warp_drive", 1)]),
        1,
        "other.device_type",
        "unknown_device_type",
    ),
]


@pytest.mark.parametrize(
    ("label", "building", "row", "column", "code"), BUILDING_CASES, ids=[c[0] for c in BUILDING_CASES]
)
def test_calculate_building_rejects(label, building, row, column, code):
    assert only(problems_of(calculate_building, building)) == (row, column, code)


def test_building_unknown_field_from_dict():
    with pytest.raises(InputError) as caught:
        BuildingInput.from_dict({"apartments": 5, "flats": 3})
    assert caught.value.problems[0].column == "flats"
    assert caught.value.problems[0].code == "unknown_field"


def frame(**columns):
    base = {
        "application_id": ["a", "a", "b"],
        "device_type": ["kettle", "fridge", "kettle"],
        "quantity": [1, 2, 1],
    }
    base.update(columns)
    return pd.DataFrame(base)


BATCH_CASES = [
    ("zero power", {"unit_kw": [None, 0.0, None]}, 3, "unit_kw", "not_positive"),
    ("negative power", {"unit_kw": ["", "", "-1,5"]}, 4, "unit_kw", "not_positive"),
    ("empty quantity", {"quantity": [1, None, 1]}, 3, "quantity", "required"),
    ("NaN quantity", {"quantity": [1.0, math.nan, 1.0]}, 3, "quantity", "required"),
    ("non-integer quantity", {"quantity": ["1", "2,5", "1"]}, 3, "quantity", "not_integer"),
    (
        "unknown device",
        {"device_type": ["kettle", "flux_capacitor", "kettle"]},
        3,
        "device_type",
        "unknown_device_type",
    ),
    ("empty device", {"device_type": ["kettle", "", "kettle"]}, 3, "device_type", "required"),
    ("cos φ above 1", {"cos_phi": ["", "", "1,01"]}, 4, "cos_phi", "cos_phi_out_of_range"),
    ("cos φ zero", {"cos_phi": [0.0, None, None]}, 2, "cos_phi", "cos_phi_out_of_range"),
    ("Kс zero", {"demand_factor": ["0", "", ""]}, 2, "demand_factor", "demand_factor_out_of_range"),
    ("phases 2", {"phases": ["", "2", ""]}, 3, "phases", "phases_invalid"),
    ("unparseable number", {"unit_kw": ["", "1.2.3", ""]}, 3, "unit_kw", "not_a_number"),
    ("blank application", {"application_id": ["a", " ", "b"]}, 3, "application_id", "required"),
]


@pytest.mark.parametrize(
    ("label", "columns", "row", "column", "code"), BATCH_CASES, ids=[c[0] for c in BATCH_CASES]
)
def test_calculate_batch_rejects(label, columns, row, column, code):
    # a frame built in memory numbers rows as a file would: header = 1, first data row = 2
    assert only(problems_of(calculate_batch, frame(**columns))) == (row, column, code)


def test_calculate_batch_missing_columns():
    found = problems_of(calculate_batch, pd.DataFrame({"application_id": [1], "unit_kw": [1.0]}))
    assert [(p.row, p.column, p.code) for p in found] == [
        (1, "device_type", "missing_column"),
        (1, "quantity", "missing_column"),
    ]


def test_calculate_batch_empty_frame():
    empty = pd.DataFrame({"device_type": [], "quantity": []})
    assert only(problems_of(calculate_batch, empty)) == (None, None, "no_rows")


def test_too_many_problems_are_summarised():
    bad = pd.DataFrame({"device_type": ["teleporter"] * 500, "quantity": [1] * 500})
    found = problems_of(calculate_batch, bad)
    assert len(found) == 201
    assert found[-1].code == "too_many_problems"
    assert "300" in found[-1].message
