"""``python -m capacity_calc FILE [--json]`` in a subprocess: output, exit codes, messages."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "capacity_calc", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


GOOD_CSV = (
    "application_id;device_type;quantity;unit_kw;demand_factor;cos_phi;phases\n"
    "A-1;kettle;1;;;;\n"
    "A-1;electric_boiler_6;1;;;;\n"
    "B-2;ev_charger_22;1;;;;\n"
    "B-2;lighting_led;20;0,012;;;\n"
)


def test_table_output_for_each_application(tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    done = run(path)
    assert done.returncode == 0, done.stderr
    assert "Заявка / Application A-1" in done.stdout
    assert "Заявка / Application B-2" in done.stdout
    assert done.stdout.count("Расчёт по шагам") == 2
    assert "6.80 кВт" in done.stdout  # 0.4 × 2 + 6
    assert "Pр = Kо × ΣPр,i" in done.stdout


def test_json_output(tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    done = run(path, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    apps = {app["application_id"]: app for app in data["applications"]}
    assert set(apps) == {"A-1", "B-2"}
    assert apps["A-1"]["design_kw"] == "6.80"
    assert apps["A-1"]["phases"] == 1
    assert apps["B-2"]["phases"] == 3
    assert apps["B-2"]["trace"][0]["code"] == "device"


def test_xlsx_and_building_json(tmp_path):
    workbook = Workbook()
    workbook.active.append(["device_type", "quantity"])
    workbook.active.append(["sauna_heater", 1])
    workbook.save(tmp_path / "sauna.xlsx")
    building = tmp_path / "house.json"
    building.write_text(
        json.dumps(
            {
                "building": {
                    "apartments": 50,
                    "stove_type": "gas",
                    "storeys": 9,
                    "lifts": [{"count": 2, "unit_kw": 7}],
                }
            }
        ),
        encoding="utf-8",
    )
    sauna = json.loads(run(tmp_path / "sauna.xlsx", "--json").stdout)["applications"][0]
    assert sauna["design_kw"] == "9.00" and sauna["phases"] == 3
    house = run(building, "--json")
    assert house.returncode == 0, house.stderr
    result = json.loads(house.stdout)["applications"][0]
    assert result["design_kw"] == f"{56.25 + 0.9 * 0.8 * 14:.2f}"
    assert result["method"] == "building"


HEADER = "application_id;device_type;quantity;unit_kw;demand_factor;cos_phi;phases\n"
FIRST = "1;kettle;1;;;;\n"

# (label, file content, row, column, text expected in the Russian message)
BAD_FILES = [
    ("zero power", HEADER + FIRST + "1;kettle;1;0;;;\n", 3, "unit_kw", "больше нуля"),
    ("negative power", HEADER + FIRST + "1;kettle;1;-2,5;;;\n", 3, "unit_kw", "больше нуля"),
    ("empty required power", HEADER + FIRST + "1;other;1;;;;\n", 3, "unit_kw", "обязательно"),
    ("NaN power", HEADER + FIRST + "1;other;1;NaN;;;\n", 3, "unit_kw", "обязательно"),
    ("empty quantity", HEADER + FIRST + "1;kettle;;;;;\n", 3, "quantity", "обязательно"),
    ("non-integer quantity", HEADER + FIRST + "1;kettle;1,5;;;;\n", 3, "quantity", "целое"),
    ("unknown device type", HEADER + FIRST + "1;hyperdrive;1;;;;\n", 3, "device_type", "неизвестный тип"),
    ("missing column", "application_id;device_type\n1;kettle\n", 1, "quantity", "нет обязательного столбца"),
    ("bad cos φ", HEADER + FIRST + "1;kettle;1;;;1,2;\n", 3, "cos_phi", "cos φ"),
    ("zero cos φ", HEADER + FIRST + "1;kettle;1;;;0;\n", 3, "cos_phi", "cos φ"),
    ("bad demand factor", HEADER + FIRST + "1;kettle;1;;1,5;;\n", 3, "demand_factor", "Kс"),
    ("zero demand factor", HEADER + FIRST + "1;kettle;1;;0;;\n", 3, "demand_factor", "Kс"),
    ("phases 2", HEADER + FIRST + "1;kettle;1;;;;2\n", 3, "phases", "1 или 3"),
    ("unparseable number", HEADER + FIRST + "1;kettle;1;abc;;;\n", 3, "unit_kw", "не число"),
]


@pytest.mark.parametrize(
    ("label", "content", "row", "column", "text"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_bad_input_exits_2_naming_row_and_column(tmp_path, label, content, row, column, text):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    done = run(path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"строка {row}, столбец «{column}»" in done.stderr
    assert f"row {row}, column '{column}'" in done.stderr
    assert text in done.stderr
    assert done.stdout == ""


def test_empty_file_exits_2(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    done = run(path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "файл пуст" in done.stderr


@pytest.mark.parametrize(
    ("building", "text"),
    [
        # the total of both kinds must be 1 or more; each kind may be 0 — each message says which
        ({"apartments": 0}, "всего квартир (обычных и повышенной комфортности) должно быть от 1 до 1000"),
        ({"apartments": 1001}, "число квартир должно быть от 0 до 1000"),
    ],
)
def test_bad_apartments_exit_2(tmp_path, building, text):
    path = tmp_path / "house.json"
    path.write_text(json.dumps({"building": building}), encoding="utf-8")
    done = run(path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "столбец «apartments»" in done.stderr
    assert text in done.stderr


def test_missing_file_and_bad_json_exit_2(tmp_path):
    missing = run(tmp_path / "nope.csv")
    assert missing.returncode == 2 and "файл не найден" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"building": {\n  "apartments": 5,,\n}}', encoding="utf-8")
    done = run(broken)
    assert done.returncode == 2
    assert "строка 2" in done.stderr
    assert "Traceback" not in missing.stderr + done.stderr


def test_unexpected_error_exits_1_without_traceback(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("device_type,quantity\nkettle,1\n", encoding="utf-8")
    code = (
        "import sys; import capacity_calc.cli as cli\n"
        "def broken(*args, **kwargs): raise RuntimeError('boom')\n"
        "cli.run = broken\n"
        f"sys.exit(cli.main([{str(path)!r}]))\n"
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "RuntimeError: boom" in done.stderr


@pytest.mark.parametrize(
    "devices",
    [
        [{"device_type": "kettle"}, {"quantity": 2}],  # the second row has no device_type at all
        [{"quantity": 2}, {"device_type": "kettle"}],
    ],
)
def test_a_json_row_without_device_type_exits_2_with_its_row(tmp_path, devices):
    path = tmp_path / "devices.json"
    path.write_text(json.dumps({"devices": devices}), encoding="utf-8")
    done = run(path)
    assert done.returncode == 2, done.stderr
    row = 1 + next(index for index, item in enumerate(devices) if "device_type" not in item)
    assert f"строка {row}, столбец «device_type»" in done.stderr
    assert f"row {row}, column 'device_type'" in done.stderr
    assert "TypeError" not in done.stderr and "Traceback" not in done.stderr


def test_a_json_row_that_is_not_an_object_exits_2(tmp_path):
    path = tmp_path / "devices.json"
    path.write_text(json.dumps({"devices": [{"device_type": "kettle"}, 5]}), encoding="utf-8")
    done = run(path)
    assert done.returncode == 2 and "строка 2" in done.stderr


def test_phases_chosen_on_the_command_line_are_honoured_with_a_notice(tmp_path):
    path = tmp_path / "house.json"
    devices = [
        {"device_type": "electric_cooker"},
        {"device_type": "storage_water_heater"},
        {"device_type": "other", "unit_kw": "6"},
    ]
    path.write_text(json.dumps({"devices": devices}), encoding="utf-8")
    advised = json.loads(run(path, "--json").stdout)["applications"][0]
    chosen = json.loads(run(path, "--json", "--phases", "1").stdout)["applications"][0]
    assert advised["phases"] == 3 and chosen["phases"] == 1
    assert [notice["code"] for notice in chosen["notices"]] == ["single_phase_above_threshold"]
    wrong = run(path, "--phases", "2")
    assert wrong.returncode == 2 and "column 'phases'" in wrong.stderr
