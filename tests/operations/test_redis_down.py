"""Redis (cache and Celery broker) goes down under the portal run as in production, then comes
back: every call still answers, transitions commit, and their e-mails go out after recovery.

Real services started here: a throwaway redis-server on port 8379 (never the machine's shared
one), gunicorn with 2 workers, and a Celery worker with beat."""

from __future__ import annotations

import json
import time

import pytest

from tests.operations.services import REDIS_SERVER, Portal, RedisServer, celery_worker, production_env, seed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server (Debian package redis-server)"),
]

REDIS_PORT = 8379
PORTAL_PORT = 8301
CALLS_WHILE_DOWN = 60
METRICS_TOKEN = "fault-test-metrics-token"


def delivered(mail_dir) -> list[str]:
    """Recipients of the e-mails the file backend wrote."""
    if not mail_dir.exists():
        return []
    return [
        line.removeprefix("To: ").strip()
        for path in sorted(mail_dir.iterdir())
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith("To: ")
    ]


def wait_until(condition, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def metric(portal: Portal, name: str) -> float | None:
    text = portal.request(
        "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    ).body.decode()
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rpartition(" ")[2])
    return None


def test_redis_down_no_500_transitions_commit_and_every_email_is_sent_after_recovery(tmp_path):
    redis = RedisServer(REDIS_PORT)
    redis.start()
    env = production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        CACHE_URL=f"{redis.url}/6",
        CELERY_BROKER_URL=f"{redis.url}/7",
        OUTBOX_SWEEP_EVERY_SECONDS="2",
        OUTBOX_RETRY_AFTER_SECONDS="3",
        METRICS_TOKEN=METRICS_TOKEN,
        # Two gunicorn workers: /metrics sums both (gunicorn.conf.py empties the folder at start).
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
    )
    data = seed(env, submitted=4)
    staff = {"Authorization": f"Bearer {data['engineer_token']}", "Content-Type": "application/json"}
    mail_dir = tmp_path / "mail"
    portal = Portal(env, PORTAL_PORT)
    portal.start()
    try:
        with celery_worker(env) as worker_log:
            # Everything up: the transition's e-mail goes through the worker, under the request's id.
            first, *rest = data["submitted"]
            answer = portal.request(
                "POST", f"/api/v1/connection-requests/{first}/transitions/accept/", body=b"{}",
                headers={**staff, "X-Request-ID": "ops-trace-redis-up"},
            )  # fmt: skip
            assert answer.status == 200, answer.body
            assert answer.headers["X-Request-ID"] == "ops-trace-redis-up"
            assert wait_until(lambda: len(delivered(mail_dir)) == 1, timeout=60), worker_log.read_text()
            worker_lines = [
                json.loads(line) for line in worker_log.read_text().splitlines() if line.startswith("{")
            ]
            assert any(
                line["request_id"] == "ops-trace-redis-up" and line["message"].startswith("Sent 1 of 1")
                for line in worker_lines
            ), worker_log.read_text()

            redis.stop()
            statuses = []
            calls = [
                ("GET", "/api/v1/connection-requests/", None, staff),
                ("GET", f"/api/v1/connection-requests/{first}/", None, staff),
                ("POST", "/api/v1/load-calculations/", b'{"method": "devices", "devices": []}', {"Content-Type": "application/json"}),
                ("GET", "/api/v1/", None, staff),
                ("GET", "/healthz", None, {}),
            ]  # fmt: skip
            for index in range(CALLS_WHILE_DOWN):
                method, path, body, headers = calls[index % len(calls)]
                statuses.append(
                    portal.request(
                        method, path, body=body, headers={**headers, "X-Request-ID": f"ops-down-{index}"}
                    ).status
                )
            for pk in rest:
                answer = portal.request(
                    "POST", f"/api/v1/connection-requests/{pk}/transitions/accept/", body=b"{}", headers=staff
                )
                statuses.append(answer.status)
                assert answer.status == 200, answer.body
            server_errors = [status for status in statuses if status >= 500]
            print(f"Redis down: {len(server_errors)} x 5xx over {len(statuses)} calls")
            assert server_errors == []

            ready = portal.request("GET", "/readyz")
            assert ready.status == 503
            assert ready.json()["checks"] == {
                "database": "ok",
                "cache": "unavailable",
                "broker": "unavailable",
            }
            assert portal.request("GET", "/healthz").status == 200
            assert len(delivered(mail_dir)) == 1  # the others wait in the outbox
            assert metric(portal, "portal_outbox_pending_emails") == len(rest)
            assert metric(portal, "portal_celery_broker_up") == 0

            redis.start()  # back, empty: what was queued before is gone too
            assert wait_until(lambda: len(delivered(mail_dir)) == len(data["submitted"]), timeout=120), (
                worker_log.read_text()
            )
            time.sleep(5)  # a sweep or two more: nothing is sent twice
            recipients = delivered(mail_dir)
            print(
                f"Broker down: {len(recipients)} of {len(data['submitted'])} e-mails delivered after recovery"
            )
            assert sorted(recipients) == sorted(data["owners"])
            assert metric(portal, "portal_outbox_pending_emails") == 0
            assert metric(portal, "portal_celery_broker_up") == 1
            assert portal.request("GET", "/readyz").status == 200
            healthz_calls = CALLS_WHILE_DOWN // len(calls) + 1
            assert (
                metric(
                    portal,
                    'django_http_requests_total_by_view_transport_method_total{method="GET",transport="http",view="healthz"}',
                )
                == healthz_calls
            )
    finally:
        log = portal.stop()
        redis.stop()

    # JSON log lines carrying the id of the request they belong to; the ignored cache errors logged.
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert lines and all("request_id" in line and "level" in line for line in lines)
    assert any(
        line["logger"] == "backend.cache" and line["request_id"].startswith("ops-down-") for line in lines
    )
