"""File storage that leaves nothing behind: no file without its row, no spooled upload forever.

- `LocalStorage` removes a partly written file when writing fails (a full disk), so the error
  leaves no fragment under MEDIA_ROOT; `SpoolingUploadHandler` does the same for a spooled upload.
- `sweep_files` removes what a killed worker left: stored files that no row references (written,
  then the process died before its row committed) and spooled uploads in FILE_UPLOAD_TEMP_DIR,
  both once older than FILE_SWEEP_GRACE_SECONDS. Run by Celery beat and `manage.py sweep_files`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from backend.exceptions import StoredFileMissing

logger = logging.getLogger(__name__)


def open_stored(field_file: FieldFile):
    """The stored file opened for reading, or StoredFileMissing when the storage has lost it (a
    404 with the error body, and an error in the log for the operators, instead of a 500)."""
    try:
        return field_file.open("rb")
    except (FileNotFoundError, IsADirectoryError):
        logger.error("Stored file %s is missing from the storage", field_file.name)
        raise StoredFileMissing(
            _("The file is missing from the storage; the portal operators see this error in their log.")
        ) from None


class LocalStorage(FileSystemStorage):
    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except OSError:
            # Names are random (uuid), so the file at `name` is the fragment this call wrote.
            try:
                if os.path.isfile(self.path(name)):
                    os.remove(self.path(name))
            except OSError:
                logger.exception("Could not remove the fragment %s", name)
            raise


class SpoolingUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for large uploads, deleting its spooled file at once when writing it fails
    (a full disk) instead of whenever the half-written file is garbage-collected."""

    def receive_data_chunk(self, raw_data, start):
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError:
            self.file.close()  # a NamedTemporaryFile: closing removes it
            raise


def _stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _stored_files(storage, f"{folder}/{sub}" if folder else sub)


def referenced_files() -> set[str]:
    """Names of every file a FileField of any model points to."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    model._default_manager.exclude(**{field.attname: ""}).values_list(
                        field.attname, flat=True
                    )
                )
    return names


def sweep_files(*, grace_seconds: int | None = None) -> dict[str, int]:
    """Remove orphan stored files and stale spooled uploads older than the grace period."""
    grace = settings.FILE_SWEEP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = datetime.now(UTC) - timedelta(seconds=grace)
    # Listed before the rows are read: a row that commits in between keeps its file.
    old = [
        name for name in _stored_files(default_storage) if default_storage.get_modified_time(name) <= cutoff
    ]
    referenced = referenced_files()
    report = {"orphan_files_removed": 0, "temp_files_removed": 0}
    for name in old:
        if name not in referenced:
            default_storage.delete(name)
            report["orphan_files_removed"] += 1
            logger.warning("Removed the orphan file %s (no row refers to it)", name)
    temp_dir = Path(settings.FILE_UPLOAD_TEMP_DIR)
    if temp_dir.is_dir():
        for path in temp_dir.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime <= time.time() - grace:
                    path.unlink()
                    report["temp_files_removed"] += 1
            except FileNotFoundError:
                continue  # the upload finished and removed it meanwhile
    if any(report.values()):
        logger.info("File sweep: %s", report)
    return report


@shared_task
def sweep_files_task() -> dict[str, int]:
    return sweep_files()
