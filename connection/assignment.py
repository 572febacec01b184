"""Who works on an application: taking it into work and assigning it to an engineer of its branch.

Neither changes the state; each is recorded in the application's history as a TransitionLog row
whose transition is an event name ("take_into_work", "assign"; labels in
workflow.services.EVENT_LABELS) with from_state = to_state = the current state.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.users.models import User
from backend.users.roles import Role
from connection.models import ConnectionRequest
from workflow import services as workflow_services
from workflow.machine import Actor, is_branch_staff
from workflow.models import TransitionLog
from workflow.states import FINAL_STATES, State


def branch_engineers(branch_ids) -> dict[int, list[User]]:
    """Active engineers of each of the given branches, in one query: {branch_id: [user, ...]}."""
    through = User.branches.through
    rows = (
        through.objects.filter(
            branch_id__in=list(branch_ids), user__is_active=True, user__groups__name=Role.ENGINEER
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
        .distinct()
    )
    result: dict[int, list[User]] = {}
    for row in rows:
        result.setdefault(row.branch_id, []).append(row.user)
    return result


def is_branch_engineer(application: ConnectionRequest, user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_role(Role.ENGINEER)
        and application.branch_id is not None
        and application.branch_id in user.branch_ids
    )


def assign(*, application: ConnectionRequest, engineer: User | None, by: User, event: str = "assign"):
    """Make `engineer` (an engineer of the application's branch) the one in charge, as `by`
    (branch staff). Raises PermissionDenied for `by` outside the branch and ValidationError
    (on "engineer", or a non-field error for a draft or finished application)."""
    if not is_branch_staff(application, by):
        raise PermissionDenied(_("Only the staff of the application's branch can assign it."))
    if application.state == State.DRAFT or application.state in FINAL_STATES:
        raise ValidationError(_("This application cannot be assigned in its present state."), code="state")
    if engineer is None or not is_branch_engineer(application, engineer):
        raise ValidationError(
            {"engineer": _("Choose an engineer of the application's branch.")}, code="not_branch_engineer"
        )
    name = engineer.get_full_name() or engineer.email
    with transaction.atomic():
        ConnectionRequest.objects.filter(pk=application.pk).update(
            assigned_to=engineer, updated_at=timezone.now()
        )
        application.assigned_to = engineer
        TransitionLog.objects.create(
            application=application,
            transition=event,
            from_state=application.state,
            to_state=application.state,
            actor=by,
            actor_role=workflow_services.actor_role(by, Actor.BRANCH),
            data={"engineer": engineer.pk, "engineer_name": name},
        )
    return application


def take_into_work(*, application: ConnectionRequest, user: User):
    """The engineer takes the application into work: assigned to themselves."""
    return assign(application=application, engineer=user, by=user, event="take_into_work")
