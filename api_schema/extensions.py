"""drf-spectacular extensions: the token authentication scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "backend.users.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token from `POST /api/v1/auth/token/`, sent as `Authorization: Bearer <token>`. "
                "The keyword `Token` is accepted too."
            ),
        }


class ClientKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integration.api.authentication.ClientKeyAuthentication"
    name = "clientKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An integration client's key (`ik_…`), issued by the grid organisation's "
                "administrator, sent as `Authorization: Bearer ik_…`. Each key holds scopes; add "
                "`X-Acting-For: <applicant e-mail>` to act for an applicant who gave the client "
                "authority in that scope. See the integrators' guide at /api/guide/."
            ),
        }
