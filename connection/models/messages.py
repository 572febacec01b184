"""Message threads between an applicant and the grid organisation, with attachments.

A message belongs to an application's thread, or — with no application — is a general question
routed to a branch by the location given."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connection.models.requests import ConnectionRequest
from grid.models import Branch

MESSAGE_MAX_LENGTH = 4000
MAX_ATTACHMENTS = 5


class Side(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    GRID = "grid", _("Grid organisation")


def attachment_path(instance: MessageAttachment, filename: str) -> str:
    # A random name: the sender's file name is kept only as metadata, never as a path.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"messages/{instance.message_id}/{uuid.uuid4().hex}.{extension}"


class Message(models.Model):
    request = models.ForeignKey(
        ConnectionRequest,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="messages",
        null=True,
        blank=True,
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="messages",
        null=True,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    author_side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    text = models.TextField(_("text"), max_length=MESSAGE_MAX_LENGTH)
    # General questions only: where the question is about
    address = models.CharField(_("address"), max_length=500, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_by_applicant_at = models.DateTimeField(_("read by the applicant at"), null=True, blank=True)
    read_by_grid_at = models.DateTimeField(_("read by the grid organisation at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_question(self) -> bool:
        return self.request_id is None


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return self.original_name
