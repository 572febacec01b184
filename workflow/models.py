"""Data of the workflow: calendar overrides and the versioned rulebook.

The rulebook is history: once a version is in effect (effective_from ≤ today in TIME_ZONE)
its values are never changed or deleted, because applications processed under it keep it.
Changes come as a new version with a later effective date.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.rule_specs import RULE_SPECS, RuleValueError, canonical_value


def local_today() -> date:
    """Today in the portal's time zone (settings.TIME_ZONE), whatever zone is active."""
    return timezone.localdate(timezone=ZoneInfo(settings.TIME_ZONE))


class DayKind(models.TextChoices):
    NON_WORKING = "non_working", _("Non-working day")
    WORKING = "working", _("Working day")
    SHORT_WORKING = "short_working", _("Short working day")


class CalendarDay(models.Model):
    """An exception to the calendar computed from the holidays package: a day a decree makes
    non-working, or working (a transferred weekend), or short. Overrides always win."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The decree or data set this day comes from.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Part of the calendar's cache stamp (see workflow.calendar): always save through the ORM.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"


class Confidence(models.TextChoices):
    FIRM = "firm", _("Firm: several sources agree")
    LIKELY = "likely", _("Likely: secondary sources agree")
    VERIFY = "verify", _("Verify: sources conflict or are old")


class RulebookVersion(models.Model):
    """A set of rule values in effect from a date until the next version's date."""

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("For example 2022-07."))
    effective_from = models.DateField(_("effective from"), unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    source_note = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rulebook version")
        verbose_name_plural = _("rulebook versions")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from.isoformat()})"

    def save(self, *args, **kwargs) -> None:
        if self.is_locked():
            stored = type(self).objects.get(pk=self.pk)
            fields = ("code", "effective_from", "title", "source_note")
            if any(getattr(stored, name) != getattr(self, name) for name in fields):
                raise ValidationError(
                    _("This version is in effect; it cannot be changed. Add a new version instead."),
                    code="rulebook_locked",
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_delete()
        return super().delete(*args, **kwargs)

    def is_in_effect(self, *, today: date | None = None) -> bool:
        """In effect from its date on (later versions supersede it but it stays locked)."""
        return self.effective_from <= (today or local_today())

    def is_locked(self) -> bool:
        """Locked when the stored row is in effect: judged on the database, not on unsaved edits."""
        if self.pk is None:
            return False
        stored = type(self).objects.filter(pk=self.pk).values_list("effective_from", flat=True).first()
        return stored is not None and stored <= local_today()

    def clean(self) -> None:
        if self.is_locked():
            raise ValidationError(
                _("This version is in effect; it cannot be changed. Add a new version instead."),
                code="rulebook_locked",
            )
        # Through the admin a version can only be scheduled: today's rules stay as they were.
        if self.effective_from is not None and self.effective_from <= local_today():
            raise ValidationError(
                {"effective_from": _("A new version takes effect tomorrow at the earliest.")},
                code="effective_from_past",
            )

    def _refuse_delete(self) -> None:
        if self.is_locked():
            raise ValidationError(_("A version that is in effect cannot be deleted."), code="rulebook_locked")


class RuleValue(models.Model):
    """One value of a version. Stored as text in the canonical form of its key's type
    (workflow.rule_specs.RULE_SPECS); Rules turns it into Decimal, int or tuples."""

    version = models.ForeignKey(
        RulebookVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="values"
    )
    key = models.CharField(_("key"), max_length=64)
    value = models.CharField(_("value"), max_length=200)
    confidence = models.CharField(
        _("confidence"), max_length=8, choices=Confidence.choices, default=Confidence.LIKELY
    )
    source_note = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("rule value")
        verbose_name_plural = _("rule values")
        ordering = ["version", "key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="workflow_rulevalue_version_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"

    def save(self, *args, **kwargs) -> None:
        # Adding a missing key to an old version stays possible (a key introduced later, the
        # seed); changing a value that applications were processed under is not.
        if self.pk is not None and self.version.is_locked():
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("key", "value", "confidence", "source_note")
                .first()
            )
            current = {name: getattr(self, name) for name in ("key", "value", "confidence", "source_note")}
            if stored is not None and stored != current:
                raise ValidationError(
                    _("This version is in effect; its values cannot be changed. Add a new version instead."),
                    code="rulebook_locked",
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_delete()
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self.version_id is not None and self.version.is_locked():
            raise ValidationError(
                _("This version is in effect; its values cannot be changed. Add a new version instead."),
                code="rulebook_locked",
            )
        if self.key not in RULE_SPECS:
            raise ValidationError({"key": _("Unknown rule key.")}, code="unknown_key")
        try:
            self.value = canonical_value(self.key, self.value)
        except RuleValueError as exc:
            raise ValidationError({"value": exc.message}, code="invalid_value") from exc

    def _refuse_delete(self) -> None:
        if self.version.is_locked():
            raise ValidationError(
                _("A value of a version that is in effect cannot be deleted."), code="rulebook_locked"
            )


@receiver(pre_delete, sender=RulebookVersion)
@receiver(pre_delete, sender=RuleValue)
def _refuse_locked_delete(sender, instance, **kwargs) -> None:
    """Queryset deletes and cascades skip Model.delete(); pre_delete still sees every row."""
    instance._refuse_delete()


# History of transitions


class ImmutableQuerySet(models.QuerySet):
    """History is evidence: rows are written once and never changed or removed."""

    def update(self, **kwargs):
        raise ValidationError(_("History rows cannot be changed."), code="history_immutable")

    def delete(self):
        raise ValidationError(_("History rows cannot be deleted."), code="history_immutable")


class TransitionLog(models.Model):
    """One row per transition: who (and in which role), when, from, to, comment and data."""

    application = models.ForeignKey(
        settings.WORKFLOW_APPLICATION_MODEL,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="history",
    )
    transition = models.CharField(_("transition"), max_length=32)
    from_state = models.CharField(_("from state"), max_length=20)
    to_state = models.CharField(_("to state"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the portal itself ran the transition (scheduled job)."),
    )
    actor_role = models.CharField(_("role"), max_length=16)
    via = models.CharField(
        _("through integration client"),
        max_length=200,
        blank=True,
        help_text=_("The integration client that ran the transition for the applicant."),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["application", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("History rows cannot be changed."), code="history_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("History rows cannot be deleted."), code="history_immutable")


# Notifications


class Notification(models.Model):
    """An in-app notice to one user, also sent by e-mail; rendered in the recipient's language."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Change of state")
        NEW_WORK = "new_work", _("New work for the branch")
        OVERDUE = "overdue", _("Deadline missed")
        MESSAGE = "message", _("New message")
        REMINDER = "reminder", _("Reminder of a deadline")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    application = models.ForeignKey(
        settings.WORKFLOW_APPLICATION_MODEL,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class OutboxEmail(models.Model):
    """One e-mail to send, written in the same transaction as what caused it (a transition, a
    notice), so that a broker or mail server that is down delays it but never loses it. The task
    queued at commit sends it; the periodic sweep (`workflow.outbox`) sends what that task did not."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="outbox_emails",
        null=True,
        blank=True,
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "id"]
        # The sweep reads the pending rows only.
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
