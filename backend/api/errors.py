"""One error body for every 4xx answer of the API.

    {"errors": [{"code": "invalid", "message": "…", "field": "inn"}]}

`code` is stable and machine-readable; `message` follows the request language (Russian by
default, English with `Accept-Language: en`); `field` is the dotted path of the input field the
error concerns, or null when it concerns the request as a whole.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from backend.exceptions import ActionForbidden, DomainError, ObjectMissing, StateConflict


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state (a lost race, a wrong state)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


def api_exception(error: DomainError) -> exceptions.APIException:
    """The HTTP answer to a domain error: 404, 403, 409, or 400 for any other."""
    if isinstance(error, ObjectMissing):
        return exceptions.NotFound(error.message, code=error.code)
    if isinstance(error, ActionForbidden):
        return exceptions.PermissionDenied(error.message, code=error.code)
    if isinstance(error, StateConflict):
        return Conflict(error.message, code=error.code)
    return exceptions.ValidationError(error.message, code=error.code)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class TooManyFields(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request has too many fields or files.")
    default_code = "too_many_fields"


class BadRequest(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request is malformed.")
    default_code = "bad_request"


class Throttled(exceptions.Throttled):
    """DRF's 429 with the wait in the request's language and its plural forms (DRF formats the
    number into the message before translating it, so "seconds" is never found in a catalogue)."""

    def __init__(self, wait: float | None, *, refused: exceptions.Throttled | None = None):
        detail = str(type(refused).default_detail) if refused is not None else ""
        if type(refused) is exceptions.Throttled or not detail:
            detail = str(_("Too many requests."))
        if wait is not None:
            wait = math.ceil(wait)
            detail += " " + ngettext(
                "Try again in %(wait)d second.",
                "Try again in %(wait)d seconds.",
                wait,
            ) % {"wait": wait}
        super().__init__(detail=detail, code=refused.default_code if refused is not None else None)
        self.wait = wait


def request_error(exc: Exception) -> exceptions.APIException | None:
    """The API error for Django's refusals of a request as a whole (raised lazily, when the body or
    the host is first read), or None for any other exception."""
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return TooManyFields()
    if isinstance(exc, DisallowedHost):
        return BadRequest(_("This host name is not served here."), code="disallowed_host")
    if isinstance(exc, SuspiciousOperation):
        return BadRequest()
    return None


def flatten_errors(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    """Turn DRF's nested error detail into a flat list of {code, message, field}."""
    if isinstance(detail, dict):
        items: list[dict[str, Any]] = []
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                child = field
            else:
                child = f"{field}.{key}" if field else str(key)
            items.extend(flatten_errors(value, child))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            # A list of dicts/lists is a list of nested objects: keep the index in the path.
            if isinstance(value, dict | list):
                items.extend(flatten_errors(value, f"{field}.{index}" if field else str(index)))
            else:
                items.extend(flatten_errors(value, field))
        return items
    code = getattr(detail, "code", None) or "invalid"
    return [{"code": str(code), "message": str(detail), "field": field}]


def error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"errors": errors}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DomainError):
        exc = api_exception(exc)
    elif isinstance(exc, exceptions.Throttled) and not isinstance(exc, Throttled):
        exc = Throttled(exc.wait, refused=exc)
    elif (refusal := request_error(exc)) is not None:
        exc = refusal

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: let Django log it and answer 500

    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        errors = flatten_errors(detail)
        # A detail-level error (401, 403, 404, 409, 429, …) has no field.
        for item in errors:
            if item["field"] == "detail":
                item["field"] = None
    response.data = error_body(errors)
    return response


def _json_error(request, exc: exceptions.APIException) -> JsonResponse:
    # Outside DRF's views (middleware, URL resolution) no language may be active yet: the client's.
    with translation.override(translation.get_language_from_request(request)):
        errors = [{"code": exc.get_codes(), "message": str(exc.detail), "field": None}]
    return JsonResponse(error_body(errors), status=exc.status_code, json_dumps_params={"ensure_ascii": False})


def api_bad_request(request, exception=None) -> JsonResponse:
    """400 (413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE) for a request Django refused before
    or outside an API view: a body too large, too many fields, an unknown host."""
    return _json_error(request, (exception and request_error(exception)) or BadRequest())


def api_permission_denied(request, exception=None) -> JsonResponse:
    return _json_error(request, exceptions.PermissionDenied())


def api_not_found(request, exception=None) -> JsonResponse:
    """404 for an unknown URL under /api/, in the same body as every other API error."""
    return _json_error(request, exceptions.NotFound())


def api_server_error(request) -> JsonResponse:
    with translation.override(translation.get_language_from_request(request)):
        message = str(_("Internal server error."))
    return JsonResponse(
        error_body([{"code": "server_error", "message": message, "field": None}]),
        status=500,
        json_dumps_params={"ensure_ascii": False},
    )
