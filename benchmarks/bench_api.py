"""API throughput under gunicorn on PostgreSQL, as a share of bare Django's one-query rate.

    .venv/bin/python benchmarks/bench_api.py            # 4 rounds of 3 s per endpoint (and as many of bare Django)
    .venv/bin/python benchmarks/bench_api.py --quick    # 2 rounds of 2 s
    .venv/bin/python benchmarks/bench_api.py --keep     # leave the database (and print how to serve it)

Needs PostgreSQL: the server of BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/),
where the benchmark drops and creates its own database (`--database`, default portal_bench_api),
migrates it and fills it with 10,000 applications over the demo branches (every state, applicant
snapshots, stages, documents with versions, history rows), the demo grid assets with their
capacity, the demo tariffs, and the rulebook and calendar the migrations load; then VACUUM ANALYZE,
as autovacuum keeps a live database (planner statistics, visibility map).

Then it serves, side by side and on the same database:

- the portal: `gunicorn backend.wsgi --workers 2` with production settings (DEBUG=0, a SECRET_KEY,
  ALLOWED_HOSTS, HTTPS redirect on and `X-Forwarded-Proto: https` sent as a proxy would, hashed
  static files, CONN_MAX_AGE=60, no Redis: the default in-process cache); the API throttles are
  raised to 1,000,000/min for the run (THROTTLE_ANON, THROTTLE_USER, THROTTLE_CALCULATOR), so that
  they count but never refuse; Celery tasks (a transition's e-mails) are queued as production queues
  them, to a broker — here kombu's in-process `memory://` transport, which no worker drains: sending
  is a worker's work on its own host, not the web node's (without a broker they would be sent in the
  request);
- bare Django (`benchmarks/bare_django`): no middleware, one JsonResponse view running one indexed
  query through the ORM on the applications table (an unmanaged model), also `gunicorn --workers 2`.

Each endpoint gets the same load, in turns with bare Django (rounds: bare, endpoint, bare, …), wrk (`apt-get install wrk`) with one thread and 4 connections, or,
without wrk, a Python client with 4 threads on keep-alive connections. Requests rotate over many
objects (each transition POST a different submitted application, so each succeeds). Printed per
endpoint: req/s, p50 and p99 latency, non-2xx answers, the share of bare Django's req/s of the
same run with its target and whether it is met, and the SQL queries one request runs (counted
in-process with the test client on the same data). Ports: `--port` (portal) and the next one (bare),
default 8200.

Where the time goes: `benchmarks/profile_api.py` calls the same endpoints in-process on a database
kept with `--keep` (CPU time, queries and Python function calls per request; cProfile or pyinstrument).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

APPLICATIONS = 10_000
CONNECTIONS = 4
#: Submitted applications of the benchmark branch that the transition endpoint accepts, one each.
ACCEPTABLE = 4000
CALCULATION = {
    "devices": [
        {"device_type": "electric_cooker", "quantity": 1},
        {"device_type": "kettle", "quantity": 1},
        {"device_type": "washing_machine", "quantity": 1},
        {"device_type": "lighting_led", "quantity": 20},
    ]
}


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    method: str = "GET"
    body: str | None = None
    token: str | None = None
    target: float | None = None  # share of bare's req/s
    warm_paths: list[str] = field(default_factory=list)
    unique: bool = False  # each path may be requested once (a transition)


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combined(rounds: list[Result]) -> Result:
    """Rounds taken together: total requests over total time; the median p50 and the worst p99."""
    return Result(
        requests=sum(item.requests for item in rounds),
        seconds=sum(item.seconds for item in rounds),
        p50_ms=statistics.median(item.p50_ms for item in rounds),
        p99_ms=max(item.p99_ms for item in rounds),
        failures=sum(item.failures for item in rounds),
    )


# Fixture -----------------------------------------------------------------------------------------


def build(rng: random.Random) -> dict:
    """10,000 applications over the demo branches, with what a real register has around them."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from backend.users.models import User
    from backend.users.services import issue_token
    from connection.models import (
        Applicant,
        CommissioningStage,
        ConnectionRequest,
        Document,
        DocumentVersion,
    )
    from connection.services import applicant_snapshot
    from connection.tariff_data import load_demo_tariffs
    from grid import demo
    from grid.models import Branch, GridAsset
    from workflow.models import RulebookVersion, TransitionLog

    demo.load_branches()
    demo.load_grid_assets()
    load_demo_tariffs()
    branches = list(Branch.objects.order_by("id"))
    territories = {branch.pk: branch.territories.first() for branch in branches}
    rulebook = RulebookVersion.objects.order_by("-effective_from").first()
    groups = {group.name: group for group in Group.objects.all()}

    def user(email: str, role: str, branch: Branch | None = None) -> User:
        account = User.objects.create_user(
            email=email, password=None, last_name="Бенчмарков", first_name=role
        )
        account.groups.add(groups[role])
        if branch is not None:
            account.branches.add(branch)
        return account

    bench_branch = branches[0]
    engineers = {
        branch.pk: user(f"engineer{branch.pk}@bench.local", "engineer", branch) for branch in branches
    }
    client_owner = user("integration@bench.local", "applicant")  # the token's owner for the detail
    owners = [user(f"applicant{index}@bench.local", "applicant") for index in range(200)]
    owners.append(client_owner)

    applicants = Applicant.objects.bulk_create(
        Applicant(
            owner=owners[index % len(owners)],
            applicant_type="individual",
            last_name=rng.choice(["Петров", "Иванова", "Сидоров", "Кузнецова", "Смирнов"]),
            first_name=rng.choice(["Пётр", "Анна", "Иван", "Мария"]),
            middle_name="Петрович",
            snils="11223344595",
            passport_series="0712",
            passport_number=f"{100000 + index}",
            passport_issued_by="ГУ МВД России по Ставропольскому краю",
            passport_issued_on=datetime.date(2015, 6, 1),
            registration_address="355000, г. Ставрополь, ул. Ленина, д. 1",
            phone="+7 900 123-45-67",
            email=f"person{index}@example.ru",
        )
        for index in range(2000)
    )
    by_owner: dict[int, list] = {}
    for applicant in applicants:
        by_owner.setdefault(applicant.owner_id, []).append(applicant)

    states = ["submitted"] * 25 + ["needs_info"] * 8 + ["under_review"] * 25 + ["offer_issued"] * 10
    states += ["contract_active"] * 15 + ["ready_for_check"] * 5 + ["connected"] * 4 + ["closed"] * 4
    states += ["rejected"] * 2 + ["draft"] * 2
    path_to = {
        "submitted": ["submit"],
        "needs_info": ["submit", "request_info"],
        "under_review": ["submit", "accept"],
        "offer_issued": ["submit", "accept", "issue_offer"],
        "contract_active": ["submit", "accept", "issue_offer", "record_payment"],
        "ready_for_check": ["submit", "accept", "issue_offer", "record_payment", "notify_ready"],
        "connected": [
            "submit",
            "accept",
            "issue_offer",
            "record_payment",
            "notify_ready",
            "confirm_connection",
        ],
        "closed": [
            "submit",
            "accept",
            "issue_offer",
            "record_payment",
            "notify_ready",
            "confirm_connection",
            "close",
        ],
        "rejected": ["submit", "reject"],
        "draft": [],
    }
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    plan = []  # (state, owner) per row
    for index in range(APPLICATIONS):
        if index < ACCEPTABLE:
            state, branch, owner = "submitted", bench_branch, owners[index % 200]
        elif index < ACCEPTABLE + 300:
            state, branch, owner = rng.choice(states), rng.choice(branches), client_owner
        else:
            state, branch, owner = rng.choice(states), rng.choice(branches), owners[index % 200]
        applicant = by_owner[owner.pk][index % len(by_owner[owner.pk])]
        submitted = state != "draft"
        due = (
            None
            if state in ("closed", "connected", "rejected", "draft")
            else today + datetime.timedelta(rng.randint(-10, 40))
        )
        lat = Decimal("45.0") + Decimal(rng.uniform(-0.6, 0.6)).quantize(Decimal("0.000001"))
        lon = Decimal("42.5") + Decimal(rng.uniform(-1.0, 1.0)).quantize(Decimal("0.000001"))
        rows.append(
            ConnectionRequest(
                number=f"ТП-{today.year}-{index + 1:06d}" if submitted else None,
                owner=owner,
                applicant=applicant,
                applicant_snapshot=applicant_snapshot(applicant) if submitted else None,
                object_name="Жилой дом",
                object_address="Ставропольский край, г. Михайловск, ул. Полевая, д. 5",
                cadastral_number="26:11:020101:123",
                latitude=lat,
                longitude=lon,
                kind=rng.choice(["new", "new", "new", "power_increase"]),
                requested_kw=Decimal(rng.choice([5, 10, 15, 15, 15, 30, 100])),
                voltage_level="0.4",
                phases=3,
                reliability_category="III",
                load_character="household",
                guaranteeing_supplier="ПАО «Ставропольэнергосбыт»",
                payment_option="lump_sum",
                branch=branch if submitted else None,
                territory=territories[branch.pk] if submitted else None,
                routing_method="territory" if submitted else "",
                settlement_kind="urban" if submitted else "",
                rulebook_version=rulebook if submitted else None,
                state=state,
                submitted_at=now if submitted else None,
                step_started_on=today if submitted else None,
                due_date=due,
                acting_party="grid"
                if state in ("submitted", "under_review", "ready_for_check")
                else "applicant",
                assigned_to=engineers[branch.pk] if submitted and rng.random() < 0.3 else None,
            )
        )
        plan.append((state, owner))
    requests = ConnectionRequest.objects.bulk_create(rows, batch_size=1000)
    CommissioningStage.objects.bulk_create(
        (
            CommissioningStage(
                request=application,
                position=1,
                planned_date=today + datetime.timedelta(days=365),
                power_kw=application.requested_kw,
            )
            for application in requests
        ),
        batch_size=2000,
    )
    documents = Document.objects.bulk_create(
        (
            Document(request=application, doc_type=doc_type)
            for application in requests
            for doc_type in ("identity", "location_plan", "ownership")
        ),
        batch_size=2000,
    )
    DocumentVersion.objects.bulk_create(
        (
            DocumentVersion(
                document=document,
                version=1,
                file=f"documents/bench/{document.pk}.pdf",
                original_name="скан.pdf",
                content_type="application/pdf",
                size=120_000,
                sha256="0" * 64,
                uploaded_by_id=document.request.owner_id,
            )
            for document in documents
        ),
        batch_size=2000,
    )
    logs = []
    previous = {
        "submit": "draft",
        "request_info": "submitted",
        "accept": "submitted",
        "issue_offer": "under_review",
        "record_payment": "offer_issued",
        "notify_ready": "contract_active",
        "confirm_connection": "ready_for_check",
        "close": "connected",
        "reject": "submitted",
    }
    target = {name: state for state, names in path_to.items() for name in names[-1:]}
    for application, (state, owner) in zip(requests, plan, strict=True):
        for name in path_to[state]:
            branch_side = name not in ("submit", "notify_ready")
            logs.append(
                TransitionLog(
                    application_id=application.pk,
                    transition=name,
                    from_state=previous[name],
                    to_state=target.get(name, "submitted"),
                    actor=engineers[application.branch_id] if branch_side else owner,
                    actor_role="engineer" if branch_side else "applicant",
                    created_at=now,
                    comment="",
                    data={},
                )
            )
    TransitionLog.objects.bulk_create(logs, batch_size=5000)
    # Drafts keep no document in a real register's counts either, but the rows are harmless here.
    bench_engineer = engineers[bench_branch.pk]
    _, client_token = issue_token(user=client_owner, name="bench")
    _, engineer_token = issue_token(user=bench_engineer, name="bench")
    own = [application.pk for application in requests[ACCEPTABLE : ACCEPTABLE + 300]]
    acceptable = [application.pk for application in requests[:ACCEPTABLE]]
    rng.shuffle(own)
    points = list(GridAsset.objects.values_list("latitude", "longitude")[:200])
    return {
        "own": own,
        "acceptable": acceptable,
        "client_token": client_token,
        "engineer_token": engineer_token,
        "points": [(float(lat), float(lon)) for lat, lon in points],
        "max_id": max(application.pk for application in requests),
        "min_id": min(application.pk for application in requests),
        "assets": GridAsset.objects.count(),
        "history": len(logs),
        "documents": len(documents),
    }


