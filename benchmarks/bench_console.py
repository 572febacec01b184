"""Server render time of the engineers' console (/console/) for a branch with 5,000 applications.

    .venv/bin/python benchmarks/bench_console.py            # 200 renders per page
    .venv/bin/python benchmarks/bench_console.py --quick    # 30 renders per page

Runs on a temporary SQLite database built by the migrations (or on DATABASE_URL when it is set:
then the rows are added to that database). 5,000 submitted applications of one branch are
bulk-created, in states spread over the workflow and with due dates from 15 days overdue to 40 days
ahead (some without a deadline), a fifth of them assigned. The console is rendered for an engineer
of that branch with the Django test client (warm-up first, then one request at a time; URL
resolution, middleware, view, queries, template). Prints p50/p99 and the queries per render.
Target: p50 < 150 ms with a number of queries that does not depend on the rows.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

APPLICATIONS = 5000
TARGET_P50_MS = 150.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build(today: datetime.date):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from backend.users.models import User
    from connection.models import Applicant, ConnectionRequest
    from connection.tariff_data import load_demo_tariffs as load_tariffs_file
    from grid.models import AssetCapacity, Branch, GridAsset

    rng = random.Random(8)
    branch = Branch.objects.create(code="bench-console", name="РЭС (benchmark)")
    engineers = []
    for index in range(4):
        engineer = User.objects.create_user(
            email=f"bench-engineer{index}@example.ru",
            password=None,
            last_name="Инженер",
            first_name=str(index),
        )
        engineer.groups.add(Group.objects.get(name="engineer"))
        engineer.branches.add(branch)
        engineers.append(engineer)
    owner = User.objects.create_user(email="bench-applicant@example.ru", password=None)
    owner.groups.add(Group.objects.get(name="applicant"))
    applicants = Applicant.objects.bulk_create(
        Applicant(
            owner=owner,
            applicant_type="individual",
            last_name=rng.choice(["Петров", "Иванова", "Сидоров", "Кузнецова", "Смирнов"]),
            first_name=rng.choice(["Пётр", "Анна", "Иван", "Мария"]),
            inn=f"{500100000000 + index:012d}",
        )
        for index in range(500)
    )
    states = ["submitted"] * 30 + ["needs_info"] * 10 + ["under_review"] * 25 + ["offer_issued"] * 10
    states += ["contract_active"] * 15 + ["ready_for_check"] * 5 + ["connected"] * 3 + ["closed"] * 2
    now = timezone.now()
    rows = []
    for index in range(APPLICATIONS):
        state = rng.choice(states)
        due = (
            None
            if state == "closed" or rng.random() < 0.03
            else today + datetime.timedelta(rng.randint(-15, 40))
        )
        rows.append(
            ConnectionRequest(
                number=f"ТП-{today.year}-{index + 1:06d}",
                owner=owner,
                applicant=applicants[index % len(applicants)],
                object_name="Жилой дом",
                object_address="г. Михайловск, ул. Полевая",
                kind=rng.choice(["new", "new", "new", "power_increase", "temporary"]),
                requested_kw=15,
                voltage_level="0.4",
                branch=branch,
                state=state,
                submitted_at=now,
                step_started_on=today,
                due_date=due,
                acting_party="grid",
                assigned_to=rng.choice(engineers) if rng.random() < 0.2 else None,
            )
        )
    ConnectionRequest.objects.bulk_create(rows, batch_size=500)
    # One application under review with a location, 300 connection points around it and a tariff:
    # the engineer's page computes the offer proposal (nearest points, geodesic distance, fee).
    assets = GridAsset.objects.bulk_create(
        GridAsset(
            kind="transformer_substation",
            name=f"ТП-{index}",
            external_id=f"bench-{index}",
            latitude=Decimal("45.0") + Decimal(rng.uniform(-0.05, 0.05)).quantize(Decimal("0.000001")),
            longitude=Decimal("42.0") + Decimal(rng.uniform(-0.05, 0.05)).quantize(Decimal("0.000001")),
            branch=branch,
        )
        for index in range(300)
    )
    AssetCapacity.objects.bulk_create(
        AssetCapacity(
            asset=asset, voltage_kv=Decimal("0.4"), installed_kw=Decimal(rng.choice([10, 100, 400]))
        )
        for asset in assets
    )
    load_tariffs_file()
    reviewed = ConnectionRequest.objects.filter(state="under_review").order_by("id").first()
    ConnectionRequest.objects.filter(pk=reviewed.pk).update(
        latitude=Decimal("45.0"),
        longitude=Decimal("42.0"),
        settlement_kind="urban",
        reliability_category="III",
    )
    return engineers[0], reviewed.pk


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 30 if args.quick else 200

    folder = tempfile.mkdtemp(prefix="bench-console-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DEBUG"] = "1"
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    engineer, reviewed = build(timezone.localdate())
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(engineer)
    pages = [
        ("console, first page", "/console/"),
        ("console, page 50", "/console/?page=50"),
        ("console, overdue", "/console/?overdue=on"),
        ("console, due within 5 wd", "/console/?due_within=5&state=submitted&state=under_review"),
        ("console, search by name", "/console/?q=Петров"),
        ("console, assigned to me", "/console/?assigned=me"),
        ("engineer's application page", f"/console/applications/{reviewed}/"),
    ]
    vendor = connection.vendor
    print(
        f"{'page':<30}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'queries':>9}   (n={repeats}, {vendor}, {APPLICATIONS} applications)"
    )
    failed = 0
    for name, url in pages:
        for _ in range(5):
            response = client.get(url)
        if response.status_code != 200:
            print(f"{name:<30} HTTP {response.status_code}")
            failed += 1
            continue
        executed = []

        def counter(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            client.get(url)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        p50 = percentile(times, 0.5)
        print(
            f"{name:<30}{p50:>9.2f}{percentile(times, 0.99):>9.2f}{statistics.fmean(times):>9.2f}{len(executed):>9}"
        )
        if name == "console, first page" and p50 >= TARGET_P50_MS:
            print(f"  target missed: p50 {p50:.1f} ms >= {TARGET_P50_MS:.0f} ms")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
