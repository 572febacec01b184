"""Reading CSV (UTF-8, UTF-8 BOM, Windows-1251; comma, semicolon; decimal comma) and XLSX."""

import io
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import Workbook

from capacity_calc import (
    DeviceInput,
    InputError,
    calculate_batch,
    calculate_devices,
    read_table,
)

ROWS = [
    ("1", "kettle", "2", "", "", "", ""),
    ("1", "fridge", "1", "0.25", "", "0.8", ""),
    ("2", "ev_charger_22", "1", "", "", "", ""),
    ("2", "well_pump", "1", "1.5", "0.7", "", "1"),
]
HEADER = ("application_id", "device_type", "quantity", "unit_kw", "demand_factor", "cos_phi", "phases")


def expected() -> dict[str, Decimal]:
    one = calculate_devices(
        [DeviceInput("kettle", 2), DeviceInput("fridge", 1, unit_kw=Decimal("0.25"), cos_phi=Decimal("0.8"))]
    )
    two = calculate_devices(
        [
            DeviceInput("ev_charger_22", 1),
            DeviceInput("well_pump", 1, unit_kw=Decimal("1.5"), demand_factor=Decimal("0.7"), phases=1),
        ]
    )
    return {"1": one.design_kw, "2": two.design_kw}


def write_csv(path, sep: str, encoding: str, decimal_comma: bool = False, header=HEADER, rows=ROWS):
    lines = [sep.join(header)]
    for row in rows:
        cells = [cell.replace(".", ",") if decimal_comma else cell for cell in row]
        if sep == ",":
            cells = [f'"{cell}"' if "," in cell else cell for cell in cells]
        lines.append(sep.join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def design_by_app(frame: pd.DataFrame) -> dict[str, Decimal]:
    result = calculate_batch(frame)
    return {
        str(app): Decimal(f"{kw:.2f}")
        for app, kw in zip(result["application_id"], result["design_kw"], strict=True)
    }


@pytest.mark.parametrize(
    ("sep", "encoding", "decimal_comma"),
    [
        (",", "utf-8", False),
        (";", "utf-8", False),
        (";", "utf-8-sig", True),
        (",", "utf-8-sig", True),
        (";", "cp1251", True),
        ("\t", "utf-16", True),
    ],
)
def test_csv_variants_give_the_same_result(tmp_path, sep, encoding, decimal_comma):
    path = write_csv(tmp_path / "devices.csv", sep, encoding, decimal_comma)
    frame = read_table(path)
    assert list(frame.columns) == list(HEADER)
    assert list(frame.index) == [2, 3, 4, 5]
    assert frame.index.name == "row"
    assert design_by_app(frame) == expected()


def test_cp1251_with_russian_headings_and_device_names(tmp_path):
    header = ("Заявка", "Тип устройства", "Количество", "Мощность, кВт", "Кс", "cos", "Фазы")
    rows = [("А-1", "Электрочайник", "2", "", "", "", ""), ("А-1", "Холодильник", "1", "0,25", "", "0,8", "")]
    path = tmp_path / "excel.csv"
    lines = [";".join(f'"{h}"' if "," in h else h for h in header)] + [";".join(r) for r in rows]
    path.write_bytes("\r\n".join(lines).encode("cp1251"))
    frame = read_table(path)
    assert list(frame.columns) == list(header)
    assert design_by_app(frame) == {"А-1": expected()["1"]}


def test_blank_lines_and_trailing_separators_keep_row_numbers(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("device_type;quantity;unit_kw;;\nkettle;1;;;\n;;;;\n\nkettle;1;-1;;\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.index) == [2, 5]
    assert list(frame.columns) == ["device_type", "quantity", "unit_kw"]
    with pytest.raises(InputError) as caught:
        calculate_batch(frame)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.code) == (5, "unit_kw", "not_positive")


def test_thousands_separators_and_spaces(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(
        'device_type;quantity;unit_kw\nother;1;"1\u00a0234,5"\nother;1 000;0,5\n', encoding="utf-8"
    )
    result = calculate_batch(read_table(path))
    assert result["installed_kw"].iloc[0] == pytest.approx(1234.5 + 500)


def make_xlsx(path, rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_xlsx_with_numbers_and_text_cells(tmp_path):
    rows = [
        (1, "kettle", 2, None, None, None, None),
        (1, "fridge", 1, 0.25, None, "0,8", None),
        (None, None, None, None, None, None, None),
        (2, "ev_charger_22", 1, None, None, None, None),
        (2, "well_pump", 1.0, "1,5", 0.7, None, 1),
    ]
    frame = read_table(make_xlsx(tmp_path / "devices.xlsx", rows))
    assert list(frame.index) == [2, 3, 5, 6]
    assert design_by_app(frame) == expected()


def test_xlsx_bad_cell_names_its_row_and_column(tmp_path):
    rows = [(1, "kettle", 1, None, None, None, None), (1, "kettle", 1, None, None, 7, None)]
    with pytest.raises(InputError) as caught:
        calculate_batch(read_table(make_xlsx(tmp_path / "bad.xlsx", rows)))
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.code) == (3, "cos_phi", "cos_phi_out_of_range")


def test_file_objects_and_bytes():
    data = b"device_type,quantity\nkettle,1\n"
    assert list(read_table(io.BytesIO(data))["device_type"]) == ["kettle"]
    assert list(read_table(data, format="csv")["quantity"]) == ["1"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"   \r\n\r\n", "empty_file"),
        (b"device_type;quantity\r\n", "empty_file"),
        (b"device_type;quantity\r\n;\r\n", "empty_file"),
        (b"a,b\n1,2\n3,4,5\n", "malformed_csv"),
    ],
)
def test_unreadable_csv(tmp_path, content, code):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.problems[0].code == code


def test_malformed_csv_names_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.problems[0].row == 3


def test_missing_file_and_unsupported_formats(tmp_path):
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "nope.csv")
    assert caught.value.problems[0].code == "file_not_found"
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(InputError) as caught:
        read_table(old)
    assert caught.value.problems[0].code == "unsupported_format"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError) as caught:
        read_table(broken)
    assert caught.value.problems[0].code == "unreadable_file"


def test_empty_xlsx(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.problems[0].code == "empty_file"
