"""API token authentication: `Authorization: Bearer <token>` or `Authorization: Token <token>`."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from backend.users.models import ApiToken, User
from backend.users.roles import Role
from backend.users.services import token_digest

KEYWORDS = (b"bearer", b"token")
# Recording every use would be a write per request; once a minute is enough to show activity.
LAST_USED_RESOLUTION = timedelta(minutes=1)


#: One EXISTS per role, annotated on the token: the user, the token and the roles in one query.
ROLE_FLAGS = {f"user_is_{role}": role for role in Role.values}


def token_with_roles() -> QuerySet[ApiToken]:
    memberships = User.groups.through.objects
    return ApiToken.objects.select_related("user").annotate(
        **{
            flag: Exists(memberships.filter(user_id=OuterRef("user_id"), group__name=role))
            for flag, role in ROLE_FLAGS.items()
        }
    )


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
            token = token_with_roles().get(digest=token_digest(raw))
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
        # The roles came with the token: no second query for the user's groups.
        token.user.__dict__["roles"] = token.user.roles_from_groups(
            role for flag, role in ROLE_FLAGS.items() if getattr(token, flag)
        )
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 to anonymous requests.
        return 'Bearer realm="api"'
