"""A request id on every log line, carried into the Celery tasks the request queues.

The id comes from the `X-Request-ID` header when the proxy sends a sane one, else it is made
here; the response returns it in `X-Request-ID`. Tasks get it in a message header
(`before_task_publish`) and restore it while they run (`task_prerun`), so the worker's log lines
of that work carry the request's id; a task started by beat gets an id of its own.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
#: Accepted from the client only when it looks like an id (no log injection, bounded length).
VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get(HEADER, "")
        current = sent if VALID_ID.match(sent) else new_id()
        request.request_id = current
        # Kept until the response is finished (not only while the middleware runs): Django logs
        # the 4xx/5xx answer itself after the middleware chain returned.
        request_id.set(current)
        response = self.get_response(request)
        response[HEADER] = current
        return response


@receiver(request_finished, dispatch_uid="backend.observability.finished")
def _clear_request_id(**kwargs) -> None:
    request_id.set(None)


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


@before_task_publish.connect(dispatch_uid="backend.observability.publish")
def _add_request_id(headers=None, **kwargs) -> None:
    current = request_id.get()
    if headers is not None and current:
        headers["request_id"] = current


_task_tokens: dict[str, object] = {}


@task_prerun.connect(dispatch_uid="backend.observability.prerun")
def _restore_request_id(task_id=None, task=None, **kwargs) -> None:
    if task.request.is_eager:
        return  # runs inside the request (no broker): the id is already set
    current = getattr(task.request, "request_id", None) or new_id()
    _task_tokens[task_id] = request_id.set(current)


@task_postrun.connect(dispatch_uid="backend.observability.postrun")
def _forget_request_id(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)
