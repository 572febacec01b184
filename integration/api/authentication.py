"""Integration clients authenticate with `Authorization: Bearer ik_…` (a client key).

Every call is checked here, whatever the view: the key must be active and hold the scope the call
needs (integration.scopes); with `X-Acting-For: <applicant e-mail>` the client acts as that
applicant, which needs the applicant's live authority in the same scope. The request then runs as
the applicant's user, marked with the client's name for history and events. Without the header the
client acts as its own service account. Refusals are 403 (401 for an unknown or expired key).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from backend.acting import mark_acting_via
from integration.models import ClientKey
from integration.scopes import required_scope
from integration.selectors import authority_for
from integration.services import KEY_PREFIX, key_digest

ACTING_FOR_HEADER = "HTTP_X_ACTING_FOR"
LAST_USED_RESOLUTION = timedelta(minutes=1)
TRANSITION_PATH = re.compile(r"/transitions/[^/]+/$")


def client_key_from_header(request) -> str | None:
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != b"bearer":
        return None
    raw = parts[1].decode("latin-1")
    return raw if raw.startswith(KEY_PREFIX) else None


class ClientKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw = client_key_from_header(request)
        if raw is None:
            return None
        key = (
            ClientKey.objects.select_related("client", "client__user").filter(digest=key_digest(raw)).first()
        )
        now = timezone.now()
        if key is None or not key.client.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid key."), code="key_invalid")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The key has been revoked."), code="key_revoked")
        if key.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The key has expired."), code="key_expired")
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ClientKey.objects.filter(pk=key.pk).update(last_used_at=now)

        scope = required_scope(request.path, request.method)
        if scope is None or not key.allows(scope):
            raise exceptions.PermissionDenied(
                _("This key may not make this call (scope %(scope)s needed).") % {"scope": scope or "—"},
                code="scope_missing",
            )
        acting_for = request.META.get(ACTING_FOR_HEADER, "").strip()
        if not acting_for:
            return key.client.user, key
        authority = authority_for(key.client, acting_for)
        if authority is None or not authority.allows(scope):
            raise exceptions.PermissionDenied(
                _("The applicant has not authorised this client for this (or the authority has ended)."),
                code="authority_missing",
            )
        if authority.confirmed_at is None and TRANSITION_PATH.search(request.path):
            raise exceptions.PermissionDenied(
                _("The customer has not confirmed the authority yet: drafts only until they do."),
                code="authority_unconfirmed",
            )
        user = authority.applicant
        if not user.is_active:
            raise exceptions.PermissionDenied(_("The applicant's account is disabled."), code="user_inactive")
        mark_acting_via(user, key.client.name)
        return user, key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
