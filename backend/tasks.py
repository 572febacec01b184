"""Celery tasks of the project core, found by the worker's autodiscovery."""

from backend.storage import sweep_files_task

__all__ = ["sweep_files_task"]
