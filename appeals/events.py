"""The call point where consumers' reports record events for other systems.

The integration app (built separately) consumes events through a core interface; until the lead
wires this function to it, the events are written to the log, so nothing is lost from sight."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def record_event(name: str, **objects) -> None:
    """Record that `name` happened to `objects` (a report, an incident). Called inside the
    transaction of the change."""
    logger.info(
        "appeals event %s: %s",
        name,
        ", ".join(f"{key}={getattr(value, 'number', value)}" for key, value in objects.items()),
    )
