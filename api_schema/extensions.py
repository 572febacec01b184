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
