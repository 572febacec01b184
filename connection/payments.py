"""Payments from bank statements: import a statement, match its lines to open invoices and record
the payment through the workflow's `record_payment` transition with the line as evidence; lines that
do not match fully wait for a person to match or reject them.

A full match needs exactly one open invoice whose application number is named in the purpose, the
same amount and, when both are known, the same INN of the payer and the applicant. The portal then
records the payment itself (the scheduled-job actor), citing the statement line. Every line is
stored once (its fingerprint is unique), so importing a statement again records nothing twice."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.exceptions import ActionForbidden, ObjectMissing, StateConflict
from backend.users.models import User
from connection import selectors
from connection.bank_statements import StatementEntry, StatementFormatError, parse_statement
from connection.models import BankStatement, ConnectionRequest, Invoice, StatementLine
from connection.workflow_actions import perform_transition
from grid.models import Branch
from workflow.exceptions import TransitionError
from workflow.states import State

#: An application number as payers write it: ТП-2026-000123, TP 2026/000123, 2026-000123 …
APPLICATION_NUMBER_RE = re.compile(r"(?<!\d)(20\d{2})\s*[-–/ ]\s*(\d{6})(?!\d)")
NUMBER_PREFIX = "ТП"


def application_numbers(purpose: str) -> list[str]:
    """The application numbers a purpose of payment names, in the portal's spelling."""
    found = [
        f"{NUMBER_PREFIX}-{year}-{serial}" for year, serial in APPLICATION_NUMBER_RE.findall(purpose or "")
    ]
    return list(dict.fromkeys(found))


@dataclass
class ImportResult:
    statement: BankStatement | None  # None: nothing new in the file, no statement stored
    new_lines: int = 0
    matched: int = 0
    needs_attention: int = 0
    already_imported: int = 0
    outgoing: int = 0
    lines: list[StatementLine] = field(default_factory=list)


