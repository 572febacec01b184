"""PostgreSQL stops under the portal run as in production and comes back; a worker is killed -9
in the middle of two uploads. Real services started here: a throwaway PostgreSQL cluster (initdb +
pg_ctl on port 8332, never the machine's shared server) and gunicorn with 2 workers."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.connection.factories import PDF_BYTES
from tests.operations.services import HAS_POSTGRES, Portal, PostgresCluster, manage, production_env, seed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAS_POSTGRES, reason="needs PostgreSQL's initdb and pg_ctl"),
]

PG_PORT = 8332
PORTAL_PORT = 8302
CALLS_WHILE_DOWN = 10


@pytest.fixture
def cluster():
    cluster = PostgresCluster(PG_PORT)
    cluster.init()
    cluster.start()
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as connection:
        connection.execute("CREATE DATABASE portal_ops")
    yield cluster
    cluster.remove()


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def referenced(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT file FROM connection_documentversion UNION ALL SELECT file FROM connection_messageattachment"
        ).fetchall()
    return {row[0] for row in rows}


def test_database_down_answers_503_promptly_and_recovers_by_itself(cluster, tmp_path):
    env = production_env(tmp_path, DATABASE_URL=cluster.url("portal_ops"), DATABASE_CONNECT_TIMEOUT="3")
    data = seed(env, submitted=1)
    owner = {"Authorization": f"Bearer {data['draft_owner_token']}"}
    detail = f"/api/v1/connection-requests/{data['draft']}/"
    portal = Portal(env, PORTAL_PORT)
    portal.start()
    try:
        assert portal.request("GET", detail, headers=owner).status == 200

        cluster.stop()
        slowest = 0.0
        for _ in range(CALLS_WHILE_DOWN):
            started = time.monotonic()
            # The client's timeout is the hang guard: a request that hangs fails the test.
            answer = portal.request("GET", detail, headers=owner, timeout=20)
            slowest = max(slowest, time.monotonic() - started)
            assert answer.status == 503, answer.body
            assert answer.headers["Retry-After"] == "30"
            assert answer.json()["errors"][0]["code"] == "service_unavailable"
        print(f"Database down: {CALLS_WHILE_DOWN} x 503 (slowest {slowest:.2f} s)")
        page = portal.request(
            "GET",
            "/applications/",
            headers={"Cookie": f"sessionid={data['draft_owner_session']}"},
            timeout=20,
        )
        assert page.status == 503
        assert "Сервис временно недоступен" in page.body.decode()
        english = portal.request("GET", detail, headers={**owner, "Accept-Language": "en"}, timeout=20)
        assert "temporarily unavailable" in english.json()["errors"][0]["message"]
        ready = portal.request("GET", "/readyz", timeout=20)
        assert ready.status == 503 and ready.json()["checks"]["database"] == "unavailable"
        assert portal.request("GET", "/healthz").status == 200

        cluster.start()
        attempts = 0
        while attempts < 20:
            attempts += 1
            if portal.request("GET", detail, headers=owner, timeout=20).status == 200:
                break
            time.sleep(0.5)
        print(f"Database back: answered 200 after {attempts} call(s), no restart")
        assert attempts < 20
        assert portal.request("GET", "/readyz").json()["checks"]["database"] == "ok"
    finally:
        portal.stop()


def test_a_worker_killed_mid_upload_leaves_orphans_that_the_sweep_removes(cluster, tmp_path):
    env = production_env(tmp_path, DATABASE_URL=cluster.url("portal_ops"))
    data = seed(env, submitted=0)
    media, uploads = tmp_path / "media", tmp_path / "uploads"
    url = f"/api/v1/connection-requests/{data['draft']}/documents/"
    auth = {"Authorization": f"Bearer {data['draft_owner_token']}"}
    database_url = cluster.url("portal_ops")
    rows_before = referenced(database_url)
    portal = Portal(env, PORTAL_PORT)
    portal.start()
    try:
        # Rows of documents cannot be inserted (reads still go): the upload stores its file, then
        # waits at the INSERT of its row, when its worker is killed.
        lock = psycopg.connect(database_url)
        lock.execute("LOCK TABLE connection_documentversion IN SHARE MODE")
        body, content_type = multipart({"doc_type": "location_plan"}, "plan.pdf", PDF_BYTES)
        small = threading.Thread(
            target=lambda: _ignore_errors(
                lambda: portal.request("POST", url, body=body, headers={**auth, "Content-Type": content_type})
            )
        )
        small.start()
        # A large upload, half sent: Django spools it to FILE_UPLOAD_TEMP_DIR.
        big_body, big_type = multipart(
            {"doc_type": "passport"}, "scan.pdf", b"%PDF-1.4\n%" + b"x" * 4_000_000 + PDF_BYTES
        )
        stream = socket.create_connection(("127.0.0.1", PORTAL_PORT))
        stream.sendall(
            (
                f"POST {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth['Authorization']}\r\n"
                f"Content-Type: {big_type}\r\nContent-Length: {len(big_body)}\r\n\r\n"
            ).encode()
            + big_body[:3_000_000]
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (files_under(media / "documents") and files_under(uploads)):
            time.sleep(0.2)
        assert files_under(media / "documents") and files_under(uploads), portal.log_path.read_text()

        portal.kill_workers()
        lock.rollback()
        lock.close()
        stream.close()
        small.join(timeout=30)

        stored = {str(path.relative_to(media)) for path in files_under(media)}
        rows = referenced(database_url)
        assert rows == rows_before  # nothing half-saved: the row never committed
        orphans, temp = stored - rows, files_under(uploads)
        print(
            f"kill -9 mid-upload: {len(orphans)} orphan file(s) and {len(temp)} spooled upload(s) before the sweep"
        )
        assert orphans and temp

        print(manage(env, "sweep_files", "--grace", "0").strip())
        stored = {str(path.relative_to(media)) for path in files_under(media)}
        orphans, temp = stored - referenced(database_url), files_under(uploads)
        print(f"after the sweep: {len(orphans)} orphan file(s), {len(temp)} spooled upload(s)")
        assert (orphans, temp) == (set(), set())
        assert all((media / name).exists() for name in referenced(database_url))  # no row without its file
        assert (
            portal.request("GET", f"/api/v1/connection-requests/{data['draft']}/", headers=auth).status == 200
        )
    finally:
        portal.stop()


def _ignore_errors(call) -> None:
    with contextlib.suppress(OSError):  # the worker died under the request
        call()
