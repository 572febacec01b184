"""Identity and format validators (check digits via python-stdnum; SNILS and KPP by their rules)."""

import pytest
from django.core.exceptions import ValidationError

from connection import validators
from tests.connection.factories import VALID


@pytest.mark.parametrize(
    ("func", "value", "code"),
    [
        (validators.validate_inn, "7707083894", "inn_checksum"),
        (validators.validate_inn, "500100732258", "inn_checksum"),
        (validators.validate_inn, "12345", "inn_format"),
        (validators.validate_inn, "77070838ab", "inn_format"),
        (validators.validate_ogrn, "1027700132196", "ogrn_checksum"),
        (validators.validate_ogrn, "10277001321", "ogrn_format"),
        (validators.validate_kpp, "77360100", "kpp"),
        (validators.validate_snils, "11223344596", "snils_checksum"),
        (validators.validate_snils, "1122334459", "snils_format"),
        (validators.validate_cadastral_number, "26-11-020101-123", "cadastral_number"),
        (validators.validate_cadastral_number, "26:11:0201:123", "cadastral_number"),
        (validators.validate_passport_series, "07 1", "passport_series"),
        (validators.validate_passport_number, "34567", "passport_number"),
        (validators.validate_phone, "12-34", "phone"),
    ],
)
def test_invalid_values_are_refused_with_their_code(func, value, code):
    with pytest.raises(ValidationError) as caught:
        func(value)
    assert caught.value.code == code


def test_valid_values_are_normalised():
    assert validators.validate_inn(VALID["inn_org"], length=10) == "7707083893"
    assert validators.validate_inn("5001 0073 2259") == "500100732259"
    assert validators.validate_ogrn(VALID["ogrnip"], length=15) == VALID["ogrnip"]
    assert validators.validate_kpp("7736ab001") == "7736AB001"
    assert validators.validate_snils("112-233-445 95") == "11223344595"
    assert validators.validate_cadastral_number(" 26:11:020101:123 ") == "26:11:020101:123"


def test_inn_length_must_fit_the_applicant_type():
    with pytest.raises(ValidationError) as caught:
        validators.validate_inn(VALID["inn_org"], length=12)
    assert caught.value.code == "inn_length"


def test_snils_checksum_rule_matches_the_published_algorithm():
    # Sum of digit × weight (9..1); above 101 take mod 101; 100 and 101 give 00.
    assert validators.snils_check_digits("112233445") == "95"
    assert validators.snils_check_digits("000000000") == "00"
    # Numbers up to 001-001-998 carry no checksum.
    assert validators.validate_snils("00100199800") == "00100199800"
