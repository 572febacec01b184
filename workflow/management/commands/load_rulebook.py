"""Upsert rulebook versions from files, so ops ship a new version as a file in the repository."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflow.rulebook import RulebookInvalid, upsert_version
from workflow.seeding import DataFileError, read_rulebook_file


class Command(BaseCommand):
    help = (
        "Create or update rulebook versions from YAML files (workflow/data/rulebook-*.yaml). "
        "Idempotent; a version in effect is never changed (it may only gain keys it lacks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args, files: list[Path], **options):
        for path in files:
            try:
                version, result = upsert_version(read_rulebook_file(path))
            except (OSError, DataFileError, RulebookInvalid) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            style = self.style.SUCCESS if result != "unchanged" else (lambda text: text)
            self.stdout.write(style(f"{version.code} (from {version.effective_from}): {result}"))
