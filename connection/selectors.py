"""Reads of the connection domain: what each user may see. Everything outside answers 404."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet, Sum

from backend.users.models import User
from backend.users.roles import Role
from connection.models import (
    Applicant,
    ConnectionRequest,
    DailyFlow,
    Document,
    DocumentVersion,
    LoadCalculation,
    StepExit,
)
from connection.models.figures import NO_BRANCH
from workflow.states import State


def visible_requests(user: User) -> QuerySet[ConnectionRequest]:
    """Applicants and integration clients see their own applications (drafts included); engineers
    the submitted applications of their branches; supervisors and administrators all submitted
    ones. Drafts are private to their owner."""
    queryset = ConnectionRequest.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if user.has_role(Role.ADMINISTRATOR, Role.SUPERVISOR):
        return queryset.exclude(state=State.DRAFT) | queryset.filter(owner=user)
    if user.has_role(Role.ENGINEER):
        # A list, not a subquery: with literal ids PostgreSQL counts a page's total from the
        # branch index; with the subquery it scanned the table (4× slower on 10,000 rows).
        return queryset.filter(branch_id__in=list(user.branch_ids)).exclude(
            state=State.DRAFT
        ) | queryset.filter(owner=user)
    if user.has_role(Role.APPLICANT, Role.INTEGRATION):
        return queryset.filter(owner=user)
    return queryset.none()


def request_list(user: User) -> QuerySet[ConnectionRequest]:
    """The list endpoint's queryset: a fixed number of queries whatever the page size."""
    return (
        visible_requests(user).select_related("applicant", "branch", "territory").prefetch_related("stages")
    )


def request_detail(user: User) -> QuerySet[ConnectionRequest]:
    """One application as the detail shows it (documents have their own endpoint)."""
    return request_list(user).select_related("technical_conditions")


def own_applicants(user: User) -> QuerySet[Applicant]:
    if not user.is_authenticated or not user.has_role(Role.APPLICANT, Role.INTEGRATION):
        return Applicant.objects.none()
    return Applicant.objects.filter(owner=user)


def visible_documents(user: User, application: ConnectionRequest) -> QuerySet[Document]:
    return Document.objects.filter(request=application).prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by"))
    )


def load_calculations(*, application: ConnectionRequest) -> QuerySet[LoadCalculation]:
    """The load calculations applied to ``request``, newest first, with who applied them. The caller
    checks that the user may see the application (:func:`visible_requests`)."""
    return (
        LoadCalculation.objects.filter(request=application)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def latest_load_calculation(*, application: ConnectionRequest) -> LoadCalculation | None:
    """The calculation the requested power was last taken from, or None when the applicant stated
    the power directly."""
    return load_calculations(application=application).first()


# The dashboard's counters (written by connection.figures)


@dataclass
class StepPeriod:
    """Steps of one branch and state that ended within a period: how many, how many the grid
    organisation had a due date for (judged) and of those on time, and the working days taken
    (value → number of steps)."""

    finished: int = 0
    judged: int = 0
    on_time: int = 0
    taken: dict[int, int] = field(default_factory=dict)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    @property
    def median_days(self) -> float | None:
        """The median of the working days taken, as statistics.median of the expanded list."""
        total = sum(self.taken.values())
        if not total:
            return None
        ordered = sorted(self.taken.items())

        def value_at(position: int) -> int:
            seen = 0
            for taken, count in ordered:
                seen += count
                if position < seen:
                    return taken
            raise IndexError(position)

        if total % 2:
            return value_at(total // 2)
        return (value_at(total // 2 - 1) + value_at(total // 2)) / 2


def _branch_id(key: int) -> int | None:
    return None if key == NO_BRANCH else key


def step_periods(
    *, branch_ids: list[int] | None, today: date, periods: tuple[int, ...]
) -> dict[tuple[int | None, str], dict[int, StepPeriod]]:
    """{(branch id or None, state): {days: StepPeriod}} for the steps that ended in the last
    `days` whole days up to today, per period; `branch_ids` None: every branch. One query: the
    counters of the longest period summed per branch, state and working days taken."""
    longest = max(periods)
    rows = StepExit.objects.filter(day__gt=today - timedelta(days=longest), day__lte=today)
    if branch_ids is not None:
        rows = rows.filter(branch_key__in=branch_ids)
    sums = {}
    for days in periods:
        recent = Q(day__gt=today - timedelta(days=days))
        sums[f"finished_{days}"] = Sum("finished", filter=recent)
        sums[f"judged_{days}"] = Sum("judged", filter=recent)
        sums[f"on_time_{days}"] = Sum("on_time", filter=recent)
    figures: dict[tuple[int | None, str], dict[int, StepPeriod]] = defaultdict(
        lambda: {days: StepPeriod() for days in periods}
    )
    for row in rows.values("branch_key", "state", "taken_wd").annotate(**sums).order_by():
        item = figures[(_branch_id(row["branch_key"]), row["state"])]
        for days in periods:
            finished = row[f"finished_{days}"] or 0
            if not finished:
                continue
            period = item[days]
            period.finished += finished
            period.judged += row[f"judged_{days}"] or 0
            period.on_time += row[f"on_time_{days}"] or 0
            period.taken[row["taken_wd"]] = period.taken.get(row["taken_wd"], 0) + finished
    return dict(figures)


def daily_flow(*, branch_ids: list[int] | None, first: date, last: date) -> dict[date, tuple[int, int]]:
    """{day: (received, completed)} from `first` to `last`, days without any left out."""
    rows = DailyFlow.objects.filter(day__gte=first, day__lte=last)
    if branch_ids is not None:
        rows = rows.filter(branch_key__in=branch_ids)
    return {
        row["day"]: (row["received"] or 0, row["completed"] or 0)
        for row in rows.values("day")
        .annotate(received=Sum("received"), completed=Sum("completed"))
        .order_by()
    }
