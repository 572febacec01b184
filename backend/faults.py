"""Faults of the services the portal stands on, answered as such instead of a bare 500.

- The database does not answer (stopped, unreachable, connection lost): 503 with `Retry-After`.
  The connection's `connect_timeout` makes this prompt; CONN_HEALTH_CHECKS reconnects by itself
  once the server is back.
- The disk is full while a file is stored or an upload spooled (ENOSPC): 507.

The API answers the standard error body; pages answer a translated error page rendered without the
database (no user, no session)."""

from __future__ import annotations

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: Seconds a client is asked to wait before it retries after a 503.
RETRY_AFTER_SECONDS = 30


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _answer(request, *, status: int, code: str, message: str, retry_after: int | None) -> HttpResponse:
    if _is_api(request):
        response: HttpResponse = JsonResponse(
            {"errors": [{"code": code, "message": message, "field": None}]}, status=status
        )
    else:
        response = HttpResponse(
            render_to_string("web/service_fault.html", {"status": status, "message": message}),
            status=status,
        )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def fault_response(request, exception: BaseException) -> HttpResponse | None:
    """The answer to a fault of a service, or None when `exception` is not one."""
    if isinstance(exception, OperationalError | InterfaceError):
        logger.error("The database does not answer: %s", exception, exc_info=exception)
        return _answer(
            request,
            status=503,
            code="service_unavailable",
            message=_("The service is temporarily unavailable. Please try again in a minute."),
            retry_after=RETRY_AFTER_SECONDS,
        )
    if isinstance(exception, OSError) and exception.errno == errno.ENOSPC:
        logger.error("No space left to store a file: %s", exception, exc_info=exception)
        return _answer(
            request,
            status=507,
            code="insufficient_storage",
            message=_(
                "The file could not be stored: no space is left on the server. Please try again later."
            ),
            retry_after=None,
        )
    return None


def current_fault_response(request) -> HttpResponse | None:
    """For handler500, which Django calls while the exception is being handled: a fault raised
    outside a view (in a middleware, reading the session) is answered the same way."""
    exception = sys.exc_info()[1]
    return fault_response(request, exception) if exception is not None else None


class ServiceFaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return fault_response(request, exception)
