"""The Idempotency-Key header on every POST of the API (integration.idempotency keeps the records).

The request is identified by its caller (the Authorization header and X-Acting-For, else the
session's user, else the client address) and the key; its fingerprint is the method, path, query,
content type and body (a multipart body without its random boundary, so a retried upload matches).
Bodies above DATA_UPLOAD_MAX_MEMORY_SIZE (uploads) are hashed while being spooled to a temporary
file, from which the view then reads them.
"""

from __future__ import annotations

import hashlib
import re
import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from backend.api.errors import error_body
from backend.exceptions import StateConflict
from backend.users.client_address import client_address
from integration import idempotency
from integration.exceptions import IdempotencyConflict

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, e.g. a UUID
CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


def _error(request, status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse(
        error_body([{"code": code, "message": message, "field": field}]),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def principal_of(request) -> str:
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        acting_for = request.META.get("HTTP_X_ACTING_FOR", "").strip().lower()
        return "auth:" + hashlib.sha256(f"{authorization}\0{acting_for}".encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{client_address(request)}"


def _boundary(request) -> bytes:
    match = re.search(r"boundary=\"?([^\";]+)\"?", request.META.get("CONTENT_TYPE", ""))
    return b"--" + match.group(1).encode("latin-1") if match else b""


class _BoundaryFreeHash:
    """SHA-256 of a byte stream with every occurrence of `boundary` left out, fed in chunks."""

    def __init__(self, boundary: bytes):
        self.boundary = boundary
        self.digest = hashlib.sha256()
        self.carry = b""

    def update(self, chunk: bytes) -> None:
        if not self.boundary:
            self.digest.update(chunk)
            return
        data = (self.carry + chunk).replace(self.boundary, b"")
        keep = len(self.boundary) - 1
        self.digest.update(data[:-keep] if keep else data)
        self.carry = data[-keep:] if keep else b""

    def hexdigest(self) -> str:
        self.digest.update(self.carry)
        self.carry = b""
        return self.digest.hexdigest()


def fingerprint_of(request) -> str:
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    head = f"{request.method}\0{request.path}\0{request.META.get('QUERY_STRING', '')}\0{content_type}\0"
    body_hash = _BoundaryFreeHash(_boundary(request))
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        body_hash.update(request.body)  # kept by Django for the view
    else:
        # Read by the view after this returns; IdempotencyMiddleware closes it after the response.
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        while chunk := request.read(CHUNK):
            spool.write(chunk)
            body_hash.update(chunk)
        size = spool.tell()
        spool.seek(0)
        request._stream = LimitedStream(spool, size)
        request._read_started = False
        request._spooled_body = spool
    return hashlib.sha256(head.encode() + body_hash.hexdigest().encode()).hexdigest()


def _replay(record) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    if record.location:
        response["Location"] = record.location
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            return self._idempotent(request, key)
        finally:
            spool = getattr(request, "_spooled_body", None)
            if spool is not None:
                spool.close()

    def _idempotent(self, request, key: str):
        with translation.override(translation.get_language_from_request(request)):
            if not KEY_PATTERN.match(key):
                return _error(
                    request,
                    400,
                    "invalid",
                    _("The Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, for example)."),
                    HEADER,
                )
            try:
                claim = idempotency.claim(
                    principal=principal_of(request), key=key, fingerprint=fingerprint_of(request)
                )
            except IdempotencyConflict as error:
                return _error(request, 422, error.code, str(error.message), HEADER)
            except StateConflict as error:
                return _error(request, 409, error.code, str(error.message), HEADER)
        if claim.replay:
            return _replay(claim.record)
        try:
            response = self.get_response(request)
        except BaseException:
            idempotency.release(record=claim.record)
            raise
        if response.status_code >= 500 or response.streaming:
            idempotency.release(record=claim.record)
            return response
        idempotency.complete(
            record=claim.record,
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            location=response.get("Location", ""),
            body=response.content,
        )
        return response
