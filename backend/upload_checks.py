"""Checks of uploaded files: size, name and real content (PDF, JPEG, PNG; photos: JPEG, PNG).

In the core so that every domain app (connection documents, appeals photos) checks uploads alike."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGES_ONLY = frozenset({"image/jpeg", "image/png"})
MAX_NAME_LENGTH = 150


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def clean_file_name(name: str) -> str:
    """A safe display name. Names with a path (`../`, `/`, `\\`) are refused, not silently cut,
    so that a client learns its mistake."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise ValidationError(_("The file name must not contain a path (/, \\ or ..)."), code="file_name")
    try:
        safe = get_valid_filename(name)
    except Exception as error:  # SuspiciousFileOperation for names like "." or ".."
        raise ValidationError(_("The file name is not allowed."), code="file_name") from error
    if len(safe) > MAX_NAME_LENGTH:
        stem, dot, extension = safe.rpartition(".")
        safe = (
            (stem[: MAX_NAME_LENGTH - len(extension) - 1] + dot + extension)
            if dot
            else safe[:MAX_NAME_LENGTH]
        )
    return safe


def _is_pdf(head: bytes, tail: bytes) -> bool:
    return head.startswith(b"%PDF-") and b"%%EOF" in tail


def _is_image(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    finally:
        upload.seek(0)
    return True


def check_upload(upload: UploadedFile, *, images_only: bool = False, field: str = "file") -> CheckedFile:
    """Size, name and content of an upload; raises ValidationError on `field`. With `images_only`
    a PDF is refused too (photos)."""
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError({field: ValidationError(_("The file is empty."), code="file_empty")})
    if upload.size > limit:
        raise ValidationError(
            {
                field: ValidationError(
                    _("The file is %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": round(upload.size / 2**20, 1), "limit": round(limit / 2**20, 1)},
                    code="file_too_large",
                )
            }
        )
    try:
        name = clean_file_name(upload.name)
    except ValidationError as error:
        raise ValidationError({field: error}) from error

    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    tail = b""
    if content_type == "application/pdf":
        upload.seek(max(0, upload.size - 2048))
        tail = upload.read()
    valid = (content_type == "application/pdf" and _is_pdf(head, tail)) or (
        content_type in ("image/jpeg", "image/png") and _is_image(upload)
    )
    if valid and images_only and content_type not in IMAGES_ONLY:
        raise ValidationError(
            {field: ValidationError(_("Only JPEG and PNG photos are accepted."), code="file_type")}
        )
    if not valid:
        message = (
            _("Only JPEG and PNG photos are accepted.")
            if images_only
            else _("Only PDF, JPEG and PNG files are accepted.")
        )
        raise ValidationError({field: ValidationError(message, code="file_type")})

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # The stored name carries the extension of the real content, whatever the client called it.
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedFile(
        name=f"{stem}.{ALLOWED[content_type]}",
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )
