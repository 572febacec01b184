from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from workflow.diagram import document

DEFAULT = Path(settings.BASE_DIR) / "docs" / "state-machine.md"


class Command(BaseCommand):
    help = "Draw the application's state machine from the code into docs/state-machine.md (Mermaid)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT))

    def handle(self, *args, file: str, **options):
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        Path(file).write_text(document(), encoding="utf-8")
        self.stdout.write(f"Written {file}")
