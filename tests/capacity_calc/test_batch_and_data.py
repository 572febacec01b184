"""Batch path and data files."""

import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capacity_calc import (
    BATCH_COLUMNS,
    DeviceInput,
    calculate_batch,
    calculate_devices,
    catalogue,
    tables,
)

PACKAGE = Path(__file__).resolve().parents[2] / "capacity_calc"


def test_batch_one_row_per_application_in_first_appearance_order():
    frame = pd.DataFrame(
        {
            "application_id": [7, 3, 7, 3, 9],
            "device_type": ["kettle", "ev_charger_22", "fridge", "lighting_led", "other"],
            "quantity": [1, 1, 2, 10, 1],
            "unit_kw": [np.nan, np.nan, np.nan, 0.01, 200.0],
        }
    )
    result = calculate_batch(frame)
    assert list(result.columns) == list(BATCH_COLUMNS)
    assert list(result["application_id"]) == [7, 3, 9]
    assert list(result["rows"]) == [2, 2, 1]
    assert list(result["devices"]) == [3, 11, 1]
    first = calculate_devices([DeviceInput("kettle", 1), DeviceInput("fridge", 2)])
    assert Decimal(f"{result['design_kw'].iloc[0]:.2f}") == first.design_kw
    assert list(result["voltage_kv"]) == ["0.23", "0.4", "6/10"]
    assert list(result["category"]) == ["household", "business", "beyond"]
    assert list(result["phases"]) == [1, 3, 3]


def test_batch_without_application_column_is_one_application():
    result = calculate_batch(pd.DataFrame({"device_type": ["kettle", "kettle"], "quantity": ["1", "1"]}))
    assert list(result["application_id"]) == ["1"]
    assert result["design_kw"].iloc[0] == pytest.approx(1.6)


def test_batch_text_and_numeric_columns_agree():
    numeric = pd.DataFrame(
        {
            "application_id": [1, 1],
            "device_type": ["other", "oven"],
            "quantity": [2, 1],
            "unit_kw": [1.25, np.nan],
        }
    )
    text = numeric.astype(object).where(numeric.notna(), "").astype(str)
    text["unit_kw"] = ["1,25", ""]
    left, right = calculate_batch(numeric), calculate_batch(text)
    for column in ("installed_kw", "design_kw", "reactive_kvar", "design_current_a"):
        assert left[column].iloc[0] == right[column].iloc[0]


def test_batch_breaker_na_above_series_and_simultaneity():
    frame = pd.DataFrame(
        {"device_type": ["other"], "quantity": [1], "unit_kw": [5000.0], "demand_factor": [1.0]}
    )
    assert pd.isna(calculate_batch(frame)["breaker_a"].iloc[0])
    assert calculate_batch(frame, simultaneity=0.5)["design_kw"].iloc[0] == 2500


def test_batch_accepts_russian_headings():
    frame = pd.DataFrame({"Заявка": ["x"], "Тип устройства": ["Электрочайник"], "Количество": [3]})
    assert calculate_batch(frame)["installed_kw"].iloc[0] == 6


REQUIRED_DEVICES = {
    "kettle",
    "electric_cooker",
    "oven",
    "electric_boiler_6",
    "heat_pump",
    "instant_water_heater",
    "storage_water_heater",
    "air_conditioner",
    "ev_charger_7",
    "ev_charger_11",
    "ev_charger_22",
    "well_pump",
    "sauna_heater",
    "welding_machine",
    "lighting_led",
    "fridge",
    "washing_machine",
    "dishwasher",
    "microwave",
    "tv",
    "computer",
    "induction_hob",
    "floor_heating",
    "convector_heater",
    "circular_saw",
    "compressor",
}


def test_catalogue_has_at_least_40_devices_with_sources():
    types = catalogue().types
    assert len(types) >= 40
    assert {d.code for d in types} >= REQUIRED_DEVICES
    assert len({d.code for d in types}) == len(types)
    for device in types:
        assert device.name_ru and device.name_en and device.source
        assert re.search("[а-яё]", device.name_ru.lower())
        assert 0 < device.demand_factor <= 1 and 0 < device.cos_phi <= 1 and device.phases in (1, 3)
        assert device.unit_kw is None or device.unit_kw > 0
    assert catalogue()["ev_charger_22"].unit_kw == 22


@pytest.mark.parametrize("path", sorted((PACKAGE / "data").glob("*.csv")), ids=lambda p: p.name)
def test_every_data_row_has_a_source(path):
    rows = tables.read_data_file(path.name)
    assert rows
    if "source" in rows[0]:
        assert all(row["source"] for row in rows)


def test_tables_are_loaded_once():
    assert tables.catalogue() is tables.catalogue()
    assert tables.apartment_tables() is tables.apartment_tables()
    assert tables.settings() is tables.settings()


def test_categories_and_breakers_from_data():
    assert [(c.code, c.max_kw) for c in tables.categories()][:2] == [("household", 15), ("business", 150)]
    assert "861" in tables.categories()[0].source
    ratings = list(tables.breaker_series().ratings[:15])
    assert ratings == [6, 10, 16, 20, 25, 32, 40, 50, 63, 80, 100, 125, 160, 200, 250]


def test_package_does_not_import_django():
    for source in PACKAGE.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+django", text, re.MULTILINE), source


def test_batch_interleaved_and_contiguous_rows_agree():
    # contiguous applications take the reduceat path, interleaved ones the groupby path
    rng = np.random.default_rng(7)
    codes = [d.code for d in catalogue().types if d.unit_kw is not None]
    n = 400
    frame = pd.DataFrame(
        {
            "application_id": rng.integers(0, 40, n),
            "device_type": rng.choice(codes, n),
            "quantity": rng.integers(1, 4, n),
            "unit_kw": np.where(rng.random(n) < 0.3, rng.uniform(0.1, 9, n).round(2), np.nan),
            "cos_phi": np.where(rng.random(n) < 0.2, rng.uniform(0.5, 1, n).round(2), np.nan),
        }
    )
    interleaved = calculate_batch(frame).set_index("application_id").sort_index()
    contiguous = calculate_batch(frame.sort_values("application_id", kind="stable")).set_index(
        "application_id"
    )
    pd.testing.assert_frame_equal(interleaved, contiguous.sort_index(), check_exact=True)
    for app in (0, 17, 39):
        rows = frame[frame["application_id"] == app]
        single = calculate_devices(
            [
                DeviceInput(
                    r.device_type,
                    int(r.quantity),
                    unit_kw=None if np.isnan(r.unit_kw) else r.unit_kw,
                    cos_phi=None if np.isnan(r.cos_phi) else r.cos_phi,
                )
                for r in rows.itertuples()
            ]
        )
        assert Decimal(f"{interleaved.loc[app, 'design_kw']:.2f}") == single.design_kw
        assert interleaved.loc[app, "rows"] == len(rows)
