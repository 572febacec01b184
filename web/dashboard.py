"""The supervisors' dashboard and the CSV export of the console's queue.

Figures per branch and step:

- open and overdue now: one aggregate query over the applications in the user's scope;
- on-time share and median working days taken over the last 30 and 90 days: from the history
  (TransitionLog). A step ends with a transition out of its state; it started on the latest
  transition into that state before (or on submitted_at for `submitted` when there is no such
  row). Its due date is recomputed as the workflow set it, with workflow.deadlines.step on the
  application's rulebook version and its facts (for `under_review` the term runs from the start
  of the completeness check before it). A step is on time when it ended on or before that date.
  Only steps where the grid organisation acts (party grid or both) count for the on-time share;
  the median covers every step. Queries: the exits of the period, then the whole history of those
  applications, then the applications themselves, one pass in Python.

The chart of applications received (submitted_at) and completed (transition to connected, or to
closed without passing connected) per ISO week is drawn here as inline SVG.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.formatting import date_text, number_text
from connection.models import ConnectionRequest
from grid.models import Branch
from web.console import is_console_user, queue_filter, queue_rows, queue_scope
from workflow import calendar, deadlines
from workflow.machine import Party
from workflow.models import TransitionLog
from workflow.rulebook import RulebookError, get_rules, get_rules_by_version
from workflow.states import FINAL_STATES, State

PERIODS = (30, 90)
WEEKS = 12
STEP_STATES = [state for state in State if state != State.DRAFT and state not in FINAL_STATES]
GRID_PARTIES = frozenset({Party.GRID, Party.BOTH})


def _local_day(moment) -> date:
    return timezone.localtime(moment).date()


@dataclass
class StepFigures:
    open: int = 0
    overdue: int = 0
    # per period: list of (on_time or None when the grid does not act, working days taken)
    finished: dict[int, list[tuple[bool | None, int]]] = field(
        default_factory=lambda: {days: [] for days in PERIODS}
    )

    def on_time_share(self, days: int) -> float | None:
        judged = [on_time for on_time, _taken in self.finished[days] if on_time is not None]
        return sum(judged) / len(judged) if judged else None

    def on_time_count(self, days: int) -> tuple[int, int]:
        judged = [on_time for on_time, _taken in self.finished[days] if on_time is not None]
        return sum(judged), len(judged)

    def median_days(self, days: int) -> float | None:
        taken = [taken for _on_time, taken in self.finished[days]]
        return statistics.median(taken) if taken else None


def _rules(application, start: date):
    try:
        if application.rulebook_version_id:
            return get_rules_by_version(application.rulebook_version_id)
        return get_rules(on=start)
    except RulebookError:
        return None


def finished_steps(scope, *, now, days: int = max(PERIODS)):
    """Steps that ended in the last `days` days: (application, state, started, ended, on_time),
    on_time None when the grid organisation does not act in the step or no due date is known."""
    since = now - timedelta(days=days)
    exits = TransitionLog.objects.filter(
        created_at__gte=since,
        created_at__lte=now,
        from_state__in=STEP_STATES,
        application__in=scope,
    )
    application_ids = set(exits.values_list("application_id", flat=True))
    if not application_ids:
        return []
    applications = {
        application.pk: application
        for application in ConnectionRequest.objects.filter(pk__in=application_ids).only(
            "pk",
            "branch_id",
            "submitted_at",
            "rulebook_version_id",
            "contract_date",
            "kind",
            "voltage_level",
            "settlement_kind",
            "grid_distance_m",
            "needs_construction",
            "crosses_third_party_land",
            "is_public_procurement",
        )
    }
    history = (
        TransitionLog.objects.filter(application_id__in=application_ids, created_at__lte=now)
        .order_by("application_id", "created_at", "id")
        .values_list("application_id", "from_state", "to_state", "created_at")
    )
    result = []
    entered: dict[str, date] = {}
    current = None
    for application_id, from_state, to_state, created_at in history:
        application = applications[application_id]
        if application_id != current:
            current = application_id
            entered = {}
            if application.submitted_at:
                entered[State.SUBMITTED] = _local_day(application.submitted_at)
        day = _local_day(created_at)
        started = entered.get(from_state)
        if created_at >= since and from_state in STEP_STATES and started is not None:
            on_time = None
            rules = _rules(application, started)
            if rules is not None:
                step = deadlines.step(
                    from_state,
                    rules=rules,
                    started_on=started,
                    complete_since=entered.get(State.SUBMITTED),
                    contract_date=application.contract_date,
                    facts=application.term_facts(),
                )
                if step.party in GRID_PARTIES and step.due is not None:
                    on_time = day <= step.due
            result.append((application, from_state, started, day, on_time, created_at))
        entered[to_state] = day
    return result


def branch_figures(user, *, now, today):
    """{(branch_id, state): StepFigures} for the user's scope, and the branches concerned."""
    scope = queue_scope(user)
    figures: dict[tuple[int | None, str], StepFigures] = defaultdict(StepFigures)
    open_now = (
        scope.exclude(state__in=FINAL_STATES)
        .values("branch_id", "state")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    for row in open_now:
        item = figures[(row["branch_id"], row["state"])]
        item.open, item.overdue = row["open"], row["overdue"]
    for application, state, started, ended, on_time, created_at in finished_steps(
        scope.values("pk"), now=now
    ):
        taken = calendar.working_days_between(started, ended)
        for days in PERIODS:
            if created_at >= now - timedelta(days=days):
                figures[(application.branch_id, state)].finished[days].append((on_time, taken))
    return figures


def _iso_week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(user, *, today, weeks: int = WEEKS) -> list[dict]:
    """Received and completed per ISO week, the last `weeks` weeks up to the current one."""
    first = _iso_week_start(today) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=index) for index in range(weeks)]
    received: dict[date, int] = defaultdict(int)
    completed: dict[date, int] = defaultdict(int)
    scope = queue_scope(user)
    since = timezone.make_aware(datetime.combine(first, time.min))
    for moment in scope.filter(submitted_at__gte=since).values_list("submitted_at", flat=True):
        received[_iso_week_start(_local_day(moment))] += 1
    done = TransitionLog.objects.filter(created_at__gte=since, application__in=scope.values("pk")).filter(
        Q(to_state=State.CONNECTED) | (Q(to_state=State.CLOSED) & ~Q(from_state=State.CONNECTED))
    )
    for moment in done.values_list("created_at", flat=True):
        completed[_iso_week_start(_local_day(moment))] += 1
    return [
        {
            "start": start,
            "end": start + timedelta(days=6),
            "label": date_text(start),
            "received": received.get(start, 0),
            "completed": completed.get(start, 0),
        }
        for start in starts
    ]


