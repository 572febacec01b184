"""Documents the grid organisation issues as PDF: generated at issue_offer (technical conditions,
offer, invoice) and at confirm_connection (notice up to 0.4 kV, act otherwise), stored with their
checksum, readable by pdftotext with the number, the applicant's Cyrillic name, the power and the
fee. The first page of each is rendered to artifacts/pdf/ (pdftoppm)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from connection import issued_documents
from connection.models import ConnectionRequest, Document, TechnicalConditions
from tests.workflow.helpers import TC_MEASURES, application_in_state

URL = "/api/v1/connection-requests/"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "pdf"
NAME = "Петров Пётр Петрович"
OFFER = {
    **TC_MEASURES,
    "connection_point": "ТП-12, РУ-0,4 кВ",
    "fee_rub": "75000.00",
    "grid_distance_m": "120",
}

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="pdftotext/pdftoppm missing: apt-get install poppler-utils",
)


def pdf_text(content: bytes, tmp_path: Path, name: str = "doc") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", result.stdout.decode("utf-8").replace("\xa0", " "))


def render_first_page(content: bytes, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(ARTIFACTS / name),
        ],
        check=True,
    )
    return ARTIFACTS / f"{name}.png"


def stored(application, doc_type: str) -> bytes:
    document = Document.objects.get(request=application, doc_type=doc_type)
    version = document.versions.get()
    with version.file.open("rb") as handle:
        content = handle.read()
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.size == len(content) and version.content_type == "application/pdf"
    return content


def test_issue_offer_generates_the_technical_conditions_offer_and_invoice(
    make_client, supervisor, branch, tmp_path
):
    application = application_in_state("under_review", branch=branch)
    response = make_client(supervisor).post(
        f"{URL}{application.pk}/transitions/issue_offer/", OFFER, format="json"
    )
    assert response.status_code == 200, response.json()
    application = ConnectionRequest.objects.get(pk=application.pk)
    for doc_type in ("technical_conditions", "offer", "invoice"):
        content = stored(application, doc_type)
        assert content.startswith(b"%PDF")
        text = pdf_text(content, tmp_path, doc_type)
        assert application.number in text, doc_type
        assert NAME in text, doc_type
        assert "15" in text  # the power, kW
        assert "75 000,00" in text, doc_type  # the fee
        version = Document.objects.get(request=application, doc_type=doc_type).versions.get()
        assert version.uploaded_by == supervisor
        png = render_first_page(content, doc_type.replace("_", "-"))
        assert png.stat().st_size > 1000
    conditions = pdf_text(stored(application, "technical_conditions"), tmp_path, "tc")
    assert "ТП-12, РУ-0,4 кВ" in conditions and "ВЛИ-0,4 кВ" in conditions
    # every part of the structured conditions, in the portal's language
    assert f"ТУ-{application.number}" in conditions
    for text in (
        OFFER["applicant_measures"],
        OFFER["metering_requirements"],
        "Мероприятия сетевой организации",
    ):
        assert text in " ".join(conditions.split()), text
    valid_until = TechnicalConditions.objects.get(request=application).valid_until.strftime("%d.%m.%Y")
    assert valid_until in conditions


def test_the_fonts_are_embedded(tmp_path):
    application = ConnectionRequest(number="ТП-2026-000001", requested_kw=Decimal("15"), fee_rub=Decimal("1"))
    path = tmp_path / "tc.pdf"
    path.write_bytes(issued_documents.offer_pdf(application))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    assert "DejaVuSans" in fonts
    dejavu = [line for line in fonts.splitlines() if "DejaVuSans" in line]
    assert dejavu and all(line.split()[3] == "yes" for line in dejavu), fonts  # the emb column


@pytest.mark.parametrize(("voltage", "doc_type"), [("0.4", "connection_notice"), ("10", "connection_act")])
def test_confirm_connection_issues_the_notice_or_the_act(
    make_client, supervisor, branch, tmp_path, voltage, doc_type
):
    application = application_in_state("ready_for_check", branch=branch, voltage_level=voltage)
    ConnectionRequest.objects.filter(pk=application.pk).update(
        fee_rub=Decimal("75000"), paid_amount_rub=Decimal("75000"), connection_point_label="ТП-12"
    )
    response = make_client(supervisor).post(
        f"{URL}{application.pk}/transitions/confirm_connection/",
        {"connected_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    application = ConnectionRequest.objects.get(pk=application.pk)
    assert not Document.objects.filter(
        request=application, doc_type__in=["connection_notice", "connection_act"]
    ).exclude(doc_type=doc_type)
    content = stored(application, doc_type)
    text = pdf_text(content, tmp_path)
    assert application.number in text and NAME in text and "15" in text and "75 000,00" in text
    render_first_page(content, doc_type.replace("_", "-"))


def test_money_text():
    assert issued_documents.money_text(Decimal("631622.4")) == "631 622,40"
    assert issued_documents.money_text(Decimal("0")) == "0,00"
    assert issued_documents.money_text(None) == "—"
