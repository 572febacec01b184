"""The payment over the API: instructions for the owner (not for others, not after payment), the
statement import for branch staff (idempotent, per branch), waiting lines matched or set aside."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from connection import invoices
from tests.backend.factories import UserFactory
from tests.connection.factories import RequisitesFactory, client_bank_statement
from tests.connection.test_payments import expected_payload, offered
from tests.grid.factories import BranchFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/connection-requests/"
IMPORT = "/api/v1/statement-lines/import/"


@pytest.fixture
def setup(branch):
    RequisitesFactory()
    engineer = UserFactory(role="engineer", branches=[branch])
    return engineer, offered(branch, engineer)


def statement(application, amount="75000.00"):
    content = client_bank_statement(
        [
            {
                "number": "44",
                "paid_on": timezone.localdate(),
                "amount": amount,
                "purpose": f"ТП {application.number}",
            }
        ]
    )
    return SimpleUploadedFile("kl_to_1c.txt", content, content_type="text/plain")


def test_the_owner_reads_how_to_pay(make_client, setup):
    _, application = setup
    body = make_client(application.owner).get(f"{URL}{application.pk}/payment/").json()
    invoice = invoices.current_invoice(application)
    assert body["qr_payload"] == expected_payload(invoice)
    assert (
        body["invoice"]["amount_rub"] == "75000.00" and body["due_date"] == application.due_date.isoformat()
    )
    assert body["requisites"]["bic"] == "040702615" and body["requisites"]["is_example"] is True
    assert make_client(application.owner).get(body["invoice_document_url"]).status_code == 200
    assert (
        make_client(UserFactory(role="applicant")).get(f"{URL}{application.pk}/payment/").status_code == 404
    )


def test_branch_staff_import_a_statement_once(make_client, setup, branch):
    engineer, application = setup
    client = make_client(engineer)
    first = client.post(IMPORT, {"file": statement(application), "branch": branch.pk}, format="multipart")
    assert first.status_code == 201, first.json()
    assert (first.json()["matched"], first.json()["lines"][0]["invoice_number"]) == (
        1,
        invoices.current_invoice(application).number,
    )
    application.refresh_from_db()
    assert application.state == "contract_active"
    again = client.post(IMPORT, {"file": statement(application), "branch": branch.pk}, format="multipart")
    assert (again.json()["new_lines"], again.json()["already_imported"], again.json()["statement"]) == (
        0,
        1,
        None,
    )
    owner = make_client(application.owner)
    assert owner.get(f"{URL}{application.pk}/payment/").status_code == 409


def test_statement_import_permissions_and_errors(make_client, setup, branch):
    engineer, application = setup
    outsider = UserFactory(role="engineer", branches=[BranchFactory(code="res-far")])
    refused = make_client(outsider).post(
        IMPORT, {"file": statement(application), "branch": branch.pk}, format="multipart"
    )
    assert refused.status_code == 403
    applicant = make_client(application.owner)
    assert (
        applicant.post(
            IMPORT, {"file": statement(application), "branch": branch.pk}, format="multipart"
        ).status_code
        == 403
    )
    assert applicant.get("/api/v1/statement-lines/").status_code == 403
    bad = make_client(engineer).post(
        IMPORT,
        {"file": SimpleUploadedFile("x.txt", b"1CClientBankExchange\r\nnonsense\r\n"), "branch": branch.pk},
        format="multipart",
    )
    assert bad.status_code == 400 and "Line 2" in bad.json()["errors"][0]["message"].replace("Строка", "Line")


def test_a_waiting_line_is_matched_or_set_aside(make_client, setup, branch):
    engineer, application = setup
    client = make_client(engineer)
    body = client.post(
        IMPORT, {"file": statement(application, "76000.00"), "branch": branch.pk}, format="multipart"
    ).json()
    assert body["needs_attention"] == 1
    waiting = client.get("/api/v1/statement-lines/?waiting=1").json()
    rows = waiting["results"] if isinstance(waiting, dict) else waiting
    assert [row["status"] for row in rows] == ["overpaid"]
    line_id = rows[0]["id"]
    assert (
        client.post(f"/api/v1/statement-lines/{line_id}/reject/", {"reason": ""}, format="json").status_code
        == 400
    )
    other = make_client(UserFactory(role="engineer", branches=[BranchFactory(code="res-far")]))
    assert (
        other.post(
            f"/api/v1/statement-lines/{line_id}/match/", {"invoice_number": "x"}, format="json"
        ).status_code
        == 404
    )
    matched = client.post(
        f"/api/v1/statement-lines/{line_id}/match/",
        {"invoice_number": invoices.current_invoice(application).number},
        format="json",
    )
    assert matched.status_code == 200 and matched.json()["status"] == "resolved"
    application.refresh_from_db()
    assert application.state == "contract_active" and str(application.paid_amount_rub) == "76000.00"
    assert (
        client.post(f"/api/v1/statement-lines/{line_id}/reject/", {"reason": "x"}, format="json").status_code
        == 409
    )
