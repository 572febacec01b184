"""Validators of Russian identifiers and formats. Check digits of INN and OGRN/OGRNIP come from
python-stdnum; SNILS, KPP, BIC and bank accounts, which it lacks (and no maintained package on PyPI
covers), are checked here by their published rules."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from backend.phones import normalise_phone

DIGITS = re.compile(r"^[0-9]+$")
KPP_RE = re.compile(r"^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$")
CADASTRAL_RE = re.compile(r"^[0-9]{2}:[0-9]{2}:[0-9]{6,7}:[0-9]{1,8}$")
PASSPORT_SERIES_RE = re.compile(r"^[0-9]{4}$")
PASSPORT_NUMBER_RE = re.compile(r"^[0-9]{6}$")


def _digits_only(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate_inn(value: str, *, length: int | None = None) -> str:
    """INN: 10 digits (organisations) or 12 (individuals, entrepreneurs) with check digits."""
    number = _digits_only(value)
    if not DIGITS.match(number) or len(number) not in (10, 12):
        raise ValidationError(_("INN must have 10 or 12 digits."), code="inn_format")
    if length is not None and len(number) != length:
        raise ValidationError(
            _("INN of this applicant type must have %(length)d digits.") % {"length": length},
            code="inn_length",
        )
    try:
        stdnum_inn.validate(number)
    except InvalidChecksum as error:
        raise ValidationError(_("INN check digit is wrong."), code="inn_checksum") from error
    except (InvalidFormat, InvalidLength, StdnumError) as error:
        raise ValidationError(_("INN is not valid."), code="inn_invalid") from error
    return number


def validate_ogrn(value: str, *, length: int | None = None) -> str:
    """OGRN (13 digits, organisations) or OGRNIP (15 digits, entrepreneurs) with check digit."""
    number = _digits_only(value)
    if not DIGITS.match(number) or len(number) not in (13, 15):
        raise ValidationError(_("OGRN must have 13 digits (OGRNIP 15)."), code="ogrn_format")
    if length is not None and len(number) != length:
        message = (
            _("OGRN of an organisation must have 13 digits.")
            if length == 13
            else _("OGRNIP of an entrepreneur must have 15 digits.")
        )
        raise ValidationError(message, code="ogrn_length")
    try:
        stdnum_ogrn.validate(number)
    except InvalidChecksum as error:
        raise ValidationError(_("OGRN check digit is wrong."), code="ogrn_checksum") from error
    except (InvalidFormat, InvalidLength, StdnumError) as error:
        raise ValidationError(_("OGRN is not valid."), code="ogrn_invalid") from error
    return number


def validate_kpp(value: str) -> str:
    """KPP: 9 characters, NNNNPPNNN where PP may be digits or capital Latin letters."""
    code = (value or "").strip().upper()
    if not KPP_RE.match(code):
        raise ValidationError(
            _("KPP must have 9 characters: 4 digits, 2 digits or letters, 3 digits."), code="kpp"
        )
    return code


def snils_check_digits(body: str) -> str:
    """The SNILS control number for its first 9 digits (Pension Fund rules)."""
    total = sum(int(digit) * weight for digit, weight in zip(body, range(9, 0, -1), strict=True))
    if total > 101:
        total %= 101
    return "00" if total in (100, 101) else f"{total:02d}"


def validate_snils(value: str) -> str:
    """SNILS: 11 digits; the last two are a checksum (checked for numbers above 001-001-998)."""
    number = _digits_only(value)
    if not DIGITS.match(number) or len(number) != 11:
        raise ValidationError(_("SNILS must have 11 digits."), code="snils_format")
    body, check = number[:9], number[9:]
    # Numbers up to 001-001-998 were issued before the checksum rule.
    if int(body) > 1001998 and snils_check_digits(body) != check:
        raise ValidationError(_("SNILS check digits are wrong."), code="snils_checksum")
    return number


def validate_cadastral_number(value: str) -> str:
    """Cadastral number of a plot: district:area:quarter:plot, e.g. 26:12:030101:45."""
    number = (value or "").strip()
    if not CADASTRAL_RE.match(number):
        raise ValidationError(
            _("Cadastral number must look like 26:12:030101:45 (NN:NN:NNNNNN:N)."), code="cadastral_number"
        )
    return number


def validate_passport_series(value: str) -> str:
    series = _digits_only(value)
    if not PASSPORT_SERIES_RE.match(series):
        raise ValidationError(_("Passport series must have 4 digits."), code="passport_series")
    return series


def validate_passport_number(value: str) -> str:
    number = _digits_only(value)
    if not PASSPORT_NUMBER_RE.match(number):
        raise ValidationError(_("Passport number must have 6 digits."), code="passport_number")
    return number


def validate_phone(value: str) -> str:
    """A phone number, returned in its international form."""
    return normalise_phone(value)


BIC_RE = re.compile(r"^04[0-9]{7}$")
ACCOUNT_RE = re.compile(r"^[0-9]{20}$")
#: Weights of the account key (Bank of Russia, the order of calculating the control key of an account
#: number): 7, 1, 3 repeated over the 3 BIC-derived digits and the 20 digits of the account.
_ACCOUNT_KEY_WEIGHTS = ((7, 1, 3) * 8)[:23]


def validate_bic(value: str) -> str:
    """BIC of a Russian bank: 9 digits beginning with the country code 04."""
    code = _digits_only(value)
    if not BIC_RE.match(code):
        raise ValidationError(_("BIC must have 9 digits and begin with 04."), code="bic_format")
    return code


def _account_key_holds(prefix: str, account: str) -> bool:
    digits = prefix + account
    products = (int(digit) * weight % 10 for digit, weight in zip(digits, _ACCOUNT_KEY_WEIGHTS, strict=True))
    return sum(products) % 10 == 0


def validate_settlement_account(value: str, *, bic: str) -> str:
    """A settlement account (расчётный счёт): 20 digits whose key agrees with the bank's BIC (the
    BIC's last three digits come first in the key calculation)."""
    account = _digits_only(value)
    if not ACCOUNT_RE.match(account):
        raise ValidationError(_("The account number must have 20 digits."), code="account_format")
    if BIC_RE.match(bic or "") and not _account_key_holds(bic[-3:], account):
        raise ValidationError(
            _("The account number does not agree with the BIC (wrong control key)."), code="account_key"
        )
    return account


def validate_correspondent_account(value: str, *, bic: str) -> str:
    """The bank's correspondent account (30101…): 20 digits whose key agrees with the BIC ("0" and
    the BIC's 5th and 6th digits come first in the key calculation)."""
    account = _digits_only(value)
    if not ACCOUNT_RE.match(account):
        raise ValidationError(_("The account number must have 20 digits."), code="account_format")
    if not account.startswith("30101"):
        raise ValidationError(
            _("A correspondent account begins with 30101."), code="correspondent_account_prefix"
        )
    if BIC_RE.match(bic or "") and not _account_key_holds("0" + bic[4:6], account):
        raise ValidationError(
            _("The account number does not agree with the BIC (wrong control key)."), code="account_key"
        )
    return account
