"""Consumers' reports (outage, voltage, equipment defects), the incidents they are grouped into,
their photos, the history of every status change and the canned answers of the branches."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    OUTAGE = "outage", _("No electricity")
    LOW_VOLTAGE = "low_voltage", _("Low voltage")
    VOLTAGE_FLUCTUATIONS = "voltage_fluctuations", _("Voltage fluctuations")
    EQUIPMENT_DEFECT = "equipment_defect", _("Equipment defect")


class DefectKind(models.TextChoices):
    FALLEN_POLE = "fallen_pole", _("Fallen or leaning pole")
    WIRE_DOWN = "wire_down", _("Wire down")
    SPARKING = "sparking", _("Sparking")
    OPEN_CABINET = "open_cabinet", _("Open cabinet or substation door")
    OTHER = "other", _("Other defect")


#: Dangerous to life: the page shows the emergency number first and the report is urgent.
URGENT_DEFECTS = frozenset({DefectKind.WIRE_DOWN, DefectKind.SPARKING})


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Investigating")
    PLANNED = "planned", _("Repair planned")
    FIXED = "fixed", _("Fixed")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    DUPLICATE = "duplicate", _("Duplicate")


#: An answer to the reporter: the fix, a concrete date, or why nothing is to be done.
ANSWER_STATUSES = frozenset({Status.PLANNED, Status.FIXED, Status.NOT_CONFIRMED, Status.DUPLICATE})
CLOSED_STATUSES = frozenset({Status.FIXED, Status.NOT_CONFIRMED, Status.DUPLICATE})


def _private_token() -> str:
    return secrets.token_urlsafe(24)


class Incident(models.Model):
    """Reports of one kind close in space and time: one problem on the grid, answered once."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ReportKind.choices)
    defect_kind = models.CharField(_("defect"), max_length=16, choices=DefectKind.choices, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    branch = models.ForeignKey(
        "grid.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="incidents"
    )
    area = models.CharField(_("area"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    started_at = models.DateTimeField(_("since"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    planned_fix_date = models.DateField(_("expected fix"), null=True, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    due_date = models.DateField(_("answer due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_incidents",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["branch", "status", "due_date"])]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class Report(models.Model):
    """One person's report. Anonymous reports wait for the e-mailed confirmation before they reach
    the branch; reports from an account or an Open311 client are confirmed at once."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        OPEN311 = "open311", _("Open311 client")

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    private_token = models.CharField(max_length=64, unique=True, default=_private_token, editable=False)
    confirmation_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    open311_key = models.ForeignKey(
        "appeals.Open311Key", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )

    kind = models.CharField(_("kind"), max_length=24, choices=ReportKind.choices)
    defect_kind = models.CharField(_("defect"), max_length=16, choices=DefectKind.choices, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    settlement = models.CharField(_("settlement"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"))
    description = models.TextField(_("description"), blank=True)
    media_url = models.URLField(_("photo link"), max_length=500, blank=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    contact_name = models.CharField(_("name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ru")

    branch = models.ForeignKey(
        "grid.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="reports"
    )
    territory = models.ForeignKey(
        "grid.Territory", verbose_name=_("territory"), on_delete=models.SET_NULL, null=True, blank=True
    )
    routing_method = models.CharField(_("routing"), max_length=16)
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    planned_fix_date = models.DateField(_("expected fix"), null=True, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    due_date = models.DateField(_("answer due"))
    rulebook_version_id = models.PositiveIntegerField(_("rulebook version"))
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["branch", "status", "due_date"])]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def photo_path(instance: ReportPhoto, filename: str) -> str:
    return f"reports/{instance.report_id}/{uuid.uuid4().hex}-{filename}"


def public_photo_path(instance: ReportPhoto, filename: str) -> str:
    return f"reports/{instance.report_id}/public/{uuid.uuid4().hex}-{filename}"


class ReportPhoto(models.Model):
    """The photo as uploaded (for the branch) and its copy without metadata (shown publicly)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_path, max_length=300)
    public_file = models.FileField(_("public copy"), upload_to=public_photo_path, max_length=300)
    name = models.CharField(_("name"), max_length=160)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class StatusEntry(models.Model):
    """One immutable line of history of an incident or a report."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Report received")
        CONFIRMED = "confirmed", _("Report confirmed")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        MERGED = "merged", _("Incidents merged")
        SPLIT = "split", _("Report split off")
        OVERDUE = "overdue", _("Answer overdue")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="history"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    planned_fix_date = models.DateField(_("expected fix"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"


class CannedAnswer(models.Model):
    """A ready answer an engineer picks and adapts; `branch` empty: every branch may use it."""

    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    text = models.TextField(_("text"))
    branch = models.ForeignKey(
        "grid.Branch", verbose_name=_("branch"), on_delete=models.CASCADE, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
