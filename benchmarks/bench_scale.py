"""Lists, search, dashboard and detail at scale: 1,000,000 applications, 10,000,000 history rows.

    .venv/bin/python benchmarks/bench_scale.py            # 1,000,000 applications, 20 requests each
    .venv/bin/python benchmarks/bench_scale.py --quick    # 200,000 applications, 5 requests each

PostgreSQL only: the data set of benchmarks/scale_data.py in the database SCALE_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/portal_scale, or portal_scale_quick with --quick),
built on the first run (minutes) and reused while the parameters and migrations are the same.
Skipped with a message when no PostgreSQL answers. Each page and API call runs in this process
through Django's test client (URL resolution, middleware, view, queries, template or serializer)
as an engineer of the branch holding a fifth of the applications, after one warm-up; prints
p50/p99, the queries per request and the target (issue 18). The detail rows read the application
with 500 history rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import scale_data  # noqa: E402  (the project root is put on sys.path above)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def postgres_answers(database_url: str) -> bool:
    import psycopg

    base = database_url.rsplit("/", 1)[0]
    try:
        with psycopg.connect(f"{base}/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def cases(application_id: int, number: str, inn: str, last_name: str) -> list[tuple[str, str, float]]:
    """(label, URL, target p50 in ms)."""
    return [
        ("console, first page", "/console/", 100),
        ("console, overdue", "/console/?overdue=1", 100),
        ("console, state under review", "/console/?state=under_review", 100),
        ("console, search by number", f"/console/?search={number}", 200),
        ("console, search by name", f"/console/?search={last_name}", 200),
        ("console, search by INN", f"/console/?search={inn}", 200),
        ("dashboard", "/console/dashboard/", 300),
        ("API list", "/api/v1/connection-requests/", 100),
        ("API list, state filter", "/api/v1/connection-requests/?state=contract_active", 100),
        ("API list, search by name", f"/api/v1/connection-requests/?search={last_name}", 200),
        ("API detail, 500 history rows", f"/api/v1/connection-requests/{application_id}/", 100),
        ("API history, 500 rows", f"/api/v1/connection-requests/{application_id}/history/", 100),
        ("application page, 500 history rows", f"/console/applications/{application_id}/", 100),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int)
    options, _ = parser.parse_known_args(argv)
    applications = 200_000 if options.quick else 1_000_000
    repeat = options.repeat or (5 if options.quick else 20)
    default_url = f"postgres://postgres@127.0.0.1:5432/portal_scale{'_quick' if options.quick else ''}"
    database_url = os.environ.get("SCALE_DATABASE_URL", default_url)
    if not database_url.startswith("postgres"):
        print("Skipped: the scale benchmark needs PostgreSQL (SCALE_DATABASE_URL=postgres://…).")
        return 0
    if not postgres_answers(database_url):
        print(f"Skipped: no PostgreSQL answers at {database_url.rsplit('@', 1)[-1]}.")
        return 0
    args = scale_data.arguments(["--database-url", database_url, "--applications", str(applications)])
    if not scale_data.database_exists(database_url):
        scale_data.recreate_database(database_url)
    scale_data.setup_django(database_url)
    scale_data.ensure_dataset(args)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from backend.users.models import User
    from connection.models import ConnectionRequest
    from workflow.models import TransitionLog

    long_history = (
        TransitionLog.objects.values("application_id").order_by("application_id").first()["application_id"]
    )
    application = ConnectionRequest.objects.select_related("applicant").get(pk=long_history)
    engineer = User.objects.filter(branches=application.branch_id, email__startswith="scale-engineer").first()
    other = ConnectionRequest.objects.filter(branch_id=application.branch_id, number__isnull=False).order_by(
        "-id"
    )
    sample = other.select_related("applicant").first()
    history_rows = TransitionLog.objects.filter(application_id=long_history).count()
    total = ConnectionRequest.objects.count()
    in_branch = ConnectionRequest.objects.filter(branch_id=application.branch_id).count()
    print(
        f"{total:,} applications ({in_branch:,} in the engineer's branch), "
        f"{TransitionLog.objects.count():,} history rows; the detail's application has {history_rows} rows; "
        f"{repeat} requests each",
        flush=True,
    )

    client = Client(HTTP_ACCEPT_LANGUAGE="ru", HTTP_ACCEPT="application/json, text/html")
    client.force_login(engineer)
    rows = []
    failed = False
    for label, url, target in cases(
        long_history, sample.number, sample.applicant.inn, sample.applicant.last_name
    ):
        response = client.get(url)  # warm-up
        if response.status_code != 200:
            print(f"{label}: HTTP {response.status_code} at {url}")
            failed = True
            continue
        connection.queries_log.clear()  # full after the build: the capture would count nothing
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        p50 = statistics.median(timings)
        rows.append((label, p50, percentile(timings, 0.99), len(queries), target))

    print(f"{'page or call':<40} {'p50 ms':>9} {'p99 ms':>9} {'queries':>8} {'target p50':>11}")
    for label, p50, p99, query_count, target in rows:
        verdict = "met" if p50 < target else "NOT met"
        print(f"{label:<40} {p50:>9.1f} {p99:>9.1f} {query_count:>8} {f'< {target:.0f}':>11}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
