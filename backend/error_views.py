"""Error answers for requests Django refuses outside a view, or for an unhandled error: under
/api/ the API's one error body (backend.api.errors), elsewhere the portal's error pages
(templates 400/403/404/500.html), both in the client's language."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token

from backend.api.errors import api_bad_request, api_not_found, api_permission_denied, api_server_error
from backend.faults import current_fault_response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


@requires_csrf_token
def bad_request(request, exception=None):
    if _is_api(request):
        return api_bad_request(request, exception)
    with translation.override(translation.get_language_from_request(request)):
        return render(request, "400.html", status=413 if isinstance(exception, RequestDataTooBig) else 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    if _is_api(request):
        return api_permission_denied(request, exception)
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    if _is_api(request):
        return api_not_found(request, exception)
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # A database or disk fault raised outside a view answers 503/507, not 500.
    fault = current_fault_response(request)
    if fault is not None:
        return fault
    if _is_api(request):
        return api_server_error(request)
    # No request context: the error may be the database's, which the session and user would need.
    with translation.override(translation.get_language_from_request(request)):
        return HttpResponse(loader.get_template("500.html").render(), status=500)
