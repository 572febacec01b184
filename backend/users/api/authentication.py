"""API token authentication: `Authorization: Bearer <token>` or `Authorization: Token <token>`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from backend.users.models import ApiToken
from backend.users.services import token_digest

KEYWORDS = (b"bearer", b"token")
# Recording every use would be a write per request; once a minute is enough to show activity.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."), code="token_invalid")
        try:
            raw = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token header."), code="token_invalid") from error

        try:
            token = ApiToken.objects.select_related("user").get(digest=token_digest(raw))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="token_invalid") from None
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("The token has been revoked."), code="token_revoked")
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(_("The token has expired."), code="token_expired")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The user account is disabled."), code="user_inactive")
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The roles are read by the first permission check: one plain query for the names of the
        # user's groups. (Folding them into the token's query as one EXISTS per role cost more to
        # compile than the second round trip.)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to anonymous requests.
        return 'Bearer realm="api"'
