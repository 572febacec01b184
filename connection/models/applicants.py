"""Applicants: the person or organisation that applies, with validated identity fields."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from connection import validators


class ApplicantType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual (household needs)")
    ENTREPRENEUR = "entrepreneur", _("Individual entrepreneur")
    LEGAL_ENTITY = "legal_entity", _("Legal entity")


# Digits of INN and OGRN per applicant type.
INN_LENGTH = {ApplicantType.INDIVIDUAL: 12, ApplicantType.ENTREPRENEUR: 12, ApplicantType.LEGAL_ENTITY: 10}
OGRN_LENGTH = {ApplicantType.ENTREPRENEUR: 15, ApplicantType.LEGAL_ENTITY: 13}


class Applicant(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="applicants"
    )
    applicant_type = models.CharField(_("applicant type"), max_length=16, choices=ApplicantType.choices)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=150, blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=300, blank=True)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    ogrn = models.CharField(_("OGRN / OGRNIP"), max_length=15, blank=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    snils = models.CharField(_("SNILS"), max_length=11, blank=True)
    passport_series = models.CharField(_("passport series"), max_length=4, blank=True)
    passport_number = models.CharField(_("passport number"), max_length=6, blank=True)
    passport_issued_by = models.CharField(_("passport issued by"), max_length=300, blank=True)
    passport_issued_on = models.DateField(_("passport issued on"), null=True, blank=True)
    registration_address = models.CharField(_("registration or legal address"), max_length=500, blank=True)
    postal_address = models.CharField(_("postal address"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validators.validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    representative_name = models.CharField(_("representative"), max_length=300, blank=True)
    power_of_attorney_number = models.CharField(_("power of attorney number"), max_length=64, blank=True)
    power_of_attorney_date = models.DateField(_("power of attorney date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["inn"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.applicant_type == ApplicantType.LEGAL_ENTITY:
            return self.organisation_name
        name = " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)
        if self.applicant_type == ApplicantType.ENTREPRENEUR:
            return _("IE %(name)s") % {"name": name}
        return name

    @property
    def is_person(self) -> bool:
        return self.applicant_type in (ApplicantType.INDIVIDUAL, ApplicantType.ENTREPRENEUR)

    @property
    def has_representative(self) -> bool:
        return bool(self.representative_name or self.power_of_attorney_number or self.power_of_attorney_date)

    def clean(self) -> None:
        """Identity fields that are given must be valid and fit the applicant type; what is still
        missing is reported by the completeness check, not here (drafts may be partial)."""
        errors: dict[str, list[ValidationError]] = {}

        def check(field: str, func, *args, **kwargs) -> None:
            value = getattr(self, field)
            if not value:
                return
            try:
                setattr(self, field, func(value, *args, **kwargs))
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.error_list)

        kind = self.applicant_type
        check("inn", validators.validate_inn, length=INN_LENGTH.get(kind))
        if kind == ApplicantType.INDIVIDUAL and self.ogrn:
            errors.setdefault("ogrn", []).append(
                ValidationError(
                    _("An individual has no OGRN; apply as an entrepreneur."), code="not_applicable"
                )
            )
        else:
            check("ogrn", validators.validate_ogrn, length=OGRN_LENGTH.get(kind))
        if self.kpp and kind != ApplicantType.LEGAL_ENTITY:
            errors.setdefault("kpp", []).append(
                ValidationError(_("Only a legal entity has a KPP."), code="not_applicable")
            )
        else:
            check("kpp", validators.validate_kpp)
        check("snils", validators.validate_snils)
        if self.phone:
            # The field's validator reports a wrong number; a right one is stored in one form.
            with contextlib.suppress(ValidationError):
                self.phone = validators.validate_phone(self.phone)
        check("passport_series", validators.validate_passport_series)
        check("passport_number", validators.validate_passport_number)

        if kind == ApplicantType.LEGAL_ENTITY:
            if not self.organisation_name:
                errors.setdefault("organisation_name", []).append(
                    ValidationError(_("Enter the name of the organisation."), code="required")
                )
        elif kind:
            for field in ("last_name", "first_name"):
                if not getattr(self, field):
                    errors.setdefault(field, []).append(
                        ValidationError(_("This field is required."), code="required")
                    )
        if errors:
            raise ValidationError(errors)


#: What an applicant's owner edits: the service, the API serializer and the web form use this list.
APPLICANT_FIELDS = [
    field.name
    for field in Applicant._meta.local_concrete_fields
    if field.editable and field.name not in ("id", "owner", "created_at", "updated_at")
]
