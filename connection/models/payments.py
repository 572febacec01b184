"""Money: the grid organisation's requisites (a company default and optional per-branch
overrides), the invoices issued with the offer, and the bank statements whose lines pay them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from connection import validators
from connection.models.requests import ConnectionRequest
from grid.models import Branch

MONEY = {"max_digits": 14, "decimal_places": 2}


class Requisites(models.Model):
    """Payment requisites. The row without a branch is the company's default and must be complete;
    a branch's row overrides only the fields it fills (a branch usually has its own KPP and
    settlement account, the rest is the company's)."""

    #: Fields a branch may override; the default row fills them all (address may stay blank nowhere).
    FIELDS = (
        "name",
        "inn",
        "kpp",
        "ogrn",
        "bank_name",
        "bic",
        "correspondent_account",
        "settlement_account",
        "address",
    )

    branch = models.OneToOneField(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requisites",
        help_text=_("Empty: the company's default requisites. A branch's row overrides the fields it fills."),
    )
    name = models.CharField(_("payee name"), max_length=160, blank=True)
    inn = models.CharField(_("INN"), max_length=10, blank=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN"), max_length=13, blank=True)
    bank_name = models.CharField(_("bank"), max_length=160, blank=True)
    bic = models.CharField(_("BIC"), max_length=9, blank=True)
    correspondent_account = models.CharField(_("correspondent account"), max_length=20, blank=True)
    settlement_account = models.CharField(_("settlement account"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_example = models.BooleanField(
        _("example values"),
        default=False,
        help_text=_("Demo requisites: invoices say they are an example and must not be paid."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment requisites")
        verbose_name_plural = _("payment requisites")
        constraints = [
            # One row without a branch: NULLs never collide in a plain unique index.
            models.UniqueConstraint(
                Coalesce(models.F("branch"), models.Value(0)), name="connection_one_default_requisites"
            ),
        ]

    def __str__(self) -> str:
        return str(self.branch) if self.branch_id else str(_("Company default"))

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        if self.branch_id is None:
            for name in self.FIELDS:
                if not (getattr(self, name) or "").strip():
                    errors.setdefault(name, []).append(
                        ValidationError(
                            _("The company's default requisites need every field."), code="required"
                        )
                    )
        checks = {
            "inn": lambda value: validators.validate_inn(value, length=10),
            "kpp": validators.validate_kpp,
            "ogrn": lambda value: validators.validate_ogrn(value, length=13),
            "bic": validators.validate_bic,
        }
        for name, check in checks.items():
            value = getattr(self, name)
            if value:
                try:
                    setattr(self, name, check(value))
                except ValidationError as error:
                    errors.setdefault(name, []).extend(error.error_list)
        if self.settlement_account or self.correspondent_account:
            bic = self.bic or self._default_bic()
            for name, check in (
                ("settlement_account", validators.validate_settlement_account),
                ("correspondent_account", validators.validate_correspondent_account),
            ):
                value = getattr(self, name)
                if value:
                    try:
                        setattr(self, name, check(value, bic=bic))
                    except ValidationError as error:
                        errors.setdefault(name, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)

    def _default_bic(self) -> str:
        default = Requisites.objects.filter(branch__isnull=True).exclude(pk=self.pk).first()
        return default.bic if default else ""


class Invoice(models.Model):
    """An invoice for the connection fee, issued with the offer. Its requisites are copied when it is
    issued, so a later change in the admin does not alter an invoice the applicant holds."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting payment")
        PAID = "paid", _("Paid")

    application = models.ForeignKey(
        ConnectionRequest,
        verbose_name=_("connection request"),
        on_delete=models.CASCADE,
        related_name="invoices",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    due_date = models.DateField(_("pay by"))
    amount_rub = models.DecimalField(_("amount due, roubles"), validators=[MinValueValidator(0)], **MONEY)
    purpose = models.CharField(_("purpose of payment"), max_length=210)
    requisites = models.JSONField(_("payee requisites"), default=dict)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number


class BankStatement(models.Model):
    """A bank statement imported by branch staff or by the bank integration's command. Its lines are
    matched only to invoices of its branch (no branch: every branch)."""

    class Format(models.TextChoices):
        CLIENT_BANK = "1c", _("1CClientBankExchange")
        CSV = "csv", _("CSV")

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class StatementLine(models.Model):
    """One incoming payment of a statement. The fingerprint (date, number, amount, payer, purpose)
    is unique: a line seen again in a later import is not recorded twice."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Matched: payment recorded")
        PARTIAL = "partial", _("Less than the invoice")
        OVERPAID = "overpaid", _("More than the invoice")
        UNMATCHED = "unmatched", _("No invoice found")
        RESOLVED = "resolved", _("Matched by a person")
        REJECTED = "rejected", _("Rejected by a person")

    #: Lines waiting for a person.
    OPEN_STATUSES = (Status.PARTIAL, Status.OVERPAID, Status.UNMATCHED)

    statement = models.ForeignKey(
        BankStatement, verbose_name=_("bank statement"), on_delete=models.CASCADE, related_name="lines"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    document_number = models.CharField(_("payment order No."), max_length=40, blank=True)
    paid_on = models.DateField(_("payment date"))
    amount_rub = models.DecimalField(_("amount, roubles"), **MONEY)
    payer_name = models.CharField(_("payer"), max_length=300, blank=True)
    payer_inn = models.CharField(_("payer's INN"), max_length=12, blank=True)
    payer_account = models.CharField(_("payer's account"), max_length=20, blank=True)
    purpose = models.TextField(_("purpose of payment"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("invoice"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statement_lines",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.paid_on:%d.%m.%Y} {self.amount_rub} {self.payer_name}"
