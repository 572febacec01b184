"""Photos of reports: the content is checked like any upload (backend.upload_checks); the copy
shown publicly is re-encoded by Pillow without any metadata (EXIF, with its GPS position), turned
upright first so that dropping the orientation tag does not turn it."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps

from backend.upload_checks import CheckedFile, check_upload

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def check_photo(upload: UploadedFile) -> CheckedFile:
    return check_upload(upload, images_only=True, field="photos")


def public_copy(upload: UploadedFile, checked: CheckedFile) -> ContentFile:
    """The image without metadata, in its own format."""
    upload.seek(0)
    with Image.open(upload) as image:
        upright = ImageOps.exif_transpose(image)
        wanted = ("RGB", "L") if checked.content_type == "image/jpeg" else ("RGB", "RGBA", "L", "LA")
        if upright.mode not in wanted:
            upright = upright.convert(
                "RGBA" if "A" in upright.mode or "transparency" in upright.info else "RGB"
            )
            if checked.content_type == "image/jpeg":
                upright = upright.convert("RGB")
        # Only the pixels travel: a new image carries no metadata of the old one.
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        buffer = io.BytesIO()
        clean.save(buffer, format=FORMATS[checked.content_type])
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name=checked.name)
