from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from backend.phones import normalise_phone
from backend.users import consent
from backend.users.models import ApiToken, ConsentText, User
from backend.users.roles import Role


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Applicant",
            value={
                "email": "ivanov@example.ru",
                "password": "Gj7-secure-passphrase",
                "last_name": "Иванов",
                "first_name": "Иван",
                "middle_name": "Иванович",
                "phone": "+79001234567",
            },
            request_only=True,
        )
    ]
)
class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("e-mail"), max_length=254)
    password = serializers.CharField(
        label=_("password"), write_only=True, style={"input_type": "password"}, max_length=128
    )
    last_name = serializers.CharField(label=_("last name"), max_length=150)
    first_name = serializers.CharField(label=_("first name"), max_length=150)
    middle_name = serializers.CharField(
        label=_("middle name"), max_length=150, required=False, allow_blank=True
    )
    phone = serializers.CharField(
        label=_("phone"),
        required=False,
        allow_blank=True,
        max_length=32,
        help_text=_("Stored in the international form, e.g. +7 900 123-45-67."),
    )

    personal_data_consent_version = serializers.CharField(
        label=_("consent to the processing of personal data"),
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=_(
            "The version of the consent text (152-ФЗ) the person agreed to, as published at "
            "/api/v1/auth/consent-text/; recorded with the time. Must be the version in force."
        ),
    )

    def validate_phone(self, value: str) -> str:
        return normalise_phone(value) if value else ""

    def validate(self, attrs):
        version = attrs.pop("personal_data_consent_version", "")
        try:
            attrs["consent"] = consent.check_consent(given=True, version=version) if version else None
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                {"personal_data_consent_version": error.message_dict[consent.CONSENT_FIELD]},
                code="consent_outdated",
            ) from error
        return attrs


class ConsentTextSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentText
        fields = ["version", "text", "text_en", "published_at"]


class RegistrationAcceptedSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True, help_text=_("The address the message goes to."))
    detail = serializers.CharField(read_only=True, help_text=_("What happens next."))


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(
        source="get_full_name", read_only=True, help_text=_("Last, first, middle name.")
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        source="sorted_roles",
        read_only=True,
        help_text=_("Roles of the user."),
    )
    branches = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("Codes of the branches an engineer works in."),
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "last_name",
            "first_name",
            "middle_name",
            "full_name",
            "phone",
            "roles",
            "branches",
        ]
        read_only_fields = fields


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("e-mail"))
    password = serializers.CharField(label=_("password"), write_only=True, style={"input_type": "password"})
    name = serializers.CharField(
        label=_("token name"),
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_("A name to recognise the token by, e.g. the client system."),
    )
    lifetime_days = serializers.IntegerField(
        label=_("lifetime in days"),
        required=False,
        min_value=0,
        max_value=3650,
        help_text=_(
            "Days until the token expires; 0 means it never expires. Default from the server settings."
        ),
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text=_("The token. It is shown only once."))

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields
