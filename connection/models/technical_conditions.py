"""The technical conditions (технические условия) issued with the offer, as structured data: the
PDF, the API and the engineer's page all read these fields, never a free text."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from connection.models.requests import KW, ConnectionRequest, ReliabilityCategory, VoltageLevel
from grid.models import AssetCapacity


class TechnicalConditions(models.Model):
    request = models.OneToOneField(
        ConnectionRequest,
        verbose_name=_("connection request"),
        on_delete=models.CASCADE,
        related_name="technical_conditions",
    )
    number = models.CharField(_("number"), max_length=40)
    connection_point = models.CharField(_("connection point"), max_length=200)
    connection_capacity = models.ForeignKey(
        AssetCapacity,
        verbose_name=_("connection point of the register"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    max_power_kw = models.DecimalField(_("maximum power, kW"), validators=[MinValueValidator(0)], **KW)
    voltage_level = models.CharField(_("voltage"), max_length=4, choices=VoltageLevel.choices)
    reliability_category = models.CharField(
        _("reliability category"), max_length=3, choices=ReliabilityCategory.choices
    )
    grid_measures = models.TextField(_("measures of the grid organisation"))
    applicant_measures = models.TextField(_("measures of the applicant"))
    metering_requirements = models.TextField(_("metering requirements"))
    other_conditions = models.TextField(_("other conditions"), blank=True)
    validity_years = models.PositiveSmallIntegerField(_("validity, years"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    #: What the conditions say, in the order the pages and the API show it.
    CONTENT_FIELDS = (
        "connection_point",
        "max_power_kw",
        "voltage_level",
        "reliability_category",
        "grid_measures",
        "applicant_measures",
        "metering_requirements",
        "other_conditions",
        "validity_years",
        "issued_on",
        "valid_until",
    )

    class Meta:
        verbose_name = _("technical conditions")
        verbose_name_plural = _("technical conditions")

    def __str__(self) -> str:
        return self.number
