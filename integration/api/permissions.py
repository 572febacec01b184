from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from integration.models import ClientKey


class IsIntegrationClient(BasePermission):
    """Calls made with an integration client's key."""

    message = _("Only integration clients (with a client key) make this call.")

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ClientKey)