# The SVG chart

CHART_WIDTH, CHART_HEIGHT = 720, 260
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 40, 40, 20


def _coordinate(value: float) -> str:
    """An SVG coordinate as text: never localised (a decimal comma would break the drawing)."""
    return f"{value:.1f}"


def chart_geometry(weeks: list[dict]) -> dict:
    """Coordinates of the bars, the axis ticks and the labels, for the template to draw."""
    peak = max([1, *(week["received"] for week in weeks), *(week["completed"] for week in weeks)])
    plot_height = CHART_HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = (CHART_WIDTH - MARGIN_LEFT) / max(len(weeks), 1)
    bar = slot * 0.35
    baseline = CHART_HEIGHT - MARGIN_BOTTOM
    bars = []
    for index, week in enumerate(weeks):
        x = MARGIN_LEFT + index * slot + slot * 0.1
        for offset, key in ((0, "received"), (bar, "completed")):
            height = week[key] / peak * plot_height
            bars.append(
                {
                    "kind": key,
                    "x": _coordinate(x + offset),
                    "y": _coordinate(baseline - height),
                    "width": _coordinate(bar),
                    "height": _coordinate(height),
                    "value": week[key],
                    "week": week["label"],
                }
            )
        week["label_x"] = _coordinate(x + bar)
    step = max(1, -(-peak // 4))
    ticks = [
        {"value": value, "y": _coordinate(baseline - value / peak * plot_height)}
        for value in range(0, peak + 1, step)
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": MARGIN_LEFT,
        "tick_x": MARGIN_LEFT - 6,
        "baseline": baseline,
        "label_y": baseline + 16,
        "bars": bars,
        "ticks": ticks,
    }


@login_required
def dashboard(request):
    user = request.user
    if not is_console_user(user):
        raise PermissionDenied
    now = timezone.now()
    today = timezone.localdate()
    figures = branch_figures(user, now=now, today=today)
    branch_ids = {branch_id for branch_id, _state in figures}
    branches = {branch.pk: branch for branch in Branch.objects.filter(pk__in=branch_ids)}
    labels = dict(State.choices)
    tables = []
    for branch_id in sorted(branch_ids, key=lambda pk: branches[pk].name if pk in branches else ""):
        rows = []
        for state in STEP_STATES:
            item = figures.get((branch_id, state))
            if item is None:
                continue
            periods = []
            for days in PERIODS:
                share = item.on_time_share(days)
                on_time, judged = item.on_time_count(days)
                periods.append(
                    {
                        "days": days,
                        "share": None if share is None else round(share * 100),
                        "on_time": on_time,
                        "judged": judged,
                        "median": item.median_days(days),
                        "finished": len(item.finished[days]),
                    }
                )
            rows.append(
                {
                    "state": state,
                    "label": labels[state],
                    "open": item.open,
                    "overdue": item.overdue,
                    "periods": periods,
                }
            )
        branch = branches.get(branch_id)
        tables.append(
            {"branch_id": branch_id, "name": branch.name if branch else _("No branch"), "rows": rows}
        )
    weeks = weekly_counts(user, today=today)
    context = {
        "tables": tables,
        "periods": PERIODS,
        "weeks": weeks,
        "chart": chart_geometry(weeks),
    }
    return render(request, "web/dashboard.html", context)


# CSV export of the queue


@login_required
def export_csv(request):
    """The console's queue with its current filters, as CSV (UTF-8 with BOM, for Excel)."""
    user = request.user
    if not is_console_user(user):
        raise PermissionDenied
    today = timezone.localdate()
    rows = queue_rows(queue_filter(request, today=today).qs)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="queue-{today.isoformat()}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Number"),
            _("State"),
            _("Branch"),
            _("Applicant"),
            _("INN"),
            _("Total power, kW"),
            _("Due date"),
            _("Who acts now"),
            _("Overdue"),
            _("Engineer in charge"),
        ]
    )
    yes, no = _("yes"), _("no")
    for item in rows.iterator(chunk_size=500):
        applicant = item.applicant
        engineer = item.assigned_to
        writer.writerow(
            [
                item.number or "",
                item.get_state_display(),
                item.branch.name if item.branch else "",
                applicant.display_name if applicant else "",
                applicant.inn if applicant else "",
                "" if item.total_kw is None else number_text(item.total_kw, grouping=False),
                date_text(item.due_date),
                item.get_acting_party_display(),
                yes if item.due_date and item.due_date < today else no,
                (engineer.get_full_name() or engineer.email) if engineer else "",
            ]
        )
    return response
