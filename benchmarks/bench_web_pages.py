"""Server render time of each web page (Django test client, no network), p50 and p99.

    .venv/bin/python benchmarks/bench_web_pages.py            # 200 renders per page
    .venv/bin/python benchmarks/bench_web_pages.py --quick    # 30 renders per page

Runs on a temporary SQLite database built by the migrations and `load_demo` (demo branches,
territories, grid assets, accounts and applications), as the demo applicant. Each page is rendered
a few times first (warm-up: template and rulebook caches, the nearest-point index), then timed one
request at a time with time.perf_counter around Client.get/post (URL resolution, middleware, views,
queries, templates; no static files, no browser).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 30 if args.quick else 200

    folder = tempfile.mkdtemp(prefix="bench-web-")
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
    from django.test import Client

    from backend.users.models import User
    from connection import services
    from connection.models import ConnectionRequest

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = (
        User.objects.filter(groups__name="applicant", connection_requests__isnull=False).distinct().first()
        or User.objects.filter(groups__name="applicant").first()
    )
    submitted = ConnectionRequest.objects.filter(owner=user).exclude(state="draft").first()
    draft = ConnectionRequest.objects.filter(owner=user, state="draft").first()
    if draft is None:
        draft = services.create_draft(owner=user, data={})

    anonymous = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(user)
    calculation = {
        "devices-TOTAL_FORMS": "3",
        "devices-INITIAL_FORMS": "0",
        "devices-0-device_type": "electric_cooker",
        "devices-0-quantity": "1",
        "devices-1-device_type": "kettle",
        "devices-1-quantity": "1",
        "devices-2-device_type": "lighting_led",
        "devices-2-quantity": "20",
        "action": "calculate",
    }
    pages = [
        ("home", anonymous, "get", "/", None),
        ("about", anonymous, "get", "/about/", None),
        ("login", anonymous, "get", "/accounts/login/", None),
        ("register", anonymous, "get", "/accounts/register/", None),
        ("calculator", anonymous, "get", "/calculator/", None),
        ("calculator (POST, 3 rows)", anonymous, "post", "/calculator/", calculation),
        ("capacity map", anonymous, "get", "/map/", None),
        ("my applications", client, "get", "/applications/", None),
    ]
    if submitted is not None:
        pages.append(("application page", client, "get", f"/applications/{submitted.pk}/", None))
    pages.append(("draft page", client, "get", f"/applications/{draft.pk}/", None))
    for step in ("applicant", "object", "power", "supply", "documents", "review"):
        pages.append((f"wizard: {step}", client, "get", f"/applications/{draft.pk}/edit/{step}/", None))

    print(f"{'page':<28}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}   (n={repeats}, SQLite, demo data)")
    failed = 0
    for name, who, method, url, data in pages:
        call = getattr(who, method)
        for _ in range(5):
            response = call(url, data) if data else call(url)
        if response.status_code != 200:
            print(f"{name:<28} HTTP {response.status_code}")
            failed += 1
            continue
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            call(url, data) if data else call(url)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"{name:<28}{percentile(times, 0.5):>9.2f}{percentile(times, 0.99):>9.2f}{statistics.fmean(times):>9.2f}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