def recover(rng: random.Random) -> dict:
    """What `build` returned, read back from a database it filled (kept with `--keep`), with new
    tokens; the applications still submitted in the benchmark branch are the ones to accept."""
    from backend.users.models import User
    from backend.users.services import issue_token
    from connection.models import ConnectionRequest, Document
    from grid.models import Branch, GridAsset
    from workflow.models import TransitionLog

    bench_branch = Branch.objects.order_by("id").first()
    client_owner = User.objects.get(email="integration@bench.local")
    bench_engineer = User.objects.get(email=f"engineer{bench_branch.pk}@bench.local")
    applications = ConnectionRequest.objects.order_by("id")
    own = list(applications.filter(owner=client_owner).values_list("id", flat=True))
    rng.shuffle(own)
    acceptable = list(
        applications.filter(branch=bench_branch, state="submitted")
        .exclude(owner=client_owner)
        .values_list("id", flat=True)
    )
    _, client_token = issue_token(user=client_owner, name="bench")
    _, engineer_token = issue_token(user=bench_engineer, name="bench")
    points = list(GridAsset.objects.values_list("latitude", "longitude")[:200])
    ids = list(applications.values_list("id", flat=True))
    return {
        "own": own,
        "acceptable": acceptable,
        "client_token": client_token,
        "engineer_token": engineer_token,
        "points": [(float(lat), float(lon)) for lat, lon in points],
        "max_id": max(ids),
        "min_id": min(ids),
        "assets": GridAsset.objects.count(),
        "history": TransitionLog.objects.count(),
        "documents": Document.objects.count(),
    }


