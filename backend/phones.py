"""Phone numbers as people type them (+7 900 123-45-67, 8 (900) 123 45 67, 89001234567), checked
and stored in one international form by Google's libphonenumber rules (`phonenumbers`)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: The region a number without a country code is read in (8… and 9… numbers are Russian).
DEFAULT_REGION = "RU"
PHONE_ERROR = _("Enter a phone number, for example +7 900 123-45-67.")


def normalise_phone(value: str) -> str:
    """The number in the international format ("+7 900 123-45-67"), or ValidationError."""
    text = (value or "").strip()
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(PHONE_ERROR, code="phone") from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_ERROR, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
