"""Paying as an applicant would, in a real browser (Playwright on Debian's Chromium): the offer's
"how to pay" block with the QR code and the bank details, the invoice PDF whose QR code (rendered by
pdftoppm, read by zxing-cpp) is the expected ГОСТ Р 56042-2014 string, the same code on the page;
then the engineer imports the bank's statement with that payment, which concludes the contract, and
importing it again changes nothing. Screenshots of the pay step at 1280 and 360 px."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from connection import invoices
from connection.models import ConnectionRequest, StatementLine
from connection.workflow_actions import perform_transition
from tests.backend.factories import UserFactory
from tests.connection.factories import client_bank_statement
from tests.grid.factories import BranchFactory, TerritoryFactory
from tests.web.browser import CHROMIUM, SCREENSHOTS, log_in, shoot
from tests.workflow.helpers import VALID_DATA, application_in_state
from workflow.models import TransitionLog

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]


def read_qr(image_path) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    return [code.text for code in zxingcpp.read_barcodes(Image.open(image_path))]


def test_the_applicant_pays_and_the_statement_concludes_the_contract(
    page, second_page, live_server, tmp_path
):
    branch = BranchFactory(code="res-pay", name="Михайловский РЭС")
    TerritoryFactory(branch=branch)
    applicant = UserFactory(role="applicant", email="payer@example.ru")
    engineer_user = UserFactory(role="engineer", branches=[branch], email="cashier@example.ru")
    application = application_in_state(
        "under_review", branch=branch, owner=applicant, applicant__owner=applicant, applicant__inn=""
    )
    application = perform_transition(
        application=application, name="issue_offer", user=engineer_user, data=dict(VALID_DATA["issue_offer"])
    )
    invoice = invoices.current_invoice(application)
    expected = (
        "ST00012|Name=АО «Сетевая компания (пример)»|PersonalAcc=40702810960000012345"
        "|BankName=ПАО «Пример-Банк», г. Ставрополь|BIC=040702615|CorrespAcc=30101810600000000615"
        "|PayeeINN=2634000004|KPP=263401001|Sum=7500000"
        f"|Purpose=Плата за технологическое присоединение по счёту № {invoice.number}, "
        f"заявка № {application.number}"
    )
    owner, engineer = page, second_page

    # The applicant (in Russian, as most are) sees how to pay, by when, and what happens otherwise.
    owner.context.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url}])
    log_in(owner, live_server, "payer@example.ru")
    owner.goto(f"{live_server.url}/applications/{application.pk}/")
    block = owner.inner_text("#pay")
    assert application.due_date.strftime("%d.%m.%Y") in owner.inner_text("#pay-title")
    assert "75 000,00" in owner.inner_text("#pay-amount")
    for text in ("40702810960000012345", "040702615", "30101810600000000615", "2634000004 / 263401001"):
        assert text in block
    assert "аннулирована" in owner.inner_text("#pay-deadline")
    assert owner.locator("#pay-example").is_visible()  # the demo requisites say they are an example
    shoot(owner, "pay-step")
    for width in (1280, 360):
        assert (SCREENSHOTS / f"pay-step-{width}.png").exists()
    # The page's code is the invoice's code.
    owner.locator("#pay-qr svg").screenshot(path=str(tmp_path / "page-qr.png"))
    assert read_qr(tmp_path / "page-qr.png") == [expected]
    # The PDF invoice, downloaded as the applicant does, carries the same code.
    with owner.expect_download() as download:
        owner.click("#pay-invoice")
    pdf = tmp_path / "invoice.pdf"
    download.value.save_as(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "invoice")], check=True
    )
    assert read_qr(tmp_path / "invoice.png") == [expected]

    # The applicant's bank pays what the code says; the statement arrives at the branch.
    fields = dict(part.split("=", 1) for part in expected.split("|")[1:])
    statement = tmp_path / "kl_to_1c.txt"
    statement.write_bytes(
        client_bank_statement(
            [
                {
                    "number": "3141",
                    "paid_on": timezone.localdate(),
                    "amount": Decimal(fields["Sum"]) / 100,
                    "purpose": fields["Purpose"],
                }
            ]
        )
    )
    log_in(engineer, live_server, "cashier@example.ru", lands_on=r"/console/$")
    with engineer.expect_navigation():
        engineer.click("#statements-link")
    engineer.set_input_files("#id_file", str(statement))
    with engineer.expect_navigation():
        engineer.click("#statement-form button[type=submit]")
    assert "1 recorded" in engineer.inner_text(".alert-success")
    application.refresh_from_db()
    assert application.state == "contract_active" and application.contract_date == timezone.localdate()
    assert application.paid_amount_rub == Decimal("75000.00")
    assert invoice.number in engineer.inner_text("#recent")
    shoot(engineer, "statements")

    # Again: nothing new is recorded.
    engineer.set_input_files("#id_file", str(statement))
    with engineer.expect_navigation():
        engineer.click("#statement-form button[type=submit]")
    assert "1 imported before" in engineer.inner_text(".alert-success")
    assert StatementLine.objects.count() == 1
    assert TransitionLog.objects.filter(application=application, transition="record_payment").count() == 1
    assert ConnectionRequest.objects.get(pk=application.pk).state == "contract_active"

    # The applicant's page: no more "how to pay", the payment in the timeline.
    owner.reload()
    assert owner.locator("#pay").count() == 0
    assert "Отметить оплату" in owner.inner_text("#timeline")
