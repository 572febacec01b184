"""Where the API's time goes: the benchmarked endpoints called in-process, per request CPU and queries.

    .venv/bin/python benchmarks/bench_api.py --quick --keep --only healthz   # build the database once
    .venv/bin/python benchmarks/profile_api.py                    # every endpoint, 200 requests each
    .venv/bin/python benchmarks/profile_api.py --only detail --profile pyinstrument
    .venv/bin/python benchmarks/profile_api.py --only list --profile cprofile

On the database that bench_api.py built and kept (`--database`, default portal_bench_api), with the
settings the benchmark serves the portal with (DEBUG=0, PostgreSQL, the production middleware), each
request goes through the WSGI application of backend/wsgi.py as gunicorn calls it, in this one
process. Printed per endpoint: the CPU time of this process per request (the portal's own work: the
database server's time is not in it), the wall time, the SQL queries (counted by an execute wrapper,
not the debug cursor; BEGIN and COMMIT are not among them) and the Python function calls per request
(counted by cProfile over a few more requests). The load on the machine changes the wall time much
more than the CPU time, and the CPU time still by some tens of per cent on a busy machine; the
function calls do not change with the load at all, which makes them the figure to compare a change by
when the machine is shared. Not part of `make bench`: it measures nothing against bare Django, it
shows what to work on.

Transition requests accept applications for good: each run uses ones that are still submitted.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import Endpoint, endpoints, headers_for, production_env, recover  # noqa: E402


def wsgi_environ(endpoint: Endpoint, path: str) -> dict:
    from wsgiref.util import setup_testing_defaults

    route, _, query = path.partition("?")
    body = endpoint.body.encode() if endpoint.body else b""
    environ = {
        "REQUEST_METHOD": endpoint.method,
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8200",
        "HTTP_HOST": "127.0.0.1:8200",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in headers_for(endpoint).items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    setup_testing_defaults(environ)
    return environ


def call(application, endpoint: Endpoint, path: str) -> int:
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(int(line.split()[0]))

    result = application(wsgi_environ(endpoint, path), start_response)
    try:
        for _chunk in result:
            pass
    finally:
        if hasattr(result, "close"):
            result.close()
    return status[0]


#: Requests whose Python function calls are counted (with cProfile, after the timed ones).
CALLS_COUNTED = 20


def function_calls(application, endpoint: Endpoint, paths: list[str]) -> float:
    """Python function calls per request: the work done, whatever the load on the machine."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for path in paths:
        call(application, endpoint, path)
    profiler.disable()
    return pstats.Stats(profiler).total_calls / len(paths)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="portal_bench_api")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--only", help="comma-separated words: only endpoints whose name has one")
    parser.add_argument("--profile", choices=["cprofile", "pyinstrument"], help="profile the requests")
    parser.add_argument("--top", type=int, default=40, help="cProfile: lines to print")
    args = parser.parse_args()

    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    folder = Path(tempfile.mkdtemp(prefix="profile-api-"))
    (folder / "static").mkdir()
    os.environ.update(production_env(base, args.database, folder))
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.db import connection

    from backend.wsgi import application

    rng = random.Random(13)
    data = recover(rng)
    _bare, portal = endpoints(data, rng)
    if args.only:
        words = [word.strip().lower() for word in args.only.split(",")]
        portal = [endpoint for endpoint in portal if any(word in endpoint.name.lower() for word in words)]

    queries = [0]

    def counter(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    print(f"{'endpoint':<36}{'CPU ms':>8}{'wall ms':>9}{'queries':>9}{'calls':>8}  status")
    for endpoint in portal:
        if endpoint.unique:
            if len(endpoint.paths) < args.requests + 20 + CALLS_COUNTED:
                print(f"{endpoint.name}: only {len(endpoint.paths)} applications left to accept; rebuild")
                continue
            warm, paths = endpoint.paths[:20], endpoint.paths[20 : 20 + args.requests]
            counted = endpoint.paths[20 + args.requests : 20 + args.requests + CALLS_COUNTED]
        else:
            warm = (endpoint.warm_paths or endpoint.paths)[:20]
            paths = [endpoint.paths[index % len(endpoint.paths)] for index in range(args.requests)]
            counted = paths[:CALLS_COUNTED]
        for path in warm:
            call(application, endpoint, path)
        statuses: set[int] = set()
        profiler = None
        if args.profile == "cprofile":
            import cProfile

            profiler = cProfile.Profile()
        elif args.profile == "pyinstrument":
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
        queries[0] = 0
        with connection.execute_wrapper(counter):
            if profiler:
                profiler.enable() if args.profile == "cprofile" else profiler.start()
            wall, cpu = time.perf_counter(), time.process_time()
            for path in paths:
                statuses.add(call(application, endpoint, path))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if profiler:
                profiler.disable() if args.profile == "cprofile" else profiler.stop()
        count = len(paths)
        print(
            f"{endpoint.name:<36}{cpu / count * 1000:>8.2f}{wall / count * 1000:>9.2f}"
            f"{queries[0] / count:>9.1f}{function_calls(application, endpoint, counted):>8.0f}"
            f"  {sorted(statuses)}",
            flush=True,
        )
        if args.profile == "cprofile":
            import pstats

            stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
            stats.print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
        elif args.profile == "pyinstrument":
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
