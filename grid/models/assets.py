"""The asset register: connection points (substations, distribution points, line supports) and
their capacity per voltage level.

Free capacity is ``installed_kw - reserved_kw``; ``reserved_kw`` only changes through
connection.reservations (row-locked, in the transaction of the transition that reserves or releases),
and a database constraint keeps it within ``[0, installed_kw]``, so free capacity never goes below
zero whatever the code does.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grid.models.branches import Branch

KW = {"max_digits": 12, "decimal_places": 2}
COORDINATE = {"max_digits": 9, "decimal_places": 6}


class AssetKind(models.TextChoices):
    SUPPLY_CENTRE = "supply_centre", _("Supply-centre substation 35–110 kV")
    TRANSFORMER_SUBSTATION = "transformer_substation", _("Transformer substation 6–10/0.4 kV")
    DISTRIBUTION_POINT = "distribution_point", _("Distribution point")
    LINE_SUPPORT = "line_support", _("Line support")


class AssetSource(models.TextChoices):
    REAL = "real", _("Real (from a register or open data)")
    GENERATED = "generated", _("Generated for the demonstration")


class GridAsset(models.Model):
    """A facility of the grid organisation that an object can be connected to."""

    kind = models.CharField(_("kind"), max_length=24, choices=AssetKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    dispatch_number = models.CharField(_("dispatch number"), max_length=50, blank=True)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        help_text=_("Identifier in the source data; imports update the asset with the same one."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
        **COORDINATE,
    )
    longitude = models.DecimalField(
        _("longitude"),
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
        **COORDINATE,
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_assets",
    )
    source = models.CharField(
        _("source"), max_length=10, choices=AssetSource.choices, default=AssetSource.REAL
    )
    source_note = models.CharField(_("source note"), max_length=500, blank=True)
    data_date = models.DateField(_("data date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "connection_gridasset"  # the table the model had in the connection app
        verbose_name = _("grid asset")
        verbose_name_plural = _("grid assets")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        label = self.name or self.external_id
        return f"{label} ({self.dispatch_number})" if self.dispatch_number else label


class AssetCapacity(models.Model):
    """Capacity of one asset at one voltage level: a connection point of the nearest lookup."""

    asset = models.ForeignKey(
        GridAsset, verbose_name=_("grid asset"), on_delete=models.CASCADE, related_name="capacities"
    )
    voltage_kv = models.DecimalField(
        _("voltage, kV"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    installed_kw = models.DecimalField(
        _("installed capacity, kW"), validators=[MinValueValidator(Decimal("0"))], **KW
    )
    reserved_kw = models.DecimalField(
        _("reserved capacity, kW"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        **KW,
    )
    free_kw = models.GeneratedField(
        expression=F("installed_kw") - F("reserved_kw"),
        output_field=models.DecimalField(**KW),
        db_persist=True,
        verbose_name=_("free capacity, kW"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "connection_assetcapacity"
        verbose_name = _("capacity of a voltage level")
        verbose_name_plural = _("capacities of voltage levels")
        ordering = ["asset", "-voltage_kv"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "voltage_kv"], name="connection_capacity_asset_voltage"),
            models.CheckConstraint(
                condition=Q(reserved_kw__gte=0) & Q(reserved_kw__lte=F("installed_kw")),
                name="connection_capacity_reserved_within_installed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset} — {self.voltage_kv.normalize():f} kV"
