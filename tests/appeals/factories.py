"""Factories and helpers of consumers' reports."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from appeals import services

BASE_URL = "http://testserver"

#: (latitude, longitude) inside the districts named, on the real OSM polygons of grid/data.
IN_DISTRICT = {
    "Шпаковский": ("45.150000", "42.050000"),
    "Кочубеевский": ("44.600000", "41.850000"),
    "Ипатовский": ("45.700000", "42.900000"),
}


def jpeg_with_gps(*, size=(64, 48)) -> bytes:
    """A JPEG whose EXIF carries a GPS position (and a camera make), like a phone photo."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (45.0, 2.0, 30.0)
    gps[3] = "E"
    gps[4] = (42.0, 1.0, 15.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def photo_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


def report(**overrides):
    """A report submitted through the service (anonymous unless `reporter` is given)."""
    values = {
        "kind": "low_voltage",
        "latitude": "45.001000",
        "longitude": "42.001000",
        "started_at": timezone.now() - timedelta(hours=1),
        "description": "Лампы еле светят",
        "contact_name": "Житель",
        "contact_email": "resident@example.ru",
        "client_address": "10.0.0.1",
        "base_url": BASE_URL,
    }
    values.update(overrides)
    return services.submit_report(**values)


def confirmed_report(**overrides):
    created = report(**overrides)
    if created.confirmed_at is None:
        services.confirm_report(confirmation_token=created.confirmation_token, base_url=BASE_URL)
        created.refresh_from_db()
    return created
