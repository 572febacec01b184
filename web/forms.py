"""Forms of the web UI. They check shapes and types; the rules are checked by the domain services
the views call, whose errors are put back on the same fields (see `apply_errors`)."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

import capacity_calc
from backend.phones import normalise_phone
from backend.users import consent, login_guard
from connection import validators
from connection.models import Applicant, ConnectionRequest
from connection.models.applicants import APPLICANT_FIELDS
from connection.models.documents import APPLICANT_DOCUMENT_CHOICES
from connection.models.requests import OBJECT_FIELDS, POWER_FIELDS, SUPPLY_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_STAGES = 3


def apply_errors(
    form: forms.BaseForm, error: ValidationError, *, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form's fields (others become form-wide errors)."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = aliases.get(field, field)
        for item in errors:
            if target in form.fields:
                form.add_error(target, item)
            elif target == "stages" and hasattr(form, "stage_errors"):
                form.stage_errors.extend(item.messages)
            else:
                form.add_error(None, item)


# Accounts


class LoginForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def get_invalid_login_error(self):
        retry_after = login_guard.refusal_seconds(self.request) if self.request is not None else None
        if retry_after:
            return ValidationError(
                _(
                    "Too many failed logins. Try again in %(minutes)s min, or follow the link e-mailed "
                    "to the account's owner."
                ),
                code="login_locked",
                params={"minutes": math.ceil(retry_after / 60)},
            )
        return super().get_invalid_login_error()


class RegisterForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    middle_name = forms.CharField(label=_("Middle name"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    personal_data_consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data on the terms above"), required=False
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return normalise_phone(phone) if phone else ""

    def clean_email(self):
        # Whether the address has an account is not said here: the e-mail to it says so.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        try:
            data["consent"] = consent.check_consent(
                given=bool(data.get("personal_data_consent")), version=data.get("consent_version") or ""
            )
        except ValidationError as error:
            self.add_error(None, error)
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        if data.get("password1"):
            from django.contrib.auth import get_user_model
            from django.contrib.auth.password_validation import validate_password

            user = get_user_model()(
                email=data.get("email", ""),
                last_name=data.get("last_name", ""),
                first_name=data.get("first_name", ""),
            )
            try:
                validate_password(data["password1"], user=user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


# Wizard


def parse_id(value) -> int | None:
    """A database id typed or posted by a client, or None. ASCII digits only: str.isdigit() also
    accepts "²", which the database lookup then refuses with an error."""
    text = str(value or "")
    return int(text) if re.fullmatch(r"[0-9]{1,12}", text) else None


# The applicant's editable fields, in the model's order (one list for the API, the service, the form).
APPLICANT_ORDER = APPLICANT_FIELDS


class ApplicantForm(forms.ModelForm):
    class Meta:
        model = Applicant
        fields = APPLICANT_ORDER
        widgets = {
            "applicant_type": forms.RadioSelect,
            "passport_issued_on": DATE,
            "power_of_attorney_date": DATE,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "inn": forms.TextInput(attrs={"inputmode": "numeric"}),
            "ogrn": forms.TextInput(attrs={"inputmode": "numeric"}),
            "kpp": forms.TextInput(attrs={"inputmode": "numeric"}),
            "snils": forms.TextInput(attrs={"inputmode": "numeric"}),
            "passport_series": forms.TextInput(attrs={"inputmode": "numeric"}),
            "passport_number": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    snils = forms.CharField(
        label=_("SNILS"),
        max_length=14,
        required=False,
        help_text=_("As printed on the card: 112-233-445 95."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_snils(self):
        snils = self.cleaned_data["snils"]
        return validators.validate_snils(snils) if snils else ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant_type"].choices = [
            choice for choice in self.fields["applicant_type"].choices if choice[0]
        ]

    identity = ["last_name", "first_name", "middle_name", "organisation_name", "inn", "ogrn", "kpp", "snils"]
    passport = ["passport_series", "passport_number", "passport_issued_by", "passport_issued_on"]
    contacts = ["registration_address", "postal_address", "phone", "email"]
    representative = ["representative_name", "power_of_attorney_number", "power_of_attorney_date"]

    def group(self, names):
        return [self[name] for name in names]

    def identity_fields(self):
        return self.group(self.identity)

    def passport_fields(self):
        return self.group(self.passport)

    def contact_fields(self):
        return self.group(self.contacts)

    def representative_fields(self):
        return self.group(self.representative)


class ObjectForm(forms.ModelForm):
    class Meta:
        model = ConnectionRequest
        fields = [
            *OBJECT_FIELDS,
            "preferred_connection_point",
        ]  # the point: radio buttons (web/_nearest.html)
        widgets = {
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        }
        help_texts = {
            "cadastral_number": _("For example 26:11:020101:123."),
            "latitude": _("Click the map, or type the coordinates in degrees."),
        }


class PowerForm(forms.ModelForm):
    class Meta:
        model = ConnectionRequest
        fields = list(POWER_FIELDS)
        widgets = {
            "previously_connected_kw": forms.NumberInput(
                attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}
            ),
            "requested_kw": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previously_connected_kw"].required = False

    def clean_previously_connected_kw(self):
        return self.cleaned_data.get("previously_connected_kw") or Decimal("0")


class SupplyForm(forms.ModelForm):
    class Meta:
        model = ConnectionRequest
        fields = list(SUPPLY_FIELDS)
        help_texts = {
            "guaranteeing_supplier": _(
                "The company that will sell you electricity under a public contract in your area (not the "
                "grid organisation). Its name is on your electricity bill; the regional energy commission "
                "publishes the list of guaranteeing suppliers by territory. The grid organisation sends it "
                "the documents of the connection, so you can conclude the supply contract."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_errors: list[str] = []
        for number in range(1, MAX_STAGES + 1):
            self.fields[f"stage_{number}_date"] = forms.DateField(
                label=_("Stage %(number)s: planned date") % {"number": number}, required=False, widget=DATE
            )
            self.fields[f"stage_{number}_kw"] = forms.DecimalField(
                label=_("Stage %(number)s: power, kW") % {"number": number},
                required=False,
                min_value=Decimal("0.01"),
                max_digits=9,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )

    def main_fields(self):
        return [self[name] for name in self.Meta.fields]

    def stage_rows(self):
        return [
            (number, self[f"stage_{number}_date"], self[f"stage_{number}_kw"])
            for number in range(1, MAX_STAGES + 1)
        ]

    def clean(self):
        data = super().clean()
        stages = []
        for number in range(1, MAX_STAGES + 1):
            planned, power = data.get(f"stage_{number}_date"), data.get(f"stage_{number}_kw")
            if planned is None and power is None:
                continue
            if planned is None:
                self.add_error(f"stage_{number}_date", _("Enter the date of this stage."))
            if power is None:
                self.add_error(f"stage_{number}_kw", _("Enter the power of this stage."))
            if planned is not None and power is not None:
                stages.append({"planned_date": planned, "power_kw": power})
        data["stages"] = stages
        return data


class UploadForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=APPLICANT_DOCUMENT_CHOICES)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ConsentForm(forms.Form):
    """The consent to the processing of personal data given with the submission."""

    personal_data_consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data on the terms above"), required=False
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# Load calculator


def device_choices():
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    return [("", "—")] + [
        (device.code, device.name_en if english else device.name_ru)
        for device in capacity_calc.catalogue().types
    ]


class DeviceRowForm(forms.Form):
    device_type = forms.ChoiceField(label=_("Device"), required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=100000,
        required=False,
        widget=forms.NumberInput(attrs={"min": "1"}),
    )
    unit_kw = forms.DecimalField(
        label=_("Power of one, kW"),
        required=False,
        min_value=Decimal("0.001"),
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
        help_text=_("Empty: the catalogue value."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device_type"].choices = device_choices()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("device_type") and data.get("unit_kw") is None


DeviceFormSet = forms.formset_factory(DeviceRowForm, extra=0, max_num=100, absolute_max=100)


class CalculatorSupplyForm(forms.Form):
    """The supply the user chooses for the calculation, as the API's `supply` and the command line
    take it: phases (empty: as the thresholds advise) and the nominal phase voltage."""

    phases = forms.TypedChoiceField(
        label=_("Phases"),
        choices=[("", _("As advised")), ("1", _("Single phase")), ("3", _("Three phases"))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A single phase above the advised power is kept, with a notice."),
    )
    voltage_v = forms.TypedChoiceField(
        label=_("Nominal voltage"),
        choices=[("230", _("230/400 V (GOST 29322-2014)")), ("220", _("220/380 V (older networks)"))],
        coerce=int,
        initial="230",
        required=False,
        empty_value=230,
    )
