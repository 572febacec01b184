"""The scheduled job of consumers' reports: reports past their answer date are flagged overdue once
(history row, the branch's engineers and supervisors notified); a later run does not repeat it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals.models import ANSWER_STATUSES, Report, StatusEntry
from backend.users.roles import Role
from workflow.models import Notification, local_today
from workflow.notifications import branch_staff, notify


def flag_overdue_reports(*, today: date | None = None) -> int:
    """Flag every confirmed, unanswered report whose answer date is before `today`; returns how
    many were flagged now."""
    today = today or local_today()
    now = timezone.now()
    with transaction.atomic():
        overdue = list(
            Report.objects.select_for_update(skip_locked=True)
            .filter(confirmed_at__isnull=False, overdue_flagged_at__isnull=True, due_date__lt=today)
            .exclude(status__in=ANSWER_STATUSES)
            .order_by("id")
        )
        by_branch: dict[int, list[Report]] = defaultdict(list)
        for report in overdue:
            report.overdue_flagged_at = now
            by_branch[report.branch_id].append(report)
        Report.objects.bulk_update(overdue, ["overdue_flagged_at"])
        StatusEntry.objects.bulk_create(
            StatusEntry(report=report, action=StatusEntry.Action.OVERDUE, comment=str(report.due_date))
            for report in overdue
        )
        for branch_id, reports in by_branch.items():
            numbers = ", ".join(report.number for report in reports)
            count = len(reports)
            notify(
                branch_staff(branch_id, Role.ENGINEER, Role.SUPERVISOR),
                application=None,
                kind=Notification.Kind.OVERDUE,
                subject=lambda count=count: (
                    ngettext(
                        "%(count)s report not answered in time",
                        "%(count)s reports not answered in time",
                        count,
                    )
                    % {"count": count}
                ),
                body=lambda numbers=numbers: _("Answer due date passed: %(numbers)s.") % {"numbers": numbers},
            )
    return len(overdue)
