"""One row per domain event (the outbox), written in the transaction of the change.

`position` orders the feed. It is given after commit by `services.sequence_pending`, one sequencer
at a time, so positions follow the order in which events became visible: a transaction that
commits late gets a later position than rows already read, and a reader paging by position never
skips a row. `id` alone would not do: ids are taken at insert, and transactions commit out of
id order.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    APPLICATION_SUBMITTED = "application.submitted", _("Application submitted")
    APPLICATION_STATE_CHANGED = "application.state_changed", _("Application state changed")
    STEP_OVERDUE = "step.overdue", _("Step overdue")
    MESSAGE_CREATED = "message.created", _("Message created")
    DOCUMENT_ISSUED = "document.issued", _("Document issued")
    PAYMENT_RECORDED = "payment.recorded", _("Payment recorded")


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    application_id = models.BigIntegerField(_("application"), null=True, blank=True, db_index=True)
    # The applicant the event concerns: integration clients see the events of the applicants they act for.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    via = models.CharField(_("through integration client"), max_length=200, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    position = models.BigIntegerField(_("position in the feed"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], name="events_unsequenced", condition=models.Q(position__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
