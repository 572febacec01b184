"""Fail when the committed OpenAPI file is not what the code generates (or is invalid)."""

import difflib
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

COMMITTED = Path(settings.BASE_DIR) / "api_schema" / "openapi.yaml"


def generate_schema(path: Path) -> None:
    """Write the schema as `make schema` does: validated, no warnings, English texts."""
    call_command("spectacular", file=str(path), validate=True, fail_on_warn=True, lang="en")


class Command(BaseCommand):
    help = "Compare api_schema/openapi.yaml with the schema generated from the code."

    def add_arguments(self, parser):
        parser.add_argument("--committed", default=str(COMMITTED), help="The committed schema file to check.")

    def handle(self, *args, committed: str, **options):
        committed_path = Path(committed)
        if not committed_path.exists():
            raise CommandError(f"{committed_path} is missing: run `make schema` and commit it.")
        with tempfile.TemporaryDirectory() as folder:
            fresh = Path(folder) / "openapi.yaml"
            generate_schema(fresh)
            expected = fresh.read_text(encoding="utf-8")
        actual = committed_path.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(
                list(
                    difflib.unified_diff(
                        actual.splitlines(keepends=True),
                        expected.splitlines(keepends=True),
                        fromfile=str(committed_path),
                        tofile="generated",
                    )
                )[:80]
            )
            raise CommandError(f"The OpenAPI schema is stale: run `make schema` and commit it.\n{diff}")
        self.stdout.write("OpenAPI schema is up to date and valid.")
