"""On PostgreSQL: 20 threads racing one transition (exactly one wins), and the scheduled job run
by a real Celery worker on the machine's Redis."""

import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from rest_framework.test import APIClient

from connection.models import ConnectionRequest
from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory, TerritoryFactory
from tests.workflow.helpers import application_in_state
from workflow.models import TransitionLog

# Skipped at collection, not in a fixture: a transactional test that starts on SQLite would flush
# and restore the database around itself for nothing.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]


def test_twenty_threads_running_one_transition_only_one_wins():
    branch = BranchFactory()
    TerritoryFactory(branch=branch)
    application = application_in_state("submitted", branch=branch)
    engineers = [UserFactory(role="engineer", branches=[branch]) for _ in range(20)]
    barrier = threading.Barrier(len(engineers))
    statuses: list[int] = []

    def accept(user):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            statuses.append(
                client.post(
                    f"/api/v1/connection-requests/{application.pk}/transitions/accept/", {}, format="json"
                ).status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(user,)) for user in engineers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [409] * 19
    assert ConnectionRequest.objects.get(pk=application.pk).state == "under_review"
    assert TransitionLog.objects.filter(application=application).count() == 1


def _redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_scheduled_job_runs_on_a_real_celery_worker_with_redis():
    if not _redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from celery import Celery

    branch = BranchFactory()
    TerritoryFactory(branch=branch)
    stale = application_in_state("needs_info", branch=branch)
    ConnectionRequest.objects.filter(pk=stale.pk).update(due_date="2020-01-10")

    # A queue of its own, so that no other worker on this Redis takes the task.
    queue = f"portal-test-{uuid.uuid4().hex}"
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "1",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/14",
        # The worker works on the test database this test created.
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # Not the current app: shared tasks of later tests would publish to this broker instead.
        app = Celery(
            "client",
            broker=env["CELERY_BROKER_URL"],
            backend=env["CELERY_RESULT_BACKEND"],
            set_as_current=False,
        )
        result = app.send_task("workflow.tasks.run_deadline_jobs", queue=queue)
        report = result.get(timeout=60, disable_sync_subtasks=False)  # eager tasks ran in this process
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert report["annulled_no_data"] == 1, output
    application = ConnectionRequest.objects.get(pk=stale.pk)
    assert (application.state, application.annulment_reason) == ("annulled", "no_data")
    assert TransitionLog.objects.get(application=stale).actor_role == "system"
