"""Tariffs of the connection fee (connection-rules.md §4) as data: one row per region, validity
period and applicant group. connection.fees computes the fee from them; nothing in code holds a rate.

Rates are in roubles; ``rates_include_vat`` says whether they already contain VAT, otherwise
``vat_percent`` is added to the total. Demo rows (``is_example``) are illustrations, not the
regional tariff authority's decision.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: ISO 3166-2 code of the region the portal serves by default (Stavropol Krai).
DEFAULT_REGION = "RU-STA"
#: VAT of a tariff that does not state its own (the rate of the Tax Code, art. 164 p. 3).
DEFAULT_VAT_PERCENT = Decimal("20")

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class ApplicantGroup(models.TextChoices):
    HOUSEHOLD = "household", _("Household (individual, own household needs)")
    PRIVILEGED_HOUSEHOLD = "privileged_household", _("Privileged household (regional list of beneficiaries)")
    BUSINESS = "business", _("Business (legal entity or individual entrepreneur)")


class Tariff(models.Model):
    region = models.CharField(
        _("region"), max_length=12, default=DEFAULT_REGION, help_text=_("ISO 3166-2 code, e.g. RU-STA.")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Inclusive; empty: open-ended.")
    )
    applicant_group = models.CharField(_("applicant group"), max_length=24, choices=ApplicantGroup.choices)
    preferential_rate_per_kw = models.DecimalField(
        _("preferential rate, roubles per kW"),
        null=True,
        blank=True,
        help_text=_("Households up to 15 kW within the distance condition."),
        **MONEY,
    )
    privileged_rate_per_kw = models.DecimalField(
        _("privileged-group rate, roubles per kW"), null=True, blank=True, **MONEY
    )
    c1_per_connection = models.DecimalField(
        _("C1, roubles per connection"),
        default=Decimal("0"),
        help_text=_("Issuing and checking the technical conditions."),
        **MONEY,
    )
    c2_per_km_overhead = models.DecimalField(
        _("C2, roubles per km of overhead line"), default=Decimal("0"), **MONEY
    )
    c3_per_km_cable = models.DecimalField(
        _("C3, roubles per km of cable line"), default=Decimal("0"), **MONEY
    )
    metering_cost = models.DecimalField(_("metering, roubles per connection"), default=Decimal("0"), **MONEY)
    rates_include_vat = models.BooleanField(_("rates include VAT"), default=True)
    vat_percent = models.DecimalField(
        _("VAT, %"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_VAT_PERCENT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    source_note = models.CharField(_("source"), max_length=500, blank=True)
    is_example = models.BooleanField(
        _("example (demo) tariff"),
        default=False,
        help_text=_("Set for illustrative rates that are not a tariff authority's decision."),
    )

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["region", "applicant_group", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "applicant_group", "valid_from"], name="connection_tariff_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="connection_tariff_period",
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        example = f" ({_('example')})" if self.is_example else ""
        return (
            f"{self.region} {self.get_applicant_group_display()} {self.valid_from.isoformat()}–{end}{example}"
        )

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {"valid_to": ValidationError(_("The end precedes the start."), code="invalid_period")}
            )
        if not (self.valid_from and self.applicant_group and self.region):
            return
        overlapping = Tariff.objects.filter(region=self.region, applicant_group=self.applicant_group).exclude(
            pk=self.pk
        )
        overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
        if self.valid_to:
            overlapping = overlapping.filter(valid_from__lte=self.valid_to)
        if overlapping.exists():
            raise ValidationError(
                {
                    "valid_from": ValidationError(
                        _("Another tariff of this region and group is valid in this period."), code="overlap"
                    )
                }
            )