def _open_invoices(branch_id: int | None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(
        status=Invoice.Status.OPEN, application__state=State.OFFER_ISSUED
    ).select_related("application", "application__applicant")
    return invoices.filter(application__branch_id=branch_id) if branch_id else invoices


def _applicant_inn(application: ConnectionRequest) -> str:
    snapshot = application.applicant_snapshot or {}
    return str(snapshot.get("inn") or (application.applicant.inn if application.applicant_id else "") or "")


def match(entry: StatementEntry | StatementLine, *, branch_id: int | None) -> tuple[str, Invoice | None, str]:
    """(status, invoice, note) for a payment: MATCHED only when everything agrees."""
    numbers = application_numbers(entry.purpose)
    if not numbers:
        return StatementLine.Status.UNMATCHED, None, _("The purpose names no application number.")
    candidates = list(
        _open_invoices(branch_id).filter(application__number__in=numbers).order_by("-issued_on", "-id")
    )
    applications = {invoice.application_id for invoice in candidates}
    if not candidates:
        return (
            StatementLine.Status.UNMATCHED,
            None,
            _("No open invoice of application %(numbers)s.") % {"numbers": ", ".join(numbers)},
        )
    if len(applications) > 1:
        return (
            StatementLine.Status.UNMATCHED,
            None,
            _("The purpose names several applications with open invoices."),
        )
    invoice = candidates[0]
    applicant_inn = _applicant_inn(invoice.application)
    if entry.payer_inn and applicant_inn and entry.payer_inn != applicant_inn:
        return (
            StatementLine.Status.UNMATCHED,
            invoice,
            _("The payer's INN %(payer)s is not the applicant's %(applicant)s.")
            % {"payer": entry.payer_inn, "applicant": applicant_inn},
        )
    if entry.amount_rub < invoice.amount_rub:
        return (
            StatementLine.Status.PARTIAL,
            invoice,
            _("Less than the invoice of %(amount)s roubles.") % {"amount": invoice.amount_rub},
        )
    if entry.amount_rub > invoice.amount_rub:
        return (
            StatementLine.Status.OVERPAID,
            invoice,
            _("More than the invoice of %(amount)s roubles.") % {"amount": invoice.amount_rub},
        )
    return StatementLine.Status.MATCHED, invoice, ""


def _evidence(line: StatementLine, invoice: Invoice) -> dict:
    return {
        "paid_on": line.paid_on,
        "amount_rub": line.amount_rub,
        "invoice_number": invoice.number,
        "statement_id": line.statement_id,
        "statement_line_id": line.pk,
        "statement_file": line.statement.file_name,
        "payment_order": line.document_number,
        "payer_name": line.payer_name,
        "payer_inn": line.payer_inn,
        "purpose": line.purpose,
    }


def _comment(line: StatementLine) -> str:
    return _("Paid according to the bank statement: payment order No. %(number)s of %(date)s.") % {
        "number": line.document_number or "—",
        "date": line.paid_on.strftime("%d.%m.%Y"),
    }


def _record(line: StatementLine, invoice: Invoice, user: User | None) -> None:
    application = ConnectionRequest.objects.get(pk=invoice.application_id)
    perform_transition(
        application=application,
        name="record_payment",
        user=user,
        comment=_comment(line),
        data=_evidence(line, invoice),
    )


@transaction.atomic
def import_statement(
    *, content: bytes, file_name: str, user: User | None, branch: Branch | None
) -> ImportResult:
    """Import a statement for `branch` (None: every branch, for supervisors and the bank
    integration's command). Raises StatementFormatError for a file it cannot read (nothing is
    stored then) and ActionForbidden for a branch outside the user's reach."""
    if not selectors.may_import_statements(user):
        raise ActionForbidden(_("Only the grid organisation's staff import bank statements."))
    allowed = selectors.statement_branches(user)
    if allowed is not None:
        if branch is None:
            raise ActionForbidden(_("Choose the branch the statement is for."))
        if not allowed.filter(pk=branch.pk).exists():
            raise ActionForbidden(_("You may import statements only for your branch."))
    parsed = parse_statement(content)
    statement = BankStatement.objects.create(
        branch=branch,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        file_format=parsed.file_format,
        imported_by=user,
    )
    result = ImportResult(statement=statement, outgoing=parsed.outgoing)
    for entry in parsed.entries:
        status, invoice, note = match(entry, branch_id=branch.pk if branch else None)
        try:
            with transaction.atomic():
                line = StatementLine.objects.create(
                    statement=statement,
                    fingerprint=entry.fingerprint,
                    document_number=entry.document_number[:40],
                    paid_on=entry.paid_on,
                    amount_rub=entry.amount_rub,
                    payer_name=entry.payer_name[:300],
                    payer_inn=entry.payer_inn[:12],
                    payer_account=entry.payer_account[:20],
                    purpose=entry.purpose,
                    status=status,
                    invoice=invoice,
                    note=note[:300],
                )
        except IntegrityError:
            result.already_imported += 1  # the same payment came in an earlier statement
            continue
        result.new_lines += 1
        if status == StatementLine.Status.MATCHED and invoice is not None:
            try:
                with transaction.atomic():
                    _record(line, invoice, None)
            except (ValidationError, TransitionError, StateConflict) as error:
                line.status = StatementLine.Status.UNMATCHED
                line.note = _error_text(error)[:300]
                line.save(update_fields=["status", "note"])
        if line.status == StatementLine.Status.MATCHED:
            result.matched += 1
        else:
            result.needs_attention += 1
        result.lines.append(line)
    if result.new_lines == 0:
        statement.delete()  # nothing new (imported before): no empty statement in the list
        result.statement = None
    return result


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(getattr(error, "message", error))


def _open_line(user: User, line_id: int) -> StatementLine:
    line = selectors.visible_statement_lines(user).select_for_update(of=("self",)).filter(pk=line_id).first()
    if line is None:
        raise ObjectMissing(_("There is no such statement line."))
    if line.status not in StatementLine.OPEN_STATUSES:
        raise StateConflict(_("This line is already matched or rejected."))
    return line


@transaction.atomic
def match_line(*, user: User, line_id: int, invoice_number: str) -> StatementLine:
    """A person matches a waiting line to an invoice: the payment is recorded under their name
    (the transition checks that they are staff of the invoice's branch and the amount suffices)."""
    line = _open_line(user, line_id)
    number = (invoice_number or "").strip()
    invoice = Invoice.objects.filter(number=number).select_related("application").first()
    if not number or invoice is None:
        raise ValidationError(
            {
                "invoice_number": ValidationError(
                    _("There is no invoice with this number."), code="does_not_exist"
                )
            }
        )
    if invoice.status != Invoice.Status.OPEN:
        raise ValidationError(
            {"invoice_number": ValidationError(_("This invoice is already paid."), code="paid")}
        )
    _record(line, invoice, user)
    line.status = StatementLine.Status.RESOLVED
    line.invoice = invoice
    line.resolved_by = user
    line.resolved_at = timezone.now()
    line.save(update_fields=["status", "invoice", "resolved_by", "resolved_at"])
    return line


@transaction.atomic
def reject_line(*, user: User, line_id: int, reason: str) -> StatementLine:
    """A person sets a waiting line aside (not a payment for connection, returned to the payer…)."""
    line = _open_line(user, line_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Give the reason."), code="required")})
    line.status = StatementLine.Status.REJECTED
    line.note = reason[:300]
    line.resolved_by = user
    line.resolved_at = timezone.now()
    line.save(update_fields=["status", "note", "resolved_by", "resolved_at"])
    return line


__all__ = [
    "ImportResult",
    "StatementFormatError",
    "application_numbers",
    "import_statement",
    "match",
    "match_line",
    "reject_line",
]
