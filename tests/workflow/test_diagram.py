from pathlib import Path

from django.conf import settings

from workflow.diagram import document, mermaid
from workflow.services import TRANSITIONS


def test_committed_diagram_is_what_the_code_draws():
    committed = (Path(settings.BASE_DIR) / "docs" / "state-machine.md").read_text(encoding="utf-8")
    assert committed == document(), "run `make docs` and commit docs/state-machine.md"


def test_every_transition_is_drawn():
    drawn = mermaid("en")
    for name, info in TRANSITIONS.items():
        for source in info.sources:
            assert f"{source} --> {info.target}: {name} (" in drawn
