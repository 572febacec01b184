"""Read by gunicorn from the working directory: Prometheus metrics of several workers.

With PROMETHEUS_MULTIPROC_DIR set, each worker writes its metrics to files there and /metrics
sums them; the folder is emptied when gunicorn starts and a dead worker's live gauges dropped."""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
