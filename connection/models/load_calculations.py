"""Load calculations applied to an application: what was entered and the calculator's result with
its trace, kept so that the engineer sees how the requested power was arrived at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connection.models.requests import KW, ConnectionRequest


class LoadCalculation(models.Model):
    request = models.ForeignKey(
        ConnectionRequest,
        verbose_name=_("connection request"),
        on_delete=models.CASCADE,
        related_name="load_calculations",
    )
    method = models.CharField(_("method"), max_length=16)
    design_kw = models.DecimalField(_("design power, kW"), **KW)
    input = models.JSONField(_("input"))
    result = models.JSONField(_("result with its trace"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("load calculation")
        verbose_name_plural = _("load calculations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.request} — {self.design_kw} kW"
