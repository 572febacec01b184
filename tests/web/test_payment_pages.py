"""The pay step and the statements page without a browser: who sees what, and bad input answered
with the field named, nothing stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from connection import invoices
from connection.models import BankStatement, StatementLine
from tests.backend.factories import UserFactory
from tests.connection.factories import RequisitesFactory, client_bank_statement
from tests.connection.test_payments import offered
from tests.grid.factories import BranchFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def offer(branch):
    RequisitesFactory()
    engineer = UserFactory(role="engineer", branches=[branch])
    return engineer, offered(branch, engineer)


def test_the_pay_step_is_the_owners_while_the_offer_waits(offer):
    _engineer, application = offer
    page = signed_in(application.owner).get(f"/applications/{application.pk}/").content.decode()
    assert 'id="pay"' in page and invoices.current_invoice(application).number in page
    assert "<svg" in page and "<script" not in page.split('id="pay"')[1].split("</section>")[0]
    assert signed_in(UserFactory(role="applicant")).get(f"/applications/{application.pk}/").status_code == 404


def test_the_statements_page_is_for_staff_and_their_branch(offer, branch):
    engineer, application = offer
    assert signed_in(application.owner).get("/console/statements/").status_code == 403
    outsider = UserFactory(role="engineer", branches=[BranchFactory(code="res-far")])
    content = client_bank_statement(
        [{"paid_on": timezone.localdate(), "amount": "1", "purpose": f"заявка {application.number}"}]
    )
    # The outsider may not import for this branch: the form refuses the choice, nothing is stored.
    refused = signed_in(outsider).post(
        "/console/statements/", {"file": SimpleUploadedFile("s.txt", content), "branch": branch.pk}
    )
    assert refused.status_code == 400 and BankStatement.objects.count() == 0
    ok = signed_in(engineer).post(
        "/console/statements/", {"file": SimpleUploadedFile("s.txt", content), "branch": branch.pk}
    )
    assert ok.status_code == 302
    line = StatementLine.objects.get()
    assert line.status == "partial"
    assert f'id="line-{line.pk}"' in signed_in(engineer).get("/console/statements/").content.decode()
    assert f'id="line-{line.pk}"' not in signed_in(outsider).get("/console/statements/").content.decode()
    assert (
        signed_in(outsider).post(f"/console/statements/lines/{line.pk}/reject/", {"reason": "x"}).status_code
        == 404
    )
    short = signed_in(engineer).post(
        f"/console/statements/lines/{line.pk}/match/",
        {"invoice_number": invoices.current_invoice(application).number},
    )
    assert short.status_code == 400 and "less than" in short.content.decode()
    bad = signed_in(engineer).post(
        "/console/statements/",
        {"file": SimpleUploadedFile("s.txt", b"1CClientBankExchange\r\nx\r\n"), "branch": branch.pk},
    )
    assert bad.status_code == 400 and "Line 2" in bad.content.decode()
