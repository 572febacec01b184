"""API keys of the Open311 GeoReport endpoint (POST needs one). Only the key's SHA-256 digest is
stored; the key is shown once, when an administrator creates it."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Open311Key(models.Model):
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who uses the key (a system, a city app).")
    )
    digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, name: str) -> tuple[Open311Key, str]:
        """A new key row and the key itself (not stored: show it once)."""
        key = secrets.token_urlsafe(32)
        row = cls.objects.create(name=name, digest=key_digest(key), prefix=key[:8])
        return row, key