def production_env(base: str, database: str, folder: Path) -> dict[str, str]:
    """The environment the portal runs with in the benchmark: production settings on `database`."""
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CACHE_"))},
        "DATABASE_URL": database_url(base, database),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "CONN_MAX_AGE": "60",
        "EMAIL_URL": "dummymail://",
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        # Tasks are queued as in production, to kombu's in-process transport: no worker takes them
        # (the e-mails are a worker's work, on its own host, not the web node's).
        "CELERY_BROKER_URL": "memory://",
        "NUM_PROXIES": "1",  # the load generator plays the TLS proxy (X-Forwarded-Proto: https)
        "LOG_LEVEL": "WARNING",
        "THROTTLE_ANON": "1000000/min",
        "THROTTLE_USER": "1000000/min",
        "THROTTLE_CALCULATOR": "1000000/min",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def endpoints(data: dict, rng: random.Random) -> tuple[Endpoint, list[Endpoint]]:
    ids = [rng.randint(data["min_id"], data["max_id"]) for _ in range(2000)]
    bare = Endpoint("bare Django, one query", [f"/bare/?id={pk}" for pk in ids])
    nearest = []
    for _ in range(500):
        lat, lon = rng.choice(data["points"])
        lat += rng.uniform(-0.01, 0.01)
        lon += rng.uniform(-0.01, 0.01)
        power = rng.choice([5, 15, 15, 50, 150])
        nearest.append(
            f"/api/v1/connection-points/nearest/?lat={lat:.6f}&lon={lon:.6f}&power_kw={power}&voltage_kv=0.4"
        )
    accept = [f"/api/v1/connection-requests/{pk}/transitions/accept/" for pk in data["acceptable"]]
    portal = [
        Endpoint(
            "application detail (token)",
            [f"/api/v1/connection-requests/{pk}/" for pk in data["own"]],
            token=data["client_token"],
            target=0.25,
        ),
        Endpoint("nearest point (anonymous)", nearest, target=0.40),
        Endpoint(
            "application list of 20 (engineer)",
            [f"/api/v1/connection-requests/?page_size=20&page={page}" for page in range(1, 41)],
            token=data["engineer_token"],
            target=0.15,
        ),
        Endpoint(
            "load calculator POST",
            ["/api/v1/load-calculations/"],
            method="POST",
            body=json.dumps(CALCULATION),
            target=0.25,
        ),
        Endpoint(
            "transition accept POST",
            accept[200:],
            method="POST",
            body=json.dumps({"comment": "Комплект полный"}),
            token=data["engineer_token"],
            target=0.10,
            warm_paths=accept[:200],
            unique=True,
        ),
        Endpoint("healthz", ["/healthz"]),
    ]
    return bare, portal


