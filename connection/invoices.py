"""Invoices for the connection fee and their payment QR code (ГОСТ Р 56042-2014, "ST00012": the
format every Russian banking app reads). The payee's requisites are the company's default with the
branch's overrides (connection.models.Requisites), copied into the invoice when it is issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import segno
from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from connection.models import ConnectionRequest, DocumentType, Invoice, PaymentOption, Requisites
from workflow import deadlines
from workflow.selectors import rules_for
from workflow.states import State

#: ГОСТ Р 56042-2014: format identifier "ST0001" and the encoding "2" (UTF-8).
QR_HEADER = "ST00012"
QR_SEPARATOR = "|"
#: The longest purpose of payment the standard (and the payment order) allows.
PURPOSE_MAX_LENGTH = 210


def requisites_for(branch_id: int | None) -> dict[str, object] | None:
    """The requisites that apply to a branch: the company's default, each field the branch fills
    taking its place. None when the company's default is not entered."""
    default = Requisites.objects.filter(branch__isnull=True).first()
    if default is None:
        return None
    merged: dict[str, object] = {name: getattr(default, name) for name in Requisites.FIELDS}
    merged["is_example"] = default.is_example
    override = Requisites.objects.filter(branch_id=branch_id).first() if branch_id else None
    if override is not None:
        for name in Requisites.FIELDS:
            if getattr(override, name):
                merged[name] = getattr(override, name)
        merged["is_example"] = default.is_example or override.is_example
    return merged


def amount_due_now(application: ConnectionRequest) -> Decimal | None:
    """The whole fee, or with instalments the part that is not spread out (the rulebook's share)."""
    if application.fee_rub is None:
        return None
    if application.payment_option == PaymentOption.INSTALMENTS:
        share = rules_for(application).instalment_share_percent
        return (application.fee_rub * (100 - share) / 100).quantize(Decimal("0.01"))
    return application.fee_rub


def payment_due_date(application: ConnectionRequest, *, offered_on: date) -> date:
    """The last day to pay an offer made on `offered_on` (the workflow's deadline of the step)."""
    step = deadlines.step(
        State.OFFER_ISSUED,
        rules=rules_for(application),
        started_on=offered_on,
        complete_since=None,
        contract_date=None,
        facts=application.term_facts(),
    )
    return step.due or offered_on


def _purpose(*, invoice_number: str, application: ConnectionRequest) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the bank and the payer read it
        text = _(
            "Fee for technological connection under invoice No. %(invoice)s, application No. %(application)s"
        ) % {"invoice": invoice_number, "application": application.number or application.pk}
    return text[:PURPOSE_MAX_LENGTH]


def issue_invoice(*, application: ConnectionRequest, issued_on: date) -> Invoice | None:
    """The invoice for the fee due now; call inside the issue_offer transaction. None when no fee
    is due (a free connection)."""
    amount = amount_due_now(application)
    if amount is None or amount <= 0:
        return None
    sequence = application.invoices.count() + 1
    number = f"{application.number or application.pk}-{sequence}"
    return Invoice.objects.create(
        application=application,
        number=number,
        issued_on=issued_on,
        due_date=payment_due_date(application, offered_on=issued_on),
        amount_rub=amount,
        purpose=_purpose(invoice_number=number, application=application),
        requisites=requisites_for(application.branch_id) or {},
    )


def current_invoice(application: ConnectionRequest) -> Invoice | None:
    return application.invoices.order_by("-issued_on", "-id").first()


def _field(value: object) -> str:
    # The separator and line breaks cannot occur inside a value.
    return " ".join(str(value).replace(QR_SEPARATOR, "/").split())


def qr_payload(invoice: Invoice) -> str | None:
    """The ST00012 string of the invoice; None when its requisites are missing."""
    requisites = invoice.requisites
    if not requisites:
        return None
    kopecks = int((invoice.amount_rub * 100).to_integral_value())
    fields = [
        ("Name", requisites["name"]),
        ("PersonalAcc", requisites["settlement_account"]),
        ("BankName", requisites["bank_name"]),
        ("BIC", requisites["bic"]),
        ("CorrespAcc", requisites["correspondent_account"]),
        ("PayeeINN", requisites["inn"]),
        ("KPP", requisites["kpp"]),
        ("Sum", kopecks),
        ("Purpose", invoice.purpose),
    ]
    return QR_SEPARATOR.join([QR_HEADER, *(f"{key}={_field(value)}" for key, value in fields)])


def qr_code(payload: str) -> segno.QRCode:
    # Level M: what banking apps expect on paper; segno picks the version that fits.
    return segno.make_qr(payload, error="m", encoding="utf-8")


def qr_svg(payload: str) -> SafeString:
    """Inline SVG markup of the code (no script, no style attribute: the CSP allows it). Safe: segno
    writes only the modules' path and the fixed title, never the payload's text."""
    return mark_safe(qr_code(payload).svg_inline(border=4, omitsize=True, title=_("Payment QR code")))  # noqa: S308


@dataclass(frozen=True)
class PaymentInstructions:
    """What the applicant needs to pay: the invoice, the payee, the code and the deadline."""

    invoice: Invoice
    requisites: dict[str, object]
    qr_payload: str | None
    invoice_document_id: int | None
    due_date: date
    annulment_on: date  # the first day the unpaid application is annulled


def payment_instructions(application: ConnectionRequest) -> PaymentInstructions | None:
    """For an offer waiting for payment; None in any other state or without an invoice."""
    if application.state != State.OFFER_ISSUED:
        return None
    invoice = current_invoice(application)
    if invoice is None or invoice.status != Invoice.Status.OPEN:
        return None
    document = application.documents.filter(doc_type=DocumentType.INVOICE).order_by("id").first()
    due = application.due_date or invoice.due_date
    return PaymentInstructions(
        invoice=invoice,
        requisites=invoice.requisites,
        qr_payload=qr_payload(invoice),
        invoice_document_id=document.pk if document else None,
        due_date=due,
        annulment_on=due + timedelta(days=1),
    )
