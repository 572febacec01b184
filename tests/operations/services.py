"""Throwaway services for the fault tests: a Redis server and a PostgreSQL cluster of their own
on this developer's ports (never the machine's shared ones), and the portal run as in production
(gunicorn, DEBUG=0) against them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
HAS_POSTGRES = PG_BIN is not None and (PG_BIN / "initdb").exists()


def wait_for_port(port: int, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing answers on port {port}")


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class PostgresCluster:
    """initdb into a temporary folder and pg_ctl on a port of ours; as the `postgres` OS user when
    run as root (PostgreSQL refuses to run as root)."""

    def __init__(self, port: int):
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="portal-ops-pg-"))
        self.data = self.folder / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def production_env(folder: Path, **extra: str) -> dict[str, str]:
    """The README's production settings, over plain HTTP on 127.0.0.1."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "fault-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "MEDIA_ROOT": str(folder / "media"),
            "FILE_UPLOAD_TEMP_DIR": str(folder / "uploads"),
            "STATIC_ROOT": str(folder / "static"),
            "EMAIL_URL": f"filemail:///{folder / 'mail'}",
            "LOG_FORMAT": "json",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def seed(env: dict[str, str], *, submitted: int) -> dict:
    manage(env, "migrate", "--no-input", "-v", "0")
    output = manage(
        env, "shell", "-c", f"from tests.operations.seed import main; main(submitted={submitted})"
    )
    return json.loads(output.strip().splitlines()[-1])


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Portal:
    """gunicorn serving the portal, with its log captured."""

    env: dict[str, str]
    port: int
    workers: int = 2
    log_path: Path = field(default_factory=lambda: Path(tempfile.mkstemp(prefix="portal-ops-log-")[1]))
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "backend.wsgi", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--timeout", "120",
            ],
            cwd=PROJECT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.port, timeout=60)

    def worker_pids(self) -> list[int]:
        output = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in output.split()]

    def kill_workers(self) -> None:
        for pid in self.worker_pids():
            os.kill(pid, signal.SIGKILL)

    def stop(self) -> str:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.log.close()
        return self.log_path.read_text(errors="replace")

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict | None = None,
        timeout: float = 30,
    ) -> Response:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (a local URL)
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())


@contextlib.contextmanager
def celery_worker(env: dict[str, str]) -> Iterator[Path]:
    """`celery worker --beat` as the README runs it; yields the path of its log."""
    log_path = Path(tempfile.mkstemp(prefix="portal-ops-worker-")[1])
    schedule = Path(tempfile.mkdtemp(prefix="portal-ops-beat-")) / "schedule"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "backend", "worker", "--beat", "--pool=solo",
                "--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle",
                "--schedule", str(schedule),
            ],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield log_path
        finally:
            process.terminate()
            process.wait(timeout=30)
