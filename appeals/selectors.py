"""Reads of consumers' reports: the private status page, the branch queue, the public incident map
(no personal data, positions rounded), the per-branch on-time share and the supervisor's figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import formats, timezone

from appeals.exceptions import IncidentNotFound, NotYourBranch, ReportNotFound
from appeals.models import ANSWER_STATUSES, CLOSED_STATUSES, CannedAnswer, Incident, Report, StatusEntry
from appeals.permissions import can_act_in_branch
from backend.users.models import User
from backend.users.roles import Role
from grid.models import Branch
from workflow import calendar
from workflow.models import local_today

#: Public positions are rounded to about a kilometre, the incident radius: no reporter's house.
PUBLIC_POSITION_STEP = Decimal("0.01")


def report_by_token(token: str) -> Report:
    report = (
        Report.objects.select_related("incident", "branch")
        .prefetch_related("photos")
        .filter(private_token=token)
        .first()
    )
    if report is None:
        raise ReportNotFound()
    return report


def public_history(report: Report) -> list[StatusEntry]:
    """The report's own status lines (who acted is not shown publicly)."""
    return list(
        report.history.filter(
            action__in=[StatusEntry.Action.RECEIVED, StatusEntry.Action.CONFIRMED, StatusEntry.Action.STATUS]
        )
    )


def queue_incidents(user, *, include_closed: bool = False, overdue_only: bool = False) -> QuerySet[Incident]:
    """Incidents of the user's branches (every branch for supervisors and administrators), earliest
    answer date first."""
    incidents = (
        Incident.objects.filter(merged_into__isnull=True)
        .select_related("branch", "assignee")
        .annotate(report_count=Count("reports", filter=Q(reports__confirmed_at__isnull=False)))
        .order_by("-urgent", "due_date", "id")
    )
    if not user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        incidents = incidents.filter(branch__in=user.branch_ids)
    if not include_closed:
        incidents = incidents.exclude(status__in=CLOSED_STATUSES)
    if overdue_only:
        incidents = incidents.filter(due_date__lt=local_today(), answered_at__isnull=True)
    return incidents


def incident_for(user, incident_id: int) -> Incident:
    incident = (
        Incident.objects.select_related("branch", "assignee", "merged_into")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.filter(confirmed_at__isnull=False).prefetch_related("photos"),
            ),
            Prefetch("history", queryset=StatusEntry.objects.select_related("actor")),
        )
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise IncidentNotFound()
    if not can_act_in_branch(user, incident.branch_id):
        raise NotYourBranch()
    return incident


def canned_answers(branch_id: int) -> list[CannedAnswer]:
    return list(
        CannedAnswer.objects.filter(Q(branch__isnull=True) | Q(branch=branch_id), is_active=True).order_by(
            "title"
        )
    )


def branch_engineers(branch_id: int):
    return User.objects.filter(is_active=True, groups__name=Role.ENGINEER.value, branches=branch_id).order_by(
        "last_name", "email"
    )


@dataclass(frozen=True)
class PublicIncident:
    number: str
    kind: str
    kind_label: str
    defect_label: str
    area: str
    since: str
    since_text: str
    status: str
    status_label: str
    expected_fix: str | None
    latitude: float
    longitude: float
    reports: int


def _rounded(value: Decimal) -> float:
    return float((value / PUBLIC_POSITION_STEP).quantize(Decimal(1)) * PUBLIC_POSITION_STEP)


def active_incidents_public() -> list[PublicIncident]:
    """Open incidents with confirmed reports: what, where (rounded), since when, expected fix."""
    incidents = (
        Incident.objects.filter(merged_into__isnull=True)
        .exclude(status__in=CLOSED_STATUSES)
        .annotate(confirmed=Count("reports", filter=Q(reports__confirmed_at__isnull=False)))
        .filter(confirmed__gt=0)
        .order_by("-started_at")
    )
    return [
        PublicIncident(
            number=incident.number,
            kind=incident.kind,
            kind_label=str(incident.get_kind_display()),
            defect_label=str(incident.get_defect_kind_display()) if incident.defect_kind else "",
            area=incident.area,
            since=timezone.localtime(incident.started_at).isoformat(timespec="minutes"),
            since_text=formats.date_format(timezone.localtime(incident.started_at), "SHORT_DATETIME_FORMAT"),
            status=incident.status,
            status_label=str(incident.get_status_display()),
            expected_fix=incident.planned_fix_date.isoformat() if incident.planned_fix_date else None,
            latitude=_rounded(incident.latitude),
            longitude=_rounded(incident.longitude),
            reports=incident.confirmed,
        )
        for incident in incidents
    ]


@dataclass(frozen=True)
class OnTimeShare:
    branch: str
    due: int
    on_time: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.due) if self.due else None


def on_time_shares(*, today: date | None = None) -> list[OnTimeShare]:
    """Per branch: confirmed reports whose answer was due by now (answered, or unanswered and past
    the date) and how many of them were answered by their due date."""
    today = today or local_today()
    rows = (
        Report.objects.filter(confirmed_at__isnull=False)
        .filter(Q(answered_at__isnull=False) | Q(due_date__lt=today))
        .values_list("branch_id", "due_date", "answered_at")
    )
    due: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    for branch_id, due_date, answered_at in rows:
        due[branch_id] += 1
        if answered_at is not None and timezone.localdate(answered_at) <= due_date:
            on_time[branch_id] += 1
    names = dict(Branch.objects.filter(pk__in=due).values_list("pk", "name"))
    return sorted(
        (OnTimeShare(names[pk], due[pk], on_time[pk]) for pk in due), key=lambda share: share.branch
    )


@dataclass(frozen=True)
class DashboardRow:
    week: str
    branch: str
    kind: str
    reports: int
    answered: int
    overdue: int
    mean_answer_working_days: float | None


def dashboard_rows(
    *, branch_ids: frozenset[int] | None = None, today: date | None = None
) -> list[DashboardRow]:
    """Confirmed reports by ISO week of receipt, branch and kind: how many, answered, overdue (not
    answered by the due date) and the mean answer time in working days."""
    today = today or local_today()
    reports = Report.objects.filter(confirmed_at__isnull=False).select_related("branch")
    if branch_ids is not None:
        reports = reports.filter(branch__in=branch_ids)
    groups: dict[tuple[str, str, str], list[Report]] = defaultdict(list)
    for report in reports:
        year, week, _day = timezone.localdate(report.confirmed_at).isocalendar()
        groups[(f"{year}-W{week:02d}", report.branch.name, str(report.get_kind_display()))].append(report)
    rows = []
    for (week, branch, kind), items in sorted(groups.items()):
        answered = [item for item in items if item.answered_at is not None]
        overdue = sum(
            1
            for item in items
            if (item.answered_at is None and item.due_date < today)
            or (item.answered_at is not None and timezone.localdate(item.answered_at) > item.due_date)
        )
        times = [
            calendar.working_days_between(
                timezone.localdate(item.confirmed_at), timezone.localdate(item.answered_at)
            )
            for item in answered
        ]
        rows.append(
            DashboardRow(
                week=week,
                branch=branch,
                kind=kind,
                reports=len(items),
                answered=len(answered),
                overdue=overdue,
                mean_answer_working_days=round(sum(times) / len(times), 1) if times else None,
            )
        )
    return rows


def is_answered(report: Report) -> bool:
    return report.status in ANSWER_STATUSES
