"""The state machine drawn from the code, as a Mermaid diagram (rendered by GitHub, GitLab and
most documentation tools without any extra software)."""

from __future__ import annotations

from django.utils import translation

from workflow.machine import Actor
from workflow.services import TRANSITIONS
from workflow.states import FINAL_STATES, State

ACTOR_MARK = {Actor.OWNER: "applicant", Actor.BRANCH: "engineer", Actor.SYSTEM: "scheduled"}


def mermaid(language: str = "ru") -> str:
    with translation.override(language):
        lines = ["stateDiagram-v2", "    direction LR"]
        for state in State:
            lines.append(f"    {state.value}: {state.value}<br/>{state.label}")
        lines.append("    [*] --> draft")
        for info in TRANSITIONS.values():
            for source in info.sources:
                lines.append(f"    {source} --> {info.target}: {info.name} ({ACTOR_MARK[info.actor]})")
        for state in (state for state in State if state in FINAL_STATES):
            lines.append(f"    {state.value} --> [*]")
        return "\n".join(lines)


def document() -> str:
    return "\n".join(
        [
            "# The application's state machine",
            "",
            "Generated from `workflow/machine.py` by `manage.py draw_state_machine` (`make docs`); a test",
            "fails when this file differs from what the code draws. Each arrow is a transition and who runs",
            "it: the applicant (owner of the application), an engineer of the application's branch (or a",
            "supervisor), or the portal's scheduled job.",
            "",
            "```mermaid",
            mermaid("ru"),
            "```",
            "",
            "In English:",
            "",
            "```mermaid",
            mermaid("en"),
            "```",
            "",
        ]
    )