# Query counts (in-process, the test client on the same data) ------------------------------------


def count_queries(endpoint: Endpoint, path: str) -> tuple[int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_X_FORWARDED_PROTO": "https"}
    if endpoint.token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {endpoint.token}"
    client = Client(**headers)
    call = client.post if endpoint.method == "POST" else client.get
    kwargs = {"data": endpoint.body, "content_type": "application/json"} if endpoint.body else {}
    with CaptureQueriesContext(connection) as captured:
        response = call(path, **kwargs)
    return len(captured), response.status_code


# Load ------------------------------------------------------------------------------------------

LUA = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local body = %(body)s
local i = 0
request = function()
  i = i + 1
  return wrk.format("%(method)s", paths[((i - 1) %% #paths) + 1], headers, body)
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("BENCH-JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"non2xx\\": %%d, " ..
    "\\"socket\\": %%d, \\"p50_us\\": %%d, \\"p99_us\\": %%d}\\n", summary.requests, summary.duration,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Lua string literal here


def headers_for(endpoint: Endpoint) -> dict[str, str]:
    headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
    if endpoint.token:
        headers["Authorization"] = f"Bearer {endpoint.token}"
    if endpoint.body:
        headers["Content-Type"] = "application/json"
    return headers


def run_wrk(port: int, endpoint: Endpoint, paths: list[str], seconds: float, folder: Path) -> Result:
    script = folder / "load.lua"
    script.write_text(
        LUA
        % {
            "paths": ", ".join(lua_string(path) for path in paths),
            "headers": ", ".join(
                f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers_for(endpoint).items()
            ),
            "body": lua_string(endpoint.body) if endpoint.body else "nil",
            "method": endpoint.method,
        },
        encoding="utf-8",
    )
    completed = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("BENCH-JSON "))
    values = json.loads(line.removeprefix("BENCH-JSON "))
    return Result(
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        failures=values["non2xx"] + values["socket"],
    )


def run_python(port: int, endpoint: Endpoint, paths: list[str], seconds: float, folder: Path) -> Result:
    """The same load without wrk: CONNECTIONS threads on keep-alive connections, for `seconds`."""
    headers = headers_for(endpoint)
    body = endpoint.body.encode() if endpoint.body else None
    lock = threading.Lock()
    cursor = iter(range(10**9))
    latencies: list[float] = []
    failures = [0]
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        while time.perf_counter() < deadline:
            with lock:
                path = paths[next(cursor) % len(paths)]
            start = time.perf_counter()
            try:
                connection.request(endpoint.method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = 200 <= response.status < 300
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            mine.append(time.perf_counter() - start)
            if not ok:
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return Result(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=ordered[len(ordered) // 2] * 1000,
        p99_ms=ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000,
        failures=failures[0],
    )


# Servers ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def gunicorn(app: str, port: int, env: dict[str, str], log: Path):
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--keep-alive",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited; see {log}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
                connection.getresponse().read()
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app} did not answer on port {port}")
            time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def database_url(base: str, name: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--quick", action="store_true", help="2 rounds of 2 s per endpoint instead of 4 of 3 s"
    )
    parser.add_argument("--seconds", type=float, help="seconds of load per endpoint")
    parser.add_argument("--database", default="portal_bench_api", help="database to (re)create")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8200")))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even with wrk")
    parser.add_argument("--only", help="comma-separated words: run only endpoints whose name has one")
    args = parser.parse_args()
    seconds = args.seconds or (4.0 if args.quick else 12.0)
    warm_seconds = 1.0 if args.quick else 2.0
    rounds = 2 if args.quick else 4
    round_seconds = max(2, round(seconds / rounds))
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        recreate_database(base, args.database)
    except Exception as error:  # no server: say so and skip, as the PostGIS benchmark does
        print(f"PostgreSQL is not reachable at {base} ({error.__class__.__name__}: {error}); skipped.")
        return 0

    folder = Path(tempfile.mkdtemp(prefix="bench-api-"))
    (folder / "static").mkdir()  # the API serves no static file; WhiteNoise only wants the folder
    env = production_env(base, args.database, folder)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(13)
    data = build(rng)
    with connection.cursor() as cursor:
        # Planner statistics and the visibility map, as autovacuum keeps them on a live database.
        cursor.execute("VACUUM ANALYZE")
    built = time.perf_counter() - started
    print(
        f"database {args.database}: {APPLICATIONS} applications, {data['documents']} documents, "
        f"{data['history']} history rows, {data['assets']} grid assets; built in {built:.0f} s"
    )
    bare, portal = endpoints(data, rng)
    if args.only:
        words = [word.strip().lower() for word in args.only.split(",")]
        portal = [endpoint for endpoint in portal if any(word in endpoint.name.lower() for word in words)]

    # Queries per request, on a path the load does not use (transitions: one of the warm-up ones).
    queries = {}
    for endpoint in portal:
        path = (endpoint.warm_paths or endpoint.paths)[-1]
        count_queries(endpoint, path)  # warm the per-process caches, as a running worker has them
        if endpoint.warm_paths:
            path = endpoint.warm_paths[-2]
        queries[endpoint.name] = count_queries(endpoint, path)
    connection.close()

    use_wrk = shutil.which("wrk") is not None and not args.python_client
    load = run_wrk if use_wrk else run_python
    port, bare_port = args.port, args.port + 1
    load_average = os.getloadavg()
    results: dict[str, Result] = {}
    with (
        gunicorn("backend.wsgi", port, env, folder / "portal.log"),
        gunicorn("benchmarks.bare_django.wsgi", bare_port, env, folder / "bare.log"),
    ):
        load(bare_port, bare, bare.paths, warm_seconds, folder)
        bare_rates = []
        for endpoint in portal:
            load(port, endpoint, endpoint.warm_paths or endpoint.paths, warm_seconds, folder)
            # The machine may be shared: bare Django and the endpoint take turns, round by round, so
            # that each share compares rates taken moments apart under the same conditions.
            rounds_bare, rounds_portal, used = [], [], 0
            for _ in range(rounds):
                rounds_bare.append(load(bare_port, bare, bare.paths, round_seconds, folder))
                # Each transition needs an application of its own: never reuse a path.
                paths = endpoint.paths[used:] if endpoint.unique else endpoint.paths
                rounds_portal.append(load(port, endpoint, paths, round_seconds, folder))
                # Requests still in flight when a round ends took a path too: skip one per connection.
                used += rounds_portal[-1].requests + CONNECTIONS
            bare_result, portal_result = combined(rounds_bare), combined(rounds_portal)
            bare_rates.append(bare_result.rate)
            results[endpoint.name] = portal_result, bare_result
    bare_rate = statistics.median(bare_rates) if bare_rates else 0.0
    print(
        f"gunicorn 2 sync workers each, {CONNECTIONS} connections, bare and endpoint in turns, "
        f"{rounds} rounds of {round_seconds} s, {'wrk' if use_wrk else 'Python client'}; load average before: "
        f"{' '.join(f'{value:.2f}' for value in load_average)}, after: "
        f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}; {os.cpu_count()} CPUs"
    )
    print(f"bare Django (one query): {bare_rate:.0f} req/s (median over the endpoints' turns)")
    print(
        f"{'endpoint':<36}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'bare req/s':>11}"
        f"{'share':>8}{'target':>8}{'queries':>9}  target met"
    )
    met = missed = 0
    for endpoint in portal:
        result, bare_result = results[endpoint.name]
        share = result.rate / bare_result.rate if bare_result.rate else 0.0
        count, status = queries[endpoint.name]
        target = f"{endpoint.target:.0%}" if endpoint.target else "-"
        verdict = "-"
        if endpoint.target:
            verdict = "met" if share >= endpoint.target else "NOT met"
            met += share >= endpoint.target
            missed += share < endpoint.target
        if result.failures:
            verdict += f" ({result.failures} failed)"
        print(
            f"{endpoint.name:<36}{result.rate:>8.0f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}"
            f"{result.failures:>9}{bare_result.rate:>11.0f}{share:>8.0%}{target:>8}"
            f"{count if status < 400 else f'HTTP {status}':>9}  {verdict}"
        )
    if met + missed:
        print(
            f"targets met: {met} of {met + missed}"
            + ("" if not missed else " (shares fall as the machine gets busier: compare on a quiet one)")
        )
    if args.keep:
        print(f"kept: DATABASE_URL={env['DATABASE_URL']}  (logs in {folder})")
    else:
        drop_database(base, args.database)
        shutil.rmtree(folder, ignore_errors=True)
    # Shares depend on the machine's load, so a miss is reported, not failed on.
    return 0


if __name__ == "__main__":
    sys.exit(main())
