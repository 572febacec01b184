"""Reservations of a connection point's capacity by applications."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connection.models.requests import ConnectionRequest
from grid.models import AssetCapacity
from grid.models.assets import KW


class Reservation(models.Model):
    """Capacity of a connection point held for one application; released (not deleted) when the
    application is annulled, withdrawn or rejected, so the history stays traceable."""

    capacity = models.ForeignKey(
        AssetCapacity,
        verbose_name=_("connection point"),
        on_delete=models.PROTECT,
        related_name="reservations",
    )
    application = models.ForeignKey(
        ConnectionRequest,
        db_column="request_id",  # the column's name before the field was renamed
        verbose_name=_("connection request"),
        on_delete=models.PROTECT,
        related_name="reservations",
    )
    kw = models.DecimalField(_("reserved power, kW"), validators=[MinValueValidator(Decimal("0.01"))], **KW)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("capacity reservation")
        verbose_name_plural = _("capacity reservations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kw__gt=0), name="connection_reservation_kw_positive"),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(released_at__isnull=True),
                name="connection_one_active_reservation_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} → {self.capacity}: {self.kw} kW"

    @property
    def is_active(self) -> bool:
        return self.released_at is None
