"""The project's AutoSchema: documents the common error body on every operation."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: one error per problem, each naming its field.",
    "401": "Not authenticated, or the token is invalid, revoked or expired.",
    "403": "Authenticated, but this role may not do this.",
    "404": "Not found, or outside the caller's reach.",
    "409": "Conflicts with the current state (for example a transition that lost a race).",
    "422": "The Idempotency-Key was used before with a different request.",
    "429": "Too many requests; retry later.",
}

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    type=str,
    required=False,
    description=(
        "Makes the POST safe to retry. 1–255 visible ASCII characters, unique per request (a UUID). "
        "The same key with the same request within 24 hours answers the stored response again "
        "(with `Idempotent-Replayed: true`) and does nothing more; with a different request it "
        "answers 422 `idempotency_key_reused`; while the first request is still running a "
        "repetition waits for its answer (409 `idempotency_in_progress` after 30 s). Answers of "
        "5xx are not stored. Keys are per caller (credentials and `X-Acting-For`)."
    ),
)

RETRY_AFTER_HEADER = {
    "schema": {"type": "integer", "minimum": 1},
    "description": "Seconds to wait before trying again; sent with every 429.",
}


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Machine-readable error code, e.g. `required`, `invalid`, `not_found`."
    )
    message = serializers.CharField(
        help_text="Human-readable message in the request language (Russian by default)."
    )
    field = serializers.CharField(
        allow_null=True,
        help_text="Dotted path of the input field concerned, or null for the request as a whole.",
    )


class ErrorResponseSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)


class PortalAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = []
        is_list = self._is_list_view()
        if self.method in ("POST", "PUT", "PATCH") or (
            is_list and getattr(self.view, "filter_backends", None)
        ):
            codes.append("400")  # invalid input, or an invalid filter value
        if getattr(self.view, "authentication_classes", None):
            codes.append("401")  # also on public endpoints, for an invalid or revoked token
        permissions = self.view.get_permissions() if hasattr(self.view, "get_permissions") else []
        if not all(isinstance(permission, AllowAny) for permission in permissions):
            codes.append("403")
        if "{" in self.path or (is_list and getattr(self.view, "pagination_class", None)):
            codes.append("404")  # not found, or a page number past the end
        if self.method == "POST":
            codes += ["409", "422"]  # Idempotency-Key in progress / reused with another request
        codes += [code for code in getattr(self.view, "extra_error_codes", []) if code not in codes]
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST":
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def _get_serializer_field_meta(self, field, direction):
        # Every field gets a description: its help text, or else its label (the model's verbose name).
        meta = super()._get_serializer_field_meta(field, direction)
        if isinstance(field, serializers.Field) and not meta.get("description"):
            label = str(field.label or (field.field_name or "").replace("_", " ")).strip()
            if label:
                meta["description"] = label[0].upper() + label[1:] + "."
        return meta

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorResponseSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                if code == "429":
                    response["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
                responses[code] = response
        return responses
