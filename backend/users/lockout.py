"""The answer to a refused login (django-axes' AXES_LOCKOUT_CALLABLE, called whenever a lock refused
an authentication on the request): 429 with Retry-After, the API's error body under /api/. A view
that already answered 429 (the API's token view, the web login page) keeps its own answer."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from backend.api.errors import error_body
from backend.users.login_guard import refusal_seconds


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    retry_after = refusal_seconds(request) or int(settings.LOGIN_COOLOFF.total_seconds())
    if original_response is not None and original_response.status_code == 429:
        response = original_response
    elif request.path.startswith("/api/"):
        message = _("Too many failed login attempts. Try again later.")
        response = JsonResponse(
            error_body([{"code": "login_locked", "message": message, "field": None}]), status=429
        )
    else:
        message = _("Too many failed login attempts. Try again later.")
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response.setdefault("Retry-After", str(retry_after))
    return response
