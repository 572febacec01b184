"""Integration clients, their keys, the authority applicants give them, idempotency records and
webhooks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Keys a client may hold active at once: the current one and its replacement during rotation.
MAX_ACTIVE_KEYS = 2


class IntegrationClient(models.Model):
    """A third-party system (an installer, an MFC, a developer's CRM), managed by administrators."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    organisation = models.CharField(_("organisation"), max_length=300)
    contact_email = models.EmailField(
        _("contact e-mail"), help_text=_("Told when webhooks are disabled after persistent failures.")
    )
    # The account the client acts as when it acts for nobody (its own feed, webhooks, agent view).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        on_delete=models.PROTECT,
        related_name="integration_client",
        editable=False,
    )
    rate_limit = models.CharField(
        _("rate limit"),
        max_length=20,
        default="600/min",
        help_text=_("Requests per second, minute, hour or day, e.g. 600/min."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people of the organisation"),
        blank=True,
        related_name="integration_memberships",
        help_text=_("They see the applications the client acts for on the page /agent/."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("integration client")
        verbose_name_plural = _("integration clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientKey(models.Model):
    """An API key of a client. Only its SHA-256 digest is stored; the key is shown once."""

    client = models.ForeignKey(
        IntegrationClient, verbose_name=_("client"), on_delete=models.CASCADE, related_name="keys"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16)
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("client key")
        verbose_name_plural = _("client keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client})"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class Authority(models.Model):
    """An applicant's consent or power of attorney for a client: which scopes, until when, on
    which document. Checked on every call; the applicant revokes it from their account."""

    client = models.ForeignKey(
        IntegrationClient, verbose_name=_("client"), on_delete=models.CASCADE, related_name="authorities"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        related_name="integration_authorities",
    )
    scopes = models.JSONField(_("scopes"), default=list)
    valid_until = models.DateField(_("valid until"))
    document = models.CharField(
        _("document"),
        max_length=300,
        help_text=_("The consent or power of attorney: its kind, number and date."),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    # Asked for by the client for a new customer: until the customer confirms from the e-mailed
    # link, the client prepares drafts but runs no transition for them.
    confirmed_at = models.DateTimeField(_("confirmed by the applicant at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "applicant"],
                condition=models.Q(revoked_at__isnull=True),
                name="integration_one_live_authority",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.applicant}"

    def is_active(self, today=None) -> bool:
        return self.revoked_at is None and self.valid_until >= (today or timezone.localdate())

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyRecord(models.Model):
    """The stored answer to a POST with an Idempotency-Key, replayed for 24 hours."""

    principal = models.CharField(_("caller"), max_length=100)
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=500, blank=True)
    body = models.BinaryField(_("body"), default=b"")

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="integration_idempotency_key")
        ]

    def __str__(self) -> str:
        return self.key


class WebhookSubscription(models.Model):
    client = models.ForeignKey(
        IntegrationClient, verbose_name=_("client"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    event_kinds = models.JSONField(_("event kinds"), default=list)
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    # Events up to this feed position have been given their deliveries (from the creation on).
    fanned_out_to = models.BigIntegerField(_("deliveries made up to position"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.client}: {self.url}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed for good")

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="integration_one_delivery")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription}"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per try, with the receiver's answer."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="log"
    )
    attempted_at = models.DateTimeField(_("attempted at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.status_code or self.error}"
