"""Running a transition: permission, state, deadline of the new step, history, notifications.

One function does it for every transition, inside the caller's transaction. Domain changes that
belong to a transition (routing, the offer's data, capacity) are made by the `before` callback
the domain passes in, so they commit or roll back together with the state change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransition, can_proceed

from backend.acting import acting_via
from backend.events.models import EventKind
from backend.events.services import record_event
from backend.users.roles import Role
from workflow import deadlines
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionNotFound
from workflow.machine import PERMISSIONS, Actor, ApplicationStateMachine
from workflow.models import TransitionLog
from workflow.rulebook import get_rules, get_rules_by_version
from workflow.signals import transition_completed, transition_recorded
from workflow.states import State


@dataclass(frozen=True)
class TransitionInfo:
    name: str
    label: str
    actor: str
    sources: tuple[str, ...]
    target: str
    also_system: bool = False


def _collect() -> dict[str, TransitionInfo]:
    infos: dict[str, TransitionInfo] = {}
    for name in dir(ApplicationStateMachine):
        method = getattr(ApplicationStateMachine, name, None)
        fsm = getattr(method, "_django_fsm", None)
        if fsm is None:
            continue
        transitions = list(fsm.transitions.values())
        first = transitions[0]
        infos[name] = TransitionInfo(
            name=name,
            label=first.custom["label"],
            actor=first.custom["actor"],
            sources=tuple(str(t.source) for t in transitions),
            target=str(first.target),
            also_system=bool(first.custom.get("also_system")),
        )
    return infos


TRANSITIONS: dict[str, TransitionInfo] = _collect()

# History entries that are not transitions (the state stays): their labels.
EVENT_LABELS = {
    "take_into_work": _("Taken into work"),
    "assign": _("Assigned"),
    "grid_works_done": _("The grid organisation's measures are done"),
}


def label_of(name: str) -> str:
    """The label of a history entry's transition or event; the name itself when unknown."""
    if name in TRANSITIONS:
        return str(TRANSITIONS[name].label)
    if name in EVENT_LABELS:
        return str(EVENT_LABELS[name])
    return name


def may_run(application, name: str, user) -> bool:
    """Whether this user's role and relation to the application allow the transition at all."""
    return PERMISSIONS[TRANSITIONS[name].actor](application, user)


def available(application, user) -> list[TransitionInfo]:
    """Transitions this user may run now, in the order of the machine's declaration."""
    return [
        info
        for name, info in TRANSITIONS.items()
        if application.state in info.sources and may_run(application, name, user)
    ]


def actor_role(user, actor: str) -> str:
    if user is None:
        return Actor.SYSTEM
    preferred = (
        (Role.APPLICANT, Role.INTEGRATION, Role.ADMINISTRATOR)
        if actor == Actor.OWNER
        else (Role.ENGINEER, Role.SUPERVISOR, Role.ADMINISTRATOR)
    )
    return next((role.value for role in preferred if user.has_role(role)), "")


def refresh_deadline(application, *, today=None) -> None:
    """Set who acts and the due date of the application's current step (not saved)."""
    rules = (
        get_rules_by_version(application.rulebook_version_id)
        if application.rulebook_version_id
        else get_rules(on=today)
    )
    current = deadlines.step(
        application.state,
        rules=rules,
        started_on=application.step_started_on,
        complete_since=application.complete_since,
        contract_date=application.contract_date,
        facts=application.term_facts(),
    )
    application.acting_party = current.party
    application.due_date = current.due


def check_allowed(application, name: str, user) -> TransitionInfo:
    """Raise 404 for an unknown transition, 403 when this user may not run it on this application,
    409 when the application's state does not allow it now."""
    info = TRANSITIONS.get(name)
    if info is None:
        raise TransitionNotFound(_("There is no such transition."))
    if user is not None and not may_run(application, name, user):
        raise TransitionForbidden(_("Your role may not run this transition on this application."))
    if user is None and info.actor != Actor.SYSTEM and not info.also_system:
        raise TransitionForbidden(_("Only a person may run this transition."))
    if not can_proceed(getattr(application, name)):
        raise TransitionConflict(
            _("“%(transition)s” is not possible while the application is “%(state)s”.")
            % {"transition": info.label, "state": State(application.state).label}
        )
    return info


def run_transition(
    *,
    application,
    name: str,
    user,
    comment: str = "",
    data: dict[str, Any] | None = None,
    before: Callable[[Any], None] | None = None,
):
    """Run transition `name` as `user` (None: the portal itself). Raises TransitionError
    subclasses (404 unknown, 403 not this user's, 409 not now or lost a race) and
    ValidationError from `before`."""
    info = check_allowed(application, name, user)
    method = getattr(application, name)
    with transaction.atomic():
        from_state = application.state
        if before is not None:
            before(application)
        method()
        today = timezone.localdate()
        application.step_started_on = today
        if application.state == State.SUBMITTED:
            application.complete_since = today
        if application.rulebook_version_id is None:
            application.rulebook_version_id = get_rules(on=today).version_id
        refresh_deadline(application, today=today)
        try:
            application.save()
        except ConcurrentTransition as error:
            raise TransitionConflict(
                _("Someone else changed this application a moment ago; reload it and try again.")
            ) from error
        entry = TransitionLog.objects.create(
            application=application,
            transition=name,
            from_state=from_state,
            to_state=application.state,
            actor=user,
            actor_role=actor_role(user, info.actor),
            via=acting_via(user),
            comment=comment,
            data=data or {},
        )
        change = {
            "transition": name,
            "from_state": from_state,
            "to_state": application.state,
            "acting_party": application.acting_party,
            "due_date": application.due_date.isoformat() if application.due_date else None,
            "history_id": entry.pk,
        }
        if name == "submit":
            record_event(
                kind=EventKind.APPLICATION_SUBMITTED, application=application, payload=change, actor=user
            )
        record_event(
            kind=EventKind.APPLICATION_STATE_CHANGED, application=application, payload=change, actor=user
        )
        # Notifications and their e-mails (the outbox) are written in this transaction.
        transition_recorded.send(sender=type(application), application=application, entry=entry)
        # robust: a failing listener is logged and never turns a committed transition into an
        # error for the client.
        transaction.on_commit(
            lambda: transition_completed.send_robust(
                sender=type(application), application=application, entry=entry
            ),
            robust=True,
        )
    return application
