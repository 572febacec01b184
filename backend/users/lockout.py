"""The answer to a locked-out login (django-axes): the API's error body under /api/, a page elsewhere."""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from backend.api.errors import error_body


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    message = _("Too many failed login attempts. Try again later.")
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body([{"code": "login_locked", "message": message, "field": None}]), status=429
        )
    return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
