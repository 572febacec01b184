"""Documents of a connection request. A corrected document is a new version; old versions stay."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connection.models.requests import ConnectionRequest


class DocumentType(models.TextChoices):
    LOCATION_PLAN = "location_plan", _("Plan of the location of the power-receiving devices")
    TITLE_TO_PLOT = "title_to_plot", _("Title to the plot or building")
    PASSPORT = "passport", _("Copy of the passport")
    POWER_OF_ATTORNEY = "power_of_attorney", _("Power of attorney of the representative")
    CONSENT = "consent", _("Consent (managing organisation, owner of the network)")
    OTHER = "other", _("Other")
    # Issued by the grid organisation (generated PDFs), never uploaded by applicants
    TECHNICAL_CONDITIONS = "technical_conditions", _("Technical conditions")
    OFFER = "offer", _("Contract offer")
    INVOICE = "invoice", _("Invoice")
    CONNECTION_NOTICE = "connection_notice", _("Notice that the connection is ensured")
    CONNECTION_ACT = "connection_act", _("Act of connection")


#: Types the grid organisation issues; applicants may upload only the other types.
ISSUED_DOCUMENT_TYPES = frozenset(
    {
        DocumentType.TECHNICAL_CONDITIONS,
        DocumentType.OFFER,
        DocumentType.INVOICE,
        DocumentType.CONNECTION_NOTICE,
        DocumentType.CONNECTION_ACT,
    }
)
APPLICANT_DOCUMENT_CHOICES = [
    (value, label) for value, label in DocumentType.choices if value not in ISSUED_DOCUMENT_TYPES
]


def document_path(instance: DocumentVersion, filename: str) -> str:
    # A random name: the applicant's file name is kept only as metadata, never as a path.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"documents/{instance.document.request_id}/{uuid.uuid4().hex}.{extension}"


class Document(models.Model):
    request = models.ForeignKey(ConnectionRequest, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=24, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["request", "doc_type", "id"]

    def __str__(self) -> str:
        return self.title or self.get_doc_type_display()


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=64)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="connection_document_version")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.version}"
