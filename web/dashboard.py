"""The supervisors' dashboard and the CSV export of the console's queue.

Figures per branch and step:

- open and overdue now: one aggregate query over the applications in the user's scope;
- on-time share and median working days taken over the last 30 and 90 days (whole local days up
  to today): sums of the counters that every transition keeps (connection.figures, where the
  step, its start, its due date and "on time" are defined), one query whatever the history's size.
  Only steps where the grid organisation acts (party grid or both) count for the on-time share;
  the median covers every step.

The chart of applications received (submitted) and completed (connected, or closed without
passing connected) per ISO week, from the daily counters, is drawn here as inline SVG.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.formatting import date_text, number_text
from connection.figures import STEP_STATES
from connection.selectors import StepPeriod, daily_flow, step_periods
from grid.models import Branch
from web.console import is_console_user, queue_filter, queue_rows, queue_scope, sees_all_branches
from workflow.states import FINAL_STATES, State

PERIODS = (30, 90)
WEEKS = 12


def _scope_branch_ids(user) -> list[int] | None:
    """The branches whose figures the user sees: None for every branch."""
    return None if sees_all_branches(user) else list(user.branch_ids)


def branch_figures(user, *, today) -> dict[tuple[int | None, str], dict]:
    """{(branch_id, state): {"open", "overdue", "periods": {days: StepPeriod}}} for the user's
    scope: two queries."""
    figures: dict[tuple[int | None, str], dict] = defaultdict(
        lambda: {"open": 0, "overdue": 0, "periods": {days: StepPeriod() for days in PERIODS}}
    )
    open_now = (
        queue_scope(user)
        .exclude(state__in=FINAL_STATES)
        .values("branch_id", "state")
        # Columns of the partial index connection_request_open only (not the id), so that it
        # answers without reading the table.
        .annotate(open=Count("state"), overdue=Count("state", filter=Q(due_date__lt=today)))
        .order_by()
    )
    for row in open_now:
        item = figures[(row["branch_id"], row["state"])]
        item["open"], item["overdue"] = row["open"], row["overdue"]
    for key, periods in step_periods(
        branch_ids=_scope_branch_ids(user), today=today, periods=PERIODS
    ).items():
        figures[key]["periods"] = periods
    return figures


def _iso_week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(user, *, today, weeks: int = WEEKS) -> list[dict]:
    """Received and completed per ISO week, the last `weeks` weeks up to the current one."""
    first = _iso_week_start(today) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=index) for index in range(weeks)]
    received: dict[date, int] = defaultdict(int)
    completed: dict[date, int] = defaultdict(int)
    for day, (day_received, day_completed) in daily_flow(
        branch_ids=_scope_branch_ids(user), first=first, last=today
    ).items():
        received[_iso_week_start(day)] += day_received
        completed[_iso_week_start(day)] += day_completed
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
    today = timezone.localdate()
    figures = branch_figures(user, today=today)
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
                figure = item["periods"][days]
                share = figure.on_time_share
                periods.append(
                    {
                        "days": days,
                        "share": None if share is None else round(share * 100),
                        "on_time": figure.on_time,
                        "judged": figure.judged,
                        "median": figure.median_days,
                        "finished": figure.finished,
                    }
                )
            rows.append(
                {
                    "state": state,
                    "label": labels[state],
                    "open": item["open"],
                    "overdue": item["overdue"],
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
