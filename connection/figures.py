"""The dashboard's counters: counted when a transition runs, rebuilt from the history on demand.

A step ends with a transition out of its state (one of STEP_STATES). It started on the day the
application entered that state (`step_started_on`; for `submitted`, the day of `submitted_at` when
there is none) and took the working days from then to the day it ended. It is judged (counts for
the on-time share) when the grid organisation acts in it (party grid or both) and it had a due
date; it is on time when it ended on or before that date. An application is received on the day
it is submitted and completed on the day it is connected, or closed without being connected.

`count_transition` adds one transition to the counters, in the transition's own transaction (the
receiver in connection/receivers.py), with an upsert that adds to the row, so concurrent
transitions are all counted. `rebuild_figures` recounts everything from the history (an upgrade,
the scale data set, a repair): the replay reads the history in batches of applications, so the
history is never held in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from connection.models import ConnectionRequest, DailyFlow, StepExit
from connection.models.figures import NO_BRANCH
from workflow import calendar, deadlines
from workflow.machine import Party
from workflow.models import TransitionLog
from workflow.rulebook import RulebookError, get_rules, get_rules_by_version
from workflow.services import EVENT_LABELS
from workflow.states import FINAL_STATES, State

STEP_STATES = tuple(state.value for state in State if state != State.DRAFT and state not in FINAL_STATES)
GRID_PARTIES = frozenset({Party.GRID, Party.BOTH})
REBUILD_BATCH = 2000
# The rebuild adds its counts to the tables whenever this many rows are pending (tens of MB):
# fewer, larger upserts than one per batch, with memory still bounded.
FLUSH_ROWS = 100_000

StepKey = tuple[int, str, date, int]  # branch_key, state, day, taken_wd
FlowKey = tuple[int, date]  # branch_key, day


def branch_key(branch_id: int | None) -> int:
    return NO_BRANCH if branch_id is None else branch_id


def local_day(moment) -> date:
    return timezone.localtime(moment).date()


def is_completion(source: str, target: str) -> bool:
    return target == State.CONNECTED or (target == State.CLOSED and source != State.CONNECTED)


@dataclass
class Tally:
    """Counts to add: step exits [finished, judged, on time] per StepKey and the daily flow
    [received, completed] per FlowKey."""

    steps: dict[StepKey, list[int]] = field(default_factory=dict)
    flow: dict[FlowKey, list[int]] = field(default_factory=dict)

    def add_exit(self, key: StepKey, *, judged: bool, on_time: bool) -> None:
        counts = self.steps.get(key)
        if counts is None:
            counts = self.steps[key] = [0, 0, 0]
        counts[0] += 1
        if judged:
            counts[1] += 1
            if on_time:
                counts[2] += 1

    def add_flow(self, key: FlowKey, *, received: int = 0, completed: int = 0) -> None:
        counts = self.flow.setdefault(key, [0, 0])
        counts[0] += received
        counts[1] += completed

    def merge(self, other: Tally) -> None:
        for key, (finished, judged, on_time) in other.steps.items():
            counts = self.steps.setdefault(key, [0, 0, 0])
            counts[0] += finished
            counts[1] += judged
            counts[2] += on_time
        for key, (received, completed) in other.flow.items():
            self.add_flow(key, received=received, completed=completed)

    def step_rows(self) -> list[tuple]:
        return [(*key, *self.steps[key]) for key in sorted(self.steps)]

    def flow_rows(self) -> list[tuple]:
        return [(*key, *self.flow[key]) for key in sorted(self.flow)]

    def write(self) -> None:
        """Add the counts to the tables (step exits first, then the flow: one order for every
        writer, so concurrent transactions never wait on each other in a cycle)."""
        _add(
            StepExit,
            ("branch_key", "state", "day", "taken_wd"),
            ("finished", "judged", "on_time"),
            self.step_rows(),
        )
        _add(DailyFlow, ("branch_key", "day"), ("received", "completed"), self.flow_rows())


def _add(
    model, keys: tuple[str, ...], counts: tuple[str, ...], rows: list[tuple], *, chunk: int = 500
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET count = count + excluded.count (PostgreSQL and
    SQLite ≥ 3.24): the row is locked while it is added to, so two transactions adding at once
    both count."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_columns = [quote(model._meta.get_field(name).column) for name in keys]
    count_columns = [quote(model._meta.get_field(name).column) for name in counts]
    columns = key_columns + count_columns
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in count_columns)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholder] * len(part))} "  # noqa: S608 - names from the models' metadata, quoted
                f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates}",
                [value for row in part for value in row],
            )


# Counting one transition as it runs


def count_transition(
    *, application: ConnectionRequest, name: str, source: str, target: str, today: date
) -> None:
    """Count the transition `name` from `source` to `target` that `application` is running now.
    Called inside the transition's transaction before the new step's start, due date and party
    are set: the application still carries those of the step it leaves."""
    tally = Tally()
    key = branch_key(application.branch_id)
    if source in STEP_STATES:
        started = application.step_started_on
        if started is None and source == State.SUBMITTED and application.submitted_at:
            started = local_day(application.submitted_at)
        if started is not None:
            due = application.due_date
            judged = application.acting_party in GRID_PARTIES and due is not None
            tally.add_exit(
                (key, source, today, calendar.working_days_between(started, today)),
                judged=judged,
                on_time=judged and today <= due,
            )
    if name == "submit":
        tally.add_flow(
            (key, local_day(application.submitted_at) if application.submitted_at else today), received=1
        )
    if is_completion(source, target):
        tally.add_flow((key, today), completed=1)
    tally.write()


# The replay of the history


# "state" too: django-fsm reads it when an instance is made (deferred, it costs a query each).
REPLAY_FIELDS = (
    "pk",
    "state",
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


class Replay:
    """The replay of the history. The answers of the calendar and the deadlines are kept for the
    run (the same start and end days recur across thousands of applications)."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self._taken: dict[tuple[date, date], int] = {}
        self._steps: dict[tuple, deadlines.Step | None] = {}

    def day(self, moment) -> date:
        return moment.astimezone(self.zone).date()

    def taken(self, started: date, ended: date) -> int:
        key = (started, ended)
        taken = self._taken.get(key)
        if taken is None:
            taken = self._taken[key] = calendar.working_days_between(started, ended)
        return taken

    def step(self, state: str, *, version_id, started, complete_since, contract_date, facts):
        """deadlines.step as the workflow computed it for a step that started on `started`;
        None when no rulebook applies."""
        key = (state, version_id, started, complete_since, contract_date, facts)
        if key in self._steps:
            return self._steps[key]
        try:
            rules = get_rules_by_version(version_id) if version_id else get_rules(on=started)
        except RulebookError:
            result = None
        else:
            result = deadlines.step(
                state,
                rules=rules,
                started_on=started,
                complete_since=complete_since,
                contract_date=contract_date,
                facts=facts,
            )
        self._steps[key] = result
        return result

    def tally(self, applications: Iterable[ConnectionRequest], history: Iterable[tuple]) -> Tally:
        """The counts of these applications' history: `history` is (application_id,
        from_state, to_state, local day), ordered by application, time and id, transitions
        only (no events). The due date of each step is recomputed as the workflow set it:
        deadlines.step on the application's rulebook version and facts (for `under_review` the
        term runs from the start of the completeness check before it)."""
        by_id = {application.pk: application for application in applications}
        tally = Tally()
        for application in by_id.values():
            if application.submitted_at:
                tally.add_flow(
                    (branch_key(application.branch_id), self.day(application.submitted_at)), received=1
                )
        entered: dict[str, date] = {}
        current = application = facts = key = None
        for application_id, from_state, to_state, day in history:
            if application_id != current:
                current = application_id
                application = by_id.get(application_id)
                entered = {}
                if application is not None:
                    facts = application.term_facts()
                    key = branch_key(application.branch_id)
                    if application.submitted_at:
                        entered[State.SUBMITTED] = self.day(application.submitted_at)
            if application is None:
                continue
            started = entered.get(from_state)
            if from_state in STEP_STATES and started is not None:
                step = self.step(
                    from_state,
                    version_id=application.rulebook_version_id,
                    started=started,
                    complete_since=entered.get(State.SUBMITTED),
                    contract_date=application.contract_date,
                    facts=facts,
                )
                judged = step is not None and step.party in GRID_PARTIES and step.due is not None
                tally.add_exit(
                    (key, from_state, day, self.taken(started, day)),
                    judged=judged,
                    on_time=judged and day <= step.due,
                )
            if is_completion(from_state, to_state):
                tally.add_flow((key, day), completed=1)
            entered[to_state] = day
        return tally


