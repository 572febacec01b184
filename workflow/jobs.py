"""The scheduled job: annul applications whose applicant's term ran out, and tell the branch of
every step the grid organisation let run past its due date. Idempotent: a second run the same
day changes nothing and sends nothing. Run by Celery beat (workflow.tasks) or by cron through
`manage.py run_deadline_jobs`."""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from backend.events.models import EventKind
from backend.events.services import record_event
from workflow import calendar
from workflow.exceptions import TransitionError
from workflow.machine import AnnulmentReason, Party
from workflow.notifications import notify_overdue, notify_payment_due
from workflow.services import run_transition
from workflow.states import State

#: The applicant is reminded to pay this many working days before the last day (portal policy,
#: not a rule of the regulation).
PAYMENT_REMINDER_WD = 2

ANNULMENTS = [
    (State.NEEDS_INFO, AnnulmentReason.NO_DATA),
    (State.OFFER_ISSUED, AnnulmentReason.NOT_PAID),
]


def application_model():
    return apps.get_model(settings.WORKFLOW_APPLICATION_MODEL)


def run_deadline_jobs(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    model = application_model()
    report = {"annulled_no_data": 0, "annulled_not_paid": 0, "overdue_notified": 0, "payment_reminded": 0}

    for state, reason in ANNULMENTS:
        # The due date is the last day the applicant has: annul from the day after.
        for application in model.objects.filter(state=state, due_date__lt=today).order_by("due_date", "pk"):

            def set_reason(target, reason=reason):
                target.annulment_reason = reason

            try:
                run_transition(
                    application=application,
                    name="annul",
                    user=None,
                    comment=str(AnnulmentReason(reason).label),
                    data={"reason": reason, "due_date": application.due_date.isoformat()},
                    before=set_reason,
                )
            except TransitionError:
                continue  # answered or paid a moment ago: nothing to annul
            report[f"annulled_{reason}"] += 1

    overdue = (
        model.objects.filter(acting_party__in=[Party.GRID, Party.BOTH], due_date__lt=today)
        .filter(Q(overdue_notified_for__isnull=True) | ~Q(overdue_notified_for=F("due_date")))
        .select_related("owner")
    )
    for application in overdue:
        with transaction.atomic():
            notify_overdue(application)
            model.objects.filter(pk=application.pk).update(overdue_notified_for=application.due_date)
            record_event(
                kind=EventKind.STEP_OVERDUE,
                application=application,
                payload={
                    "acting_party": application.acting_party,
                    "due_date": application.due_date.isoformat(),
                },
            )
        report["overdue_notified"] += 1
    # Once per due date: the offer still waits for payment and the last day is near.
    reminders = (
        model.objects.filter(
            state=State.OFFER_ISSUED,
            due_date__gte=today,
            due_date__lte=calendar.add_working_days(today, PAYMENT_REMINDER_WD),
        )
        .filter(Q(reminder_notified_for__isnull=True) | ~Q(reminder_notified_for=F("due_date")))
        .select_related("owner")
    )
    for application in reminders:
        notify_payment_due(application)
        model.objects.filter(pk=application.pk).update(reminder_notified_for=application.due_date)
        report["payment_reminded"] += 1
    return report
