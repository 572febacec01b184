"""The import contracts of pyproject.toml (`make layers`): they hold for the code as it is, and a
forbidden import added to a copy of the code breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["backend", "grid", "connection", "workflow", "capacity_calc", "api_schema", "web"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """The packages and the contracts, copied (code only: no data, no caches)."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "data", "static", "templates", "locale")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=directory,
        env={**os.environ, "PYTHONPATH": str(directory)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_contracts_hold(project_copy):
    result = lint(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("capacity_calc/scratch.py", "import django\n", "capacity_calc is plain Python"),
        ("grid/scratch.py", "from connection import services\n", "Layers"),
        ("workflow/scratch.py", "from connection.models import ConnectionRequest\n", "Layers"),
        ("connection/models/scratch.py", "from connection import services\n", "Models import no services"),
        (
            "connection/scratch.py",
            "from rest_framework import exceptions\n",
            "Only the API packages import DRF",
        ),
        # tracking renders the engineer's page: the engineer's module importing it back is a cycle
        ("web/engineer.py", "from web import tracking\n", "No import cycles inside an app"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(project_copy, module, line, contract):
    path = project_copy / module
    path.write_text((path.read_text() if path.exists() else "") + line)
    result = lint(project_copy)
    assert result.returncode == 1, result.stdout
    assert f"{contract}" in result.stdout.split("Broken contracts")[1]
