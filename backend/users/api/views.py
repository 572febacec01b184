"""Registration, API tokens and the current user. Views are thin: services do the writes."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.users import consent, login_guard, services
from backend.users.api.authentication import ApiTokenAuthentication
from backend.users.api.serializers import (
    ApiTokenSerializer,
    ConsentTextSerializer,
    IssuedTokenSerializer,
    RegisterSerializer,
    RegistrationAcceptedSerializer,
    TokenRequestSerializer,
    UserSerializer,
)
from backend.users.client_address import client_address
from backend.users.exceptions import RateLimited
from backend.users.models import ApiToken


class LoginLocked(exceptions.Throttled):
    default_detail = _("Too many failed login attempts. Try again later.")
    default_code = "login_locked"


class RegisterView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = RegisterSerializer
    throttle_scope = "auth"

    @extend_schema(
        summary="Register an applicant account",
        description=(
            "Starts the registration of an account with the applicant role. The password is checked by "
            "the server's password rules (length, similarity to personal data, common and numeric "
            "passwords). The answer is the same whether the e-mail address already has an account or "
            "not: a new address receives a link that activates the account (then get a token with the "
            "password); the owner of an existing account is told that someone tried to register with "
            "it. Too many registrations from one client address answer 429 with Retry-After."
        ),
        responses={202: RegistrationAcceptedSerializer},
        tags=["auth"],
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            email = services.register_applicant(
                **serializer.validated_data,
                client_address=client_address(request),
                base_url=login_guard.site_url(request),
            )
        except RateLimited as error:
            raise exceptions.Throttled(wait=error.retry_after) from error
        body = {"email": email, "detail": _("Check your e-mail: a message with the next step is on its way.")}
        return Response(RegistrationAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class ConsentTextView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        summary="The consent text to the processing of personal data in force",
        description=(
            "The text (152-ФЗ) a person agrees to when registering or applying, with its version; pass "
            "the version as `personal_data_consent_version` when registering to record the consent."
        ),
        responses={200: ConsentTextSerializer, 404: OpenApiResponse(description="No text published yet.")},
        tags=["auth"],
    )
    def get(self, request):
        text = consent.current_text()
        if text is None:
            raise exceptions.NotFound()
        return Response(ConsentTextSerializer(text).data)


class TokenView(APIView):
    """Issue a token for e-mail and password, or revoke the token the request carries."""

    throttle_scope = "auth"
    extra_error_codes = ["401"]  # wrong credentials

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self):
        # Issuing takes credentials in the body; no session, so no CSRF token is needed. The token
        # scheme stays so that a failure answers 401 with its WWW-Authenticate header.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return [ApiTokenAuthentication()]
        return super().get_authenticators()

    @extend_schema(
        summary="Issue an API token",
        description=(
            "Exchanges an e-mail and password for a token to send as `Authorization: Bearer <token>` "
            "(or `Token <token>`). The token is returned once and stored only as a hash. Repeated "
            "failed attempts on one account pause its password logins for a while (HTTP 429 "
            "`login_locked` with `Retry-After`; not for clients that logged in to it before and carry "
            "its `trusted_login` cookie), and so do many failures from one client address."
        ),
        request=TokenRequestSerializer,
        responses={201: IssuedTokenSerializer},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request._request, username=data["email"], password=data["password"])
        if user is None:
            retry_after = login_guard.refusal_seconds(request._request)
            if retry_after:
                raise LoginLocked(wait=retry_after)
            raise exceptions.AuthenticationFailed(_("Wrong e-mail or password."), code="invalid_credentials")
        login_guard.record_success(user=user)  # no session login, so no user_logged_in signal
        token, raw = services.issue_token(
            user=user, name=data.get("name", ""), lifetime_days=data.get("lifetime_days")
        )
        token.token = raw
        response = Response(IssuedTokenSerializer(token).data, status=status.HTTP_201_CREATED)
        return login_guard.remember_device(response, user=user)

    @extend_schema(
        summary="Revoke the current token",
        description="Revokes the token this request is authenticated with. Later requests with it get 401.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked.")},
        tags=["auth"],
    )
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("This request is not authenticated with an API token.")]},
                code="no_token",
            )
        services.revoke_token(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="List my API tokens",
        description="Tokens issued to the current user, newest first, without their secret values.",
        tags=["auth"],
    ),
    retrieve=extend_schema(
        summary="Show one of my API tokens", description="One token of the current user.", tags=["auth"]
    ),
    destroy=extend_schema(
        summary="Revoke one of my API tokens",
        description="Marks the token revoked; it stays listed with its revocation time.",
        tags=["auth"],
    ),
)
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = ApiTokenSerializer
    filterset_fields = ["name"]
    ordering_fields = ["created_at", "expires_at"]

    queryset = ApiToken.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    def perform_destroy(self, instance):
        services.revoke_token(token=instance)


class MeView(generics.RetrieveAPIView):
    serializer_class = UserSerializer

    @extend_schema(
        summary="The current user",
        description="The authenticated user's profile with roles and, for engineers, branches.",
        tags=["users"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return self.request.user
