"""Both parties' works under the contract. The grid organisation records that its own measures of
the technical conditions are done; the applicant notifies that theirs are (notify_ready). The
actual connection (confirm_connection) follows both, in that order: the check of the applicant's
part, then connection on the grid organisation's finished works.

Recording the grid's part does not change the state: it is a history entry whose transition is the
event "grid_works_done" (label in workflow.services.EVENT_LABELS), from_state = to_state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.exceptions import ActionForbidden, StateConflict
from backend.users.models import User
from connection.models import ConnectionRequest
from workflow import services as workflow_services
from workflow.machine import Actor, is_branch_staff
from workflow.models import TransitionLog
from workflow.states import State

EVENT = "grid_works_done"
WORKS_STATES = (State.CONTRACT_ACTIVE, State.READY_FOR_CHECK)


@transaction.atomic
def record_grid_works_done(
    *, application: ConnectionRequest, user: User, done_on: date | None = None, comment: str = ""
) -> ConnectionRequest:
    """The branch's staff record the day the grid organisation's measures were completed (once)."""
    locked = ConnectionRequest.objects.select_for_update().get(pk=application.pk)
    if not is_branch_staff(locked, user):
        raise ActionForbidden(
            _("Only the staff of the application's branch record the grid organisation's works.")
        )
    if locked.state not in WORKS_STATES:
        raise StateConflict(_("The works are recorded only while the contract is being carried out."))
    if locked.grid_works_done_on is not None:
        raise StateConflict(_("The grid organisation's measures are already recorded as done."))
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError(
            {"done_on": ValidationError(_("The date cannot be in the future."), code="future_date")}
        )
    if locked.contract_date and done_on < locked.contract_date:
        raise ValidationError(
            {"done_on": ValidationError(_("The works cannot precede the contract."), code="before_contract")}
        )
    ConnectionRequest.objects.filter(pk=locked.pk).update(grid_works_done_on=done_on)
    TransitionLog.objects.create(
        application=locked,
        transition=EVENT,
        from_state=locked.state,
        to_state=locked.state,
        actor=user,
        actor_role=workflow_services.actor_role(user, Actor.BRANCH),
        comment=comment.strip(),
        data={"done_on": done_on.isoformat()},
    )
    application.grid_works_done_on = done_on
    return application


@dataclass(frozen=True)
class WorksParts:
    """Where each party's part of the works stands, for the pages."""

    grid_done_on: date | None
    applicant_ready_at: object | None  # the time of the latest notice of readiness
    due_date: date | None  # the end of the works term while the contract runs
    can_record_grid: bool


def works_parts(application: ConnectionRequest, user: User | None) -> WorksParts | None:
    if application.contract_date is None or application.state not in (
        *WORKS_STATES,
        State.CONNECTED,
        State.CLOSED,
    ):
        return None
    ready = (
        TransitionLog.objects.filter(application=application, transition="notify_ready")
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    return WorksParts(
        grid_done_on=application.grid_works_done_on,
        applicant_ready_at=ready,
        due_date=application.due_date if application.state == State.CONTRACT_ACTIVE else None,
        can_record_grid=application.grid_works_done_on is None
        and application.state in WORKS_STATES
        and is_branch_staff(application, user),
    )