def replay_batches(*, batch_size: int = REBUILD_BATCH) -> Iterator[Tally]:
    """The replay of the whole history, one batch of applications (by id) at a time."""
    replay = Replay()
    last_id = 0
    while True:
        applications = list(
            ConnectionRequest.objects.filter(pk__gt=last_id)
            .exclude(state=State.DRAFT)
            .order_by("pk")
            .only(*REPLAY_FIELDS)[:batch_size]
        )
        if not applications:
            return
        first_id, last_id = applications[0].pk, applications[-1].pk
        history = (
            TransitionLog.objects.filter(application_id__gte=first_id, application_id__lte=last_id)
            .exclude(transition__in=list(EVENT_LABELS))
            .order_by("application_id", "created_at", "id")
            .values_list("application_id", "from_state", "to_state", TruncDate("created_at"))
        )
        yield replay.tally(applications, history.iterator(chunk_size=10_000))


@dataclass(frozen=True)
class RebuildReport:
    step_rows: int
    flow_rows: int


def _lock_counters() -> None:
    """Transitions wait while the counters are rebuilt (their own additions would otherwise be
    lost with the old rows or counted twice). SQLite writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        tables = ", ".join(quote(model._meta.db_table) for model in (StepExit, DailyFlow))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def rebuild_figures(*, batch_size: int = REBUILD_BATCH) -> RebuildReport:
    """Recount the dashboard's counters from the whole history, in one transaction."""
    with transaction.atomic():
        _lock_counters()
        StepExit.objects.all().delete()
        DailyFlow.objects.all().delete()
        pending = Tally()
        for tally in replay_batches(batch_size=batch_size):
            pending.merge(tally)
            if len(pending.steps) + len(pending.flow) >= FLUSH_ROWS:
                pending.write()
                pending = Tally()
        pending.write()
        return RebuildReport(step_rows=StepExit.objects.count(), flow_rows=DailyFlow.objects.count())
