"""Demo branches: a district's branch is named after the district, a town's after the town."""

import csv
from importlib import resources

from grid.demo import TOWNS_FILE, branch_rows


def _towns() -> set[str]:
    with (resources.files("grid") / "data" / TOWNS_FILE).open(encoding="utf-8", newline="") as handle:
        return {row["city"] for row in csv.DictReader(handle) if row["city"]}


def test_districts_are_not_named_as_towns():
    rows = {row["territory"]: row for row in branch_rows()}
    assert rows["Новоселицкий"]["name"] == "Новоселицкий РЭС" and rows["Новоселицкий"]["is_district"]
    assert rows["Арзгирский"]["name"] == "Арзгирский РЭС"
    assert rows["Ставрополь"]["name"] == "РЭС г. Ставрополь" and not rows["Ставрополь"]["is_district"]
    towns = _towns()
    for row in rows.values():
        if row["name"].startswith("РЭС г. "):
            assert row["territory"] in towns, row["name"]  # only real towns are called towns
    assert sum(not row["is_district"] for row in rows.values()) == 8
