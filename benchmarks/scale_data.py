"""A scale data set in PostgreSQL: a million applications and ten million history rows, by COPY.

    .venv/bin/python benchmarks/scale_data.py --database-url postgres://postgres@127.0.0.1:5432/portal_scale
    .venv/bin/python benchmarks/scale_data.py --database-url ... --applications 200000   # a fifth

Defaults (issue 18): 1,000,000 applications over 30 branches of the demo grid, one branch holding
a fifth (200,000); 10 history rows per application on average (10,000,000), consistent with each
application's state (the path of transitions that leads there, with rounds of requested
information and reported defects); 3 documents with one version each (metadata only, no files);
2 messages per submitted application; one applicant account per two applications. States, due
dates (15 days overdue to 40 ahead) and ages (four years) are spread as a live register would be.
One application of the large branch carries 500 history rows (the detail benchmark reads it).
The dashboard's counters are then made from that history by connection.figures.rebuild_figures,
as `manage.py rebuild_dashboard_figures` does on an upgrade.

Rows are written with COPY, not the ORM (about 20 million rows in a few minutes on 2 cores). The
columns come from the models' metadata, so a column added later with a default needs no change
here; a new required column without a default stops the run with its name. The database is
migrated first; it must be empty of applications (a fresh database) — or already hold a set made
by this script with the same parameters and migrations, which is then reused as it is
(`ensure_dataset`, used by bench_scale.py). Random with a fixed seed: the same set every time.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MARKER_TABLE = "benchmark_scale_dataset"
BRANCHES = 30
LONG_HISTORY_ROWS = 500

# Share of the register in each final or waiting state (a register some years old: most closed).
STATE_SHARES = {
    "draft": 0.04,
    "submitted": 0.03,
    "needs_info": 0.02,
    "under_review": 0.05,
    "offer_issued": 0.04,
    "contract_active": 0.14,
    "ready_for_check": 0.02,
    "connected": 0.04,
    "closed": 0.46,
    "withdrawn": 0.05,
    "annulled": 0.05,
    "rejected": 0.06,
}
# The transitions that lead from draft to a state, with who runs each (machine.py's actors).
OWNER, BRANCH, SYSTEM = "owner", "branch", "system"
STEP = {
    "submit": ("draft", "submitted", OWNER),
    "request_info": ("submitted", "needs_info", BRANCH),
    "resubmit": ("needs_info", "submitted", OWNER),
    "reject": ("submitted", "rejected", BRANCH),
    "accept": ("submitted", "under_review", BRANCH),
    "issue_offer": ("under_review", "offer_issued", BRANCH),
    "record_payment": ("offer_issued", "contract_active", BRANCH),
    "notify_ready": ("contract_active", "ready_for_check", OWNER),
    "report_defects": ("ready_for_check", "contract_active", BRANCH),
    "confirm_connection": ("ready_for_check", "connected", BRANCH),
    "close": ("connected", "closed", BRANCH),
}
MISSING = object()
ROLE_OF_ACTOR = {OWNER: "applicant", BRANCH: "engineer", SYSTEM: "system"}

LAST_NAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
]
FIRST_NAMES = [
    "Александр",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Алексей",
    "Иван",
    "Михаил",
    "Николай",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Мария",
    "Анна",
]
STREETS = [
    "Ленина",
    "Мира",
    "Садовая",
    "Школьная",
    "Новая",
    "Лесная",
    "Полевая",
    "Молодёжная",
    "Центральная",
    "Советская",
    "Набережная",
    "Заречная",
]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def inn_for_person(rng: random.Random) -> str:
    """A 12-digit INN with valid control digits (search by INN should find realistic values)."""
    digits = [rng.randrange(10) for _ in range(10)]
    for weights in ((7, 2, 4, 10, 3, 5, 9, 4, 6, 8), (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)):
        digits.append(sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10)
    return "".join(map(str, digits))


def path_to(state: str, rng: random.Random, info_rounds: int, defect_rounds: int) -> list[str]:
    """The transitions, in order, that bring a new application to `state`."""
    if state == "draft":
        return []
    road = ["submit"] + ["request_info", "resubmit"] * info_rounds
    if state == "submitted":
        return road
    if state == "needs_info":
        return [*road, "request_info"]
    if state == "rejected":
        return [*road, "reject"]
    if state == "withdrawn":
        stop = rng.choice(["submitted", "under_review", "offer_issued"])
        return [*path_to(stop, rng, info_rounds, 0), "withdraw"]
    if state == "annulled":
        if rng.random() < 0.5:
            return [*road, "request_info", "annul"]
        return [*path_to("offer_issued", rng, info_rounds, 0), "annul"]
    if state not in (
        "under_review",
        "offer_issued",
        "contract_active",
        "ready_for_check",
        "connected",
        "closed",
    ):
        raise ValueError(f"no road to {state!r}")
    road += ["accept"]
    for name, reached in (
        ("issue_offer", "under_review"),
        ("record_payment", "offer_issued"),
    ):
        if state == reached:
            return road
        road.append(name)
    road += ["notify_ready", "report_defects"] * defect_rounds
    for name, reached in (
        ("notify_ready", "contract_active"),
        ("confirm_connection", "ready_for_check"),
        ("close", "connected"),
    ):
        if state == reached:
            return road
        road.append(name)
    return road


def transition_row(name: str, state_before: str) -> tuple[str, str, str]:
    """(from, to, actor) of one step; withdraw and annul leave from wherever the road stopped."""
    if name == "withdraw":
        return state_before, "withdrawn", OWNER
    if name == "annul":
        return state_before, "annulled", SYSTEM
    return STEP[name]


class Table:
    """COPY rows into one model's table, columns from the model's metadata."""

    def __init__(self, model, overrides: Iterable[str] = ()) -> None:
        from django.db.models import GeneratedField
        from django.db.models.fields import NOT_PROVIDED

        self.model = model
        self.columns: list[str] = []
        template: list[Any] = []
        overrides = set(overrides)
        for field in model._meta.concrete_fields:
            if isinstance(field, GeneratedField):
                continue
            self.columns.append(field.column)
            if field.attname in overrides or field.name in overrides:
                template.append(None)
                continue
            if field.has_default():
                value = field.get_default()
            elif getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                # COPY does not apply column defaults for listed columns: leave it out.
                self.columns.pop()
                continue
            elif field.null:
                value = None
            elif field.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField"):
                value = ""
            else:
                value = MISSING  # required, no default: every row must give it (checked on the first)
            if isinstance(value, dict | list):
                value = json.dumps(value, ensure_ascii=False)
            template.append(value)
        self.template = template
        self.checked = False
        self.index = {column: position for position, column in enumerate(self.columns)}

    def row(self, **values: Any) -> list[Any]:
        row = list(self.template)
        for column, value in values.items():
            row[self.index[column]] = value
        if not self.checked:
            missing = [column for column, value in zip(self.columns, row, strict=True) if value is MISSING]
            if missing:
                raise SystemExit(
                    f"{self.model._meta.db_table}: {', '.join(missing)} required with no default: "
                    "give a value in benchmarks/scale_data.py"
                )
            self.checked = True
        return row

    def copy(self, cursor, rows: Iterator[list[Any]]) -> int:
        table = self.model._meta.db_table
        started = time.perf_counter()
        count = 0
        with cursor.copy(f"COPY {table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - a model's table name
        )
        print(f"  {table}: {count:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
        return count


def fingerprint(args: argparse.Namespace) -> str:
    """The parameters and the migrations on disk: a set made under other ones is made anew."""
    from django.db.migrations.loader import MigrationLoader

    migrations = sorted(
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    )
    text = json.dumps(
        {"applications": args.applications, "history": args.history_per_application, "migrations": migrations}
    )
    return hashlib.sha256(text.encode()).hexdigest()


def existing_fingerprint(cursor) -> str | None:
    cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(f"SELECT fingerprint FROM {MARKER_TABLE}")  # noqa: S608 - a constant
    row = cursor.fetchone()
    return row[0] if row else None


def build(args: argparse.Namespace) -> dict[str, int]:
    """Write the data set; returns the row counts per table."""
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from backend.users.models import User
    from connection.figures import rebuild_figures
    from connection.models import Applicant, ConnectionRequest, Document, DocumentVersion, Message
    from connection.models.requests import RequestNumberSequence
    from connection.tariff_data import load_demo_tariffs
    from grid import demo as grid_demo
    from grid.models import Branch, Territory
    from workflow import deadlines
    from workflow.models import TransitionLog
    from workflow.rulebook import get_rules

    rng = random.Random(18)
    today = timezone.localdate()
    now = timezone.now()
    rules = get_rules(on=today)
    if not Branch.objects.exists():
        grid_demo.load_branches()
        grid_demo.load_grid_assets()
        load_demo_tariffs()
    branches = list(Branch.objects.order_by("id"))[: args.branches]
    territories: dict[int, list[tuple[int, str]]] = {}
    for territory_id, branch_id, kind in Territory.objects.values_list("id", "branch_id", "settlement_kind"):
        territories.setdefault(branch_id, []).append((territory_id, kind))
    rulebook_version_id = rules.version_id

    engineer_group = Group.objects.get(name="engineer")
    applicant_group = Group.objects.get(name="applicant")
    engineers: dict[int, list[int]] = {}
    for branch in branches:
        for index in range(3):
            user = User.objects.create_user(
                email=f"scale-engineer-{branch.code}-{index}@example.ru",
                password=None,
                last_name="Инженер",
                first_name=f"{branch.code}-{index}",
            )
            user.groups.add(engineer_group)
            user.branches.add(branch)
            engineers.setdefault(branch.pk, []).append(user.pk)
    User.objects.create_user(
        email="scale-supervisor@example.ru", password=None, last_name="Руководитель", first_name="Сводный"
    ).groups.add(Group.objects.get(name="supervisor"))

    facts = deadlines.TermFacts(temporary=False, voltage_kv=Decimal("0.4"), urban=False, grid_distance_m=None)
    party_of = {
        state: deadlines.step(
            state, rules=rules, started_on=today, complete_since=today, contract_date=today, facts=facts
        ).party
        for state in STATE_SHARES
    }

    applications = args.applications
    owners = max(1, applications // 2)
    cursor_counts: dict[str, int] = {}
    states = list(STATE_SHARES)
    weights = list(STATE_SHARES.values())
    big_branch = branches[0].pk
    other_branches = [branch.pk for branch in branches[1:]] or [big_branch]
    big_share = 0.2

    # History length: the roads' own length plus rounds of information and defects to reach the mean.
    mean_rounds = max(0.0, (args.history_per_application - 6.2) / 1.9)

    with connection.cursor() as django_cursor, transaction.atomic():
        cursor = django_cursor.cursor  # psycopg's own cursor: COPY
        # The rows are consistent by construction: skip the per-row foreign-key triggers (superuser).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT coalesce(max(id), 0) FROM users_user")
        first_user = cursor.fetchone()[0] + 1
        users = Table(User, ["id", "email", "password", "last_name", "first_name", "date_joined", "language"])

        def user_rows():
            for index in range(owners):
                yield users.row(
                    id=first_user + index,
                    email=f"scale-owner-{index}@example.ru",
                    password="!scale",  # noqa: S106 - "!" prefix: an unusable password, no login
                    last_name=LAST_NAMES[index % len(LAST_NAMES)],
                    first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
                    date_joined=now - datetime.timedelta(days=1500 - index % 1500),
                    language="ru",
                    is_active=True,
                )

        cursor_counts["users"] = users.copy(cursor, user_rows())
        memberships = Table(User.groups.through, ["id", "user_id", "group_id"])
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {User.groups.through._meta.db_table}")  # noqa: S608
        first_membership = cursor.fetchone()[0] + 1
        cursor_counts["user groups"] = memberships.copy(
            cursor,
            (
                memberships.row(
                    id=first_membership + index, user_id=first_user + index, group_id=applicant_group.pk
                )
                for index in range(owners)
            ),
        )

        applicants = Table(Applicant, ["id"])
        cursor.execute("SELECT coalesce(max(id), 0) FROM connection_applicant")
        first_applicant = cursor.fetchone()[0] + 1
        snapshots: list[str] = []

        def applicant_rows():
            for index in range(owners):
                last, first = LAST_NAMES[index % len(LAST_NAMES)], FIRST_NAMES[(index * 7) % len(FIRST_NAMES)]
                middle = "Иванович" if first[-1] not in "аяи" else "Ивановна"
                if FIRST_NAMES.index(first) >= 8 and not last.endswith("а"):
                    last += "а"
                inn = inn_for_person(rng)
                snils = f"{rng.randrange(10**9):09d}{rng.randrange(100):02d}"
                address = f"с. Тестовое, ул. {STREETS[index % len(STREETS)]}, д. {index % 97 + 1}"
                phone = f"+7 918 {index % 1000:03d}-{(index // 1000) % 100:02d}-{index % 100:02d}"
                email = f"scale-owner-{index}@example.ru"
                row = applicants.row(
                    id=first_applicant + index,
                    applicant_type="individual",
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    inn=inn,
                    snils=snils,
                    passport_series=f"{rng.randrange(10000):04d}",
                    passport_number=f"{rng.randrange(10**6):06d}",
                    passport_issued_by="ГУ МВД России по краю",
                    passport_issued_on=datetime.date(2015, 1, 1) + datetime.timedelta(days=index % 3000),
                    registration_address=address,
                    postal_address=address,
                    phone=phone,
                    email=email,
                    created_at=now,
                    updated_at=now,
                    owner_id=first_user + index,
                )
                snapshots.append(
                    json.dumps(
                        {
                            "applicant_type": "individual",
                            "last_name": last,
                            "first_name": first,
                            "middle_name": middle,
                            "inn": inn,
                            "snils": snils,
                            "registration_address": address,
                            "phone": phone,
                            "email": email,
                            "id": first_applicant + index,
                            "display_name": f"{last} {first} {middle}",
                        },
                        ensure_ascii=False,
                    )
                )
                yield row

        cursor_counts["applicants"] = applicants.copy(cursor, applicant_rows())

        requests_table = Table(ConnectionRequest, ["id"])
        history = Table(TransitionLog, ["id"])
        documents = Table(Document, ["id"])
        versions = Table(DocumentVersion, ["id"])
        messages = Table(Message, ["id"])
        cursor.execute("SELECT coalesce(max(id), 0) FROM connection_connectionrequest")
        first_application = cursor.fetchone()[0] + 1

        numbers: dict[int, int] = {}
        plans: list[tuple[int, str, datetime.datetime, int, int, list[str]]] = []

        def application_rows():
            for index in range(applications):
                application_id = first_application + index
                owner = index // 2 % owners
                branch_id = big_branch if rng.random() < big_share else rng.choice(other_branches)
                state = rng.choices(states, weights)[0]
                if index == 0:
                    branch_id, state = big_branch, "contract_active"
                age_days = (
                    rng.randrange(1, 1460)
                    if state in ("closed", "withdrawn", "annulled", "rejected")
                    else rng.randrange(1, 240)
                )
                created = now - datetime.timedelta(days=age_days, seconds=rng.randrange(86400))
                info_rounds = min(int(rng.expovariate(1 / mean_rounds)) if mean_rounds else 0, 6)
                defect_rounds = min(int(rng.expovariate(1 / mean_rounds)) if mean_rounds else 0, 6)
                if index == 0:
                    info_rounds, defect_rounds = 0, (LONG_HISTORY_ROWS - 4) // 2
                road = path_to(state, rng, info_rounds, defect_rounds)
                if index == 0:
                    road = road[:LONG_HISTORY_ROWS]
                submitted = created + datetime.timedelta(hours=rng.randrange(1, 72)) if road else None
                number = None
                if submitted is not None:
                    year = submitted.year
                    numbers[year] = numbers.get(year, 0) + 1
                    number = f"ТП-{year}-{numbers[year]:06d}"
                territory_id, kind = rng.choice(territories.get(branch_id) or [(None, "rural")])
                waiting = state not in ("draft", "closed", "withdrawn", "annulled", "rejected")
                due = (
                    today + datetime.timedelta(days=rng.randrange(-15, 41))
                    if waiting and rng.random() < 0.95
                    else None
                )
                requested = Decimal(rng.choice([5, 7, 10, 12, 15, 15, 15, 25, 40, 75, 100, 150]))
                plans.append((application_id, state, submitted or created, owner, branch_id, road))
                yield requests_table.row(
                    id=application_id,
                    state=state,
                    number=number,
                    applicant_snapshot=snapshots[owner] if submitted else None,
                    object_name="Жилой дом" if requested <= 15 else "Производственное здание",
                    object_address=f"с. Тестовое, ул. {STREETS[index % len(STREETS)]}, д. {index % 211 + 1}",
                    cadastral_number=f"23:{index % 50:02d}:{index % 10**7:07d}:{index % 999 + 1}",
                    latitude=Decimal("45.0") + Decimal(rng.randrange(10**6)) / Decimal(10**6),
                    longitude=Decimal("39.0") + Decimal(rng.randrange(10**6)) / Decimal(10**6),
                    kind="new",
                    previously_connected_kw=Decimal(0),
                    requested_kw=requested,
                    voltage_level="0.4",
                    phases=3,
                    reliability_category="III",
                    load_character="household" if requested <= 15 else "production",
                    guaranteeing_supplier="ПАО «ТНС энерго Кубань»",
                    payment_option="lump_sum",
                    routing_method="territory",
                    settlement_kind=kind,
                    created_at=created,
                    updated_at=created,
                    submitted_at=submitted,
                    applicant_id=first_applicant + owner,
                    branch_id=branch_id,
                    owner_id=first_user + owner,
                    rulebook_version_id=rulebook_version_id,
                    territory_id=territory_id,
                    acting_party=party_of[state],
                    due_date=due,
                    step_started_on=due - datetime.timedelta(days=10) if due else None,
                    complete_since=submitted.date() if submitted and state != "submitted" else None,
                    assigned_to_id=rng.choice(engineers[branch_id])
                    if waiting and rng.random() < 0.3
                    else None,
                )

        cursor_counts["applications"] = requests_table.copy(cursor, application_rows())
        for year, last in numbers.items():
            RequestNumberSequence.objects.update_or_create(year=year, defaults={"last_value": last})

        cursor.execute("SELECT coalesce(max(id), 0) FROM workflow_transitionlog")
        next_id = [cursor.fetchone()[0] + 1]

        def history_rows():
            for application_id, _state, start, owner, branch_id, road in plans:
                moment, state_before = start, "draft"
                for name in road:
                    source, target, actor = transition_row(name, state_before)
                    actor_id = (
                        first_user + owner
                        if actor == OWNER
                        else (engineers[branch_id][application_id % 3] if actor == BRANCH else None)
                    )
                    yield history.row(
                        id=next_id[0],
                        transition=name,
                        from_state=source,
                        to_state=target,
                        actor_role=ROLE_OF_ACTOR[actor],
                        created_at=min(moment, now),
                        actor_id=actor_id,
                        application_id=application_id,
                    )
                    next_id[0] += 1
                    state_before = target
                    moment += datetime.timedelta(hours=rng.randrange(2, 240))

        cursor_counts["history"] = history.copy(cursor, history_rows())

        document_types = ["location_plan", "title_to_plot", "passport"]
        cursor.execute("SELECT coalesce(max(id), 0) FROM connection_document")
        first_document = cursor.fetchone()[0] + 1
        document_plan = [(application_id, start, owner) for application_id, _s, start, owner, _b, _r in plans]

        def document_rows():
            document_id = first_document
            for application_id, start, _owner in document_plan:
                for doc_type in document_types:
                    yield documents.row(
                        id=document_id,
                        doc_type=doc_type,
                        title="",
                        created_at=start,
                        request_id=application_id,
                    )
                    document_id += 1

        def version_rows():
            document_id = first_document
            for application_id, start, owner in document_plan:
                for doc_type in document_types:
                    yield versions.row(
                        id=document_id,
                        version=1,
                        file=f"documents/{application_id}/{doc_type}.pdf",
                        original_name=f"{doc_type}.pdf",
                        content_type="application/pdf",
                        size=150_000 + document_id % 50_000,
                        sha256=hashlib.sha256(str(document_id).encode()).hexdigest(),
                        uploaded_at=start,
                        document_id=document_id,
                        uploaded_by_id=first_user + owner,
                    )
                    document_id += 1

        cursor_counts["documents"] = documents.copy(cursor, document_rows())
        cursor_counts["document versions"] = versions.copy(cursor, version_rows())

        cursor.execute("SELECT coalesce(max(id), 0) FROM connection_message")
        first_message = cursor.fetchone()[0] + 1
        per_application = args.messages_per_application

        def message_rows():
            message_id = first_message
            for application_id, state, start, owner, branch_id, _road in plans:
                if state == "draft":
                    continue
                for turn in range(per_application):
                    from_applicant = turn % 2 == 0
                    moment = min(start + datetime.timedelta(days=turn + 1), now)
                    yield messages.row(
                        id=message_id,
                        author_side="applicant" if from_applicant else "grid",
                        text="Когда будет подготовлен проект договора?"
                        if from_applicant
                        else "Проект договора будет направлен в срок, установленный Правилами.",
                        created_at=moment,
                        read_by_applicant_at=moment,
                        read_by_grid_at=moment,
                        author_id=first_user + owner if from_applicant else engineers[branch_id][0],
                        request_id=application_id,
                    )
                    message_id += 1

        cursor_counts["messages"] = messages.copy(cursor, message_rows())

    # The dashboard's counters, as `manage.py rebuild_dashboard_figures` makes them on an upgrade.
    started = time.perf_counter()
    report = rebuild_figures()
    cursor_counts["dashboard counters"] = report.step_rows + report.flow_rows
    print(
        f"  dashboard counters: {report.step_rows:,} step rows, {report.flow_rows:,} daily rows "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    # VACUUM too, as autovacuum would have done on a live database: the visibility map lets the
    # index-only scans (the dashboard's open counts) skip the table. (Inside a transaction, as in
    # the tests, VACUUM cannot run.)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return cursor_counts


def ensure_dataset(args: argparse.Namespace) -> bool:
    """Build the set unless the database already holds the same one; True when it was built. A set
    made by this script under other parameters or migrations is dropped and made anew; a database
    holding anything else is left alone (an error)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The scale data set is for PostgreSQL: set --database-url postgres://…")
    wanted = fingerprint(args)
    with connection.cursor() as cursor:
        found = existing_fingerprint(cursor)
    if found == wanted:
        return False
    if found is not None:
        print("The scale data set was made under other parameters or migrations: making it anew.", flush=True)
        connection.close()
        recreate_database(args.database_url)
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        if _has_applications(cursor):
            raise SystemExit(
                f"{connection.settings_dict['NAME']} already holds other data: give an empty database "
                "(it is dropped and made anew with --recreate)"
            )
    started = time.perf_counter()
    counts = build(args)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (fingerprint text NOT NULL, counts jsonb NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s)", [wanted, json.dumps(counts)])  # noqa: S608
    elapsed = time.perf_counter() - started
    total = sum(counts.values())
    print(
        "Scale data set: "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items())
        + f" — {total:,} rows in {elapsed:.0f} s ({total / elapsed:,.0f} rows/s)",
        flush=True,
    )
    return True


def _has_applications(cursor) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM connection_connectionrequest)")
    return cursor.fetchone()[0]


def database_exists(database_url: str) -> bool:
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database(database_url: str) -> None:
    """Drop and create the database named in the URL (through the server's `postgres` database)."""
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_scale"),
    )
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--branches", type=int, default=BRANCHES)
    parser.add_argument("--history-per-application", type=float, default=10.0)
    parser.add_argument("--messages-per-application", type=int, default=2)
    parser.add_argument("--recreate", action="store_true", help="drop the database first")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if args.recreate:
        recreate_database(args.database_url)
    setup_django(args.database_url)
    if not ensure_dataset(args):
        print("The database already holds this data set; nothing to do.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
