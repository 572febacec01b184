"""Paying the invoice: requisites (validated, per branch), the invoice with its ГОСТ Р 56042-2014
QR code, bank statements (1CClientBankExchange, CSV) matched to open invoices, recorded through
record_payment by the portal with the statement line as evidence, idempotent, per branch."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from backend.exceptions import ActionForbidden
from connection import invoices, payments
from connection.bank_statements import StatementFormatError, parse_statement
from connection.models import ConnectionRequest, Invoice, Requisites, StatementLine
from connection.validators import validate_bic, validate_correspondent_account, validate_settlement_account
from connection.workflow_actions import perform_transition
from tests.backend.factories import UserFactory
from tests.connection.factories import EXAMPLE_ACCOUNT, RequisitesFactory, client_bank_statement
from tests.grid.factories import BranchFactory
from tests.workflow.helpers import VALID_DATA, application_in_state
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def requisites(db):
    return RequisitesFactory()


@pytest.fixture
def branch_engineer(branch):
    return UserFactory(role="engineer", branches=[branch])


def offered(branch, engineer, **fields) -> ConnectionRequest:
    application = application_in_state("under_review", branch=branch, **fields)
    return perform_transition(
        application=application, name="issue_offer", user=engineer, data=dict(VALID_DATA["issue_offer"])
    )


def expected_payload(invoice: Invoice) -> str:
    return (
        "ST00012|Name=АО «Сетевая компания (пример)»|PersonalAcc=40702810960000012345"
        "|BankName=ПАО «Пример-Банк», г. Ставрополь|BIC=040702615|CorrespAcc=30101810600000000615"
        "|PayeeINN=2634000004|KPP=263401001|Sum=7500000"
        f"|Purpose=Плата за технологическое присоединение по счёту № {invoice.number}, "
        f"заявка № {invoice.application.number}"
    )


# Requisites and their check digits


def test_account_keys_follow_the_bank_of_russia_rule():
    # A real bank's correspondent account and BIC agree; one changed digit breaks the key.
    assert validate_correspondent_account("30101810400000000225", bic="044525225")
    with pytest.raises(ValidationError):
        validate_correspondent_account("30101810400000000226", bic="044525225")
    assert validate_settlement_account(EXAMPLE_ACCOUNT, bic="040702615") == EXAMPLE_ACCOUNT
    with pytest.raises(ValidationError) as error:
        validate_settlement_account("40702810960000012346", bic="040702615")
    assert error.value.code == "account_key"
    with pytest.raises(ValidationError):
        validate_bic("123456789")


def test_default_requisites_need_every_field_and_valid_numbers(requisites):
    broken = Requisites(branch=BranchFactory(), inn="2634000005", settlement_account="40702810960000012346")
    with pytest.raises(ValidationError) as error:
        broken.full_clean()
    assert {"inn", "settlement_account"} <= set(error.value.message_dict)
    Requisites.objects.all().delete()
    with pytest.raises(ValidationError) as error:
        Requisites(name="АО «Сети»").full_clean()
    assert "bic" in error.value.message_dict


def test_a_branch_overrides_only_what_it_fills(requisites, branch):
    RequisitesFactory(
        branch=branch,
        name="",
        inn="",
        ogrn="",
        bank_name="",
        bic="",
        correspondent_account="",
        address="",
        kpp="263402001",
        settlement_account="40702810560000054321",
    ).full_clean()
    merged = invoices.requisites_for(branch.pk)
    assert merged["kpp"] == "263402001" and merged["settlement_account"] == "40702810560000054321"
    assert merged["inn"] == "2634000004" and merged["is_example"] is True
    assert invoices.requisites_for(None)["kpp"] == "263401001"


# The invoice and its QR code


def test_the_offer_issues_an_invoice_with_the_payment_qr(requisites, branch, branch_engineer):
    application = offered(branch, branch_engineer)
    invoice = invoices.current_invoice(application)
    assert invoice.amount_rub == Decimal("75000.00") and invoice.status == Invoice.Status.OPEN
    assert invoice.due_date == application.due_date  # the workflow's payment term (5 working days)
    assert invoices.qr_payload(invoice) == expected_payload(invoice)
    log = TransitionLog.objects.get(application=application, transition="issue_offer")
    assert log.data["invoice_number"] == invoice.number


def test_under_44_fz_the_invoice_gives_fifteen_working_days(requisites, branch, branch_engineer):
    ordinary = offered(branch, branch_engineer)
    procurement = offered(branch, branch_engineer, is_public_procurement=True)
    assert invoices.current_invoice(procurement).due_date > invoices.current_invoice(ordinary).due_date
    assert invoices.current_invoice(procurement).due_date == procurement.due_date


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_the_qr_in_the_invoice_pdf_decodes_to_the_payload(requisites, branch, branch_engineer, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    application = offered(branch, branch_engineer)
    version = application.documents.get(doc_type="invoice").versions.get()
    pdf = tmp_path / "invoice.pdf"
    with version.file.open("rb") as handle:
        pdf.write_bytes(handle.read())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.text for code in found] == [expected_payload(invoices.current_invoice(application))]


def test_without_requisites_the_invoice_has_no_qr(branch, branch_engineer):
    Requisites.objects.all().delete()
    application = offered(branch, branch_engineer)
    assert invoices.qr_payload(invoices.current_invoice(application)) is None


# Statements


def test_a_statement_pays_the_invoice_once(requisites, branch, branch_engineer):
    application = offered(branch, branch_engineer)
    invoice = invoices.current_invoice(application)
    today = timezone.localdate()
    content = client_bank_statement(
        [{"number": "512", "paid_on": today, "amount": "75000.00", "purpose": invoice.purpose}]
    )
    result = payments.import_statement(
        content=content, file_name="kl_to_1c.txt", user=branch_engineer, branch=branch
    )
    assert (result.new_lines, result.matched, result.needs_attention, result.outgoing) == (1, 1, 0, 1)
    application.refresh_from_db()
    assert application.state == "contract_active" and application.contract_date == today
    assert application.paid_amount_rub == Decimal("75000.00")
    entry = TransitionLog.objects.get(application=application, transition="record_payment")
    assert entry.actor is None and entry.actor_role == "system"
    line = StatementLine.objects.get()
    assert entry.data["statement_line_id"] == line.pk and entry.data["payment_order"] == "512"
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID

    again = payments.import_statement(
        content=content, file_name="kl_to_1c.txt", user=branch_engineer, branch=branch
    )
    assert (again.new_lines, again.already_imported, again.statement) == (0, 1, None)
    assert StatementLine.objects.count() == 1
    assert TransitionLog.objects.filter(application=application, transition="record_payment").count() == 1


def test_partial_over_foreign_inn_and_unknown_payments_wait_for_a_person(requisites, branch, branch_engineer):
    short = offered(branch, branch_engineer)
    over = offered(branch, branch_engineer)
    foreign = offered(branch, branch_engineer)
    today = timezone.localdate()
    content = client_bank_statement(
        [
            {"number": "1", "paid_on": today, "amount": "70000", "purpose": f"ТП по заявке {short.number}"},
            {"number": "2", "paid_on": today, "amount": "80000", "purpose": f"заявка {over.number}"},
            {
                "number": "3",
                "paid_on": today,
                "amount": "75000",
                "payer_inn": "7707083893",
                "purpose": f"заявка № {foreign.number.replace('-', ' ')}",
            },
            {"number": "4", "paid_on": today, "amount": "75000", "purpose": "оплата по договору 15"},
        ]
    )
    result = payments.import_statement(
        content=content, file_name="st.txt", user=branch_engineer, branch=branch
    )
    assert (result.matched, result.needs_attention) == (0, 4)
    statuses = {line.document_number: (line.status, line.invoice_id) for line in StatementLine.objects.all()}
    assert statuses["1"] == ("partial", invoices.current_invoice(short).pk)
    assert statuses["2"] == ("overpaid", invoices.current_invoice(over).pk)
    assert statuses["3"] == ("unmatched", invoices.current_invoice(foreign).pk)  # INN differs
    assert statuses["4"] == ("unmatched", None)
    assert ConnectionRequest.objects.filter(state="offer_issued").count() == 3

    # A person matches the overpayment (recorded under their name) and rejects the unknown one;
    # the short payment cannot be matched: the amount does not cover the invoice.
    line = StatementLine.objects.get(document_number="2")
    payments.match_line(
        user=branch_engineer, line_id=line.pk, invoice_number=invoices.current_invoice(over).number
    )
    over.refresh_from_db()
    assert over.state == "contract_active"
    assert TransitionLog.objects.get(application=over, transition="record_payment").actor == branch_engineer
    with pytest.raises(ValidationError) as error:
        payments.match_line(
            user=branch_engineer,
            line_id=StatementLine.objects.get(document_number="1").pk,
            invoice_number=invoices.current_invoice(short).number,
        )
    assert "amount_rub" in error.value.message_dict
    with pytest.raises(ValidationError):
        payments.reject_line(
            user=branch_engineer, line_id=StatementLine.objects.get(document_number="4").pk, reason=" "
        )
    payments.reject_line(
        user=branch_engineer, line_id=StatementLine.objects.get(document_number="4").pk, reason="Не за ТП"
    )
    assert StatementLine.objects.get(document_number="4").status == "rejected"


def test_an_engineer_imports_and_matches_only_for_their_branch(requisites, branch, branch_engineer):
    other_branch = BranchFactory(code="res-other")
    outsider = UserFactory(role="engineer", branches=[other_branch])
    application = offered(branch, branch_engineer)
    content = client_bank_statement(
        [{"paid_on": timezone.localdate(), "amount": "75000", "purpose": application.number}]
    )
    with pytest.raises(ActionForbidden):
        payments.import_statement(content=content, file_name="s.txt", user=outsider, branch=branch)
    with pytest.raises(ActionForbidden):
        payments.import_statement(
            content=content, file_name="s.txt", user=UserFactory(role="applicant"), branch=branch
        )
    # Imported for the other branch, the payment finds no invoice there; the outsider cannot match
    # it to this branch's invoice, and this branch's engineer does not see the other branch's line.
    result = payments.import_statement(content=content, file_name="s.txt", user=outsider, branch=other_branch)
    assert result.needs_attention == 1
    line = StatementLine.objects.get()
    from workflow.exceptions import TransitionForbidden

    with pytest.raises(TransitionForbidden):
        payments.match_line(
            user=outsider, line_id=line.pk, invoice_number=invoices.current_invoice(application).number
        )
    from backend.exceptions import ObjectMissing

    with pytest.raises(ObjectMissing):
        payments.reject_line(user=branch_engineer, line_id=line.pk, reason="чужая")


def test_a_csv_statement_is_read_with_russian_columns(requisites, branch, branch_engineer):
    application = offered(branch, branch_engineer)
    day = timezone.localdate()
    content = (
        "Дата;Номер;Сумма;Плательщик;ИНН плательщика;Назначение платежа\r\n"
        f"{day:%d.%m.%Y};77;75 000,00;Петров П. П.;;Оплата ТП, заявка {application.number}\r\n"
    ).encode("cp1251")
    result = payments.import_statement(
        content=content, file_name="s.csv", user=branch_engineer, branch=branch
    )
    assert result.matched == 1
    assert StatementLine.objects.get().statement.file_format == "csv"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (
            "1CClientBankExchange\r\nСекцияДокумент=Платежное поручение\r\nСумма=1\r\n".encode("cp1251"),
            "Line 2",
        ),
        (
            "1CClientBankExchange\r\nСекцияДокумент=П\r\nДата=05.12.2026\r\nСумма=12,5,0\r\nКонецДокумента\r\n".encode(
                "cp1251"
            ),
            "Сумма",
        ),
        (b"date;amount\r\n05.12.2026;10\r\n", "purpose"),
        ("Дата;Сумма;Назначение платежа\r\n32.13.2026;10;x\r\n".encode(), "Line 2"),
    ],
)
def test_a_bad_file_is_refused_with_where_and_why(content, says, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(StatementFormatError) as error:
        parse_statement(content)
    assert says in str(error.value)


def test_the_import_command_reads_a_dropped_file(requisites, branch, branch_engineer, tmp_path):
    application = offered(branch, branch_engineer)
    path = tmp_path / "kl_to_1c.txt"
    path.write_bytes(
        client_bank_statement(
            [{"paid_on": timezone.localdate(), "amount": "75000", "purpose": application.number}]
        )
    )
    call_command("import_bank_statement", str(path))
    application.refresh_from_db()
    assert application.state == "contract_active"
    call_command("import_bank_statement", str(path))  # again: nothing new, no error
    assert StatementLine.objects.count() == 1
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"1CClientBankExchange\r\nSomething\r\n")
    with pytest.raises(CommandError) as error:
        call_command("import_bank_statement", str(bad))
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("import_bank_statement", str(tmp_path / "missing.txt"))
    assert error.value.returncode == 2


def test_a_payment_before_the_offer_waits_for_a_person(requisites, branch, branch_engineer):
    application = offered(branch, branch_engineer)
    content = client_bank_statement(
        [
            {
                "paid_on": timezone.localdate() - timedelta(days=30),
                "amount": "75000",
                "purpose": application.number,
            }
        ]
    )
    result = payments.import_statement(
        content=content, file_name="s.txt", user=branch_engineer, branch=branch
    )
    assert result.needs_attention == 1
    line = StatementLine.objects.get()
    assert line.status == "unmatched" and line.note == "Оплата не может быть раньше оферты."
    application.refresh_from_db()
    assert application.state == "offer_issued"


def test_the_applicant_is_reminded_once_two_working_days_before_the_last_day(
    requisites, branch, branch_engineer
):
    from workflow import calendar
    from workflow.jobs import PAYMENT_REMINDER_WD, run_deadline_jobs
    from workflow.models import Notification

    application = offered(branch, branch_engineer)
    due = application.due_date
    reminder_day = calendar.add_working_days(due, -PAYMENT_REMINDER_WD)
    reminders = Notification.objects.filter(kind="reminder", recipient=application.owner)
    assert run_deadline_jobs(today=calendar.add_working_days(reminder_day, -1))["payment_reminded"] == 0
    assert run_deadline_jobs(today=reminder_day)["payment_reminded"] == 1
    assert run_deadline_jobs(today=reminder_day)["payment_reminded"] == 0
    assert run_deadline_jobs(today=due)["payment_reminded"] == 0
    assert reminders.count() == 1
    assert due.strftime("%d.%m.%Y") in reminders.get().subject
