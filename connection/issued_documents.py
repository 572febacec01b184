"""Documents the grid organisation issues, generated as PDF (reportlab) and stored as documents of
the application: at issue_offer the technical conditions, the contract offer and the invoice; at
confirm_connection the notice that the connection is ensured (up to 0.4 kV) or otherwise the act
of connection.

The fonts (DejaVu Sans, with Cyrillic) ship in connection/data/fonts/ with their licence and are
embedded in every PDF, so nothing depends on the fonts of the machine. Documents are written in the
portal's default language (settings.LANGUAGE_CODE), whatever the language of the engineer's screen.
The generators are pure (application in, bytes out); `offer_documents` / `connection_documents`
store them, called inside the transition's transaction.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from importlib import resources
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from backend.events.models import EventKind
from backend.events.services import record_event
from backend.users.models import User
from connection import invoices
from connection.models import (
    ConnectionRequest,
    Document,
    DocumentType,
    DocumentVersion,
    TechnicalConditions,
)
from workflow.selectors import rules_for

logger = logging.getLogger(__name__)
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_fonts_lock = threading.Lock()


def _register_fonts() -> None:
    with _fonts_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        fonts = resources.files("connection") / "data" / "fonts"
        for name in (FONT, FONT_BOLD):
            with resources.as_file(fonts / f"{name}.ttf") as path:
                pdfmetrics.registerFont(TTFont(name, str(path)))


def money_text(value: Decimal | None) -> str:
    """75 000,00 — groups of thousands, decimal comma (Russian style), fixed regardless of locale."""
    if value is None:
        return "—"
    whole, fraction = f"{Decimal(value):.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{' '.join(groups)},{fraction}"


def kw_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def applicant_name(application: ConnectionRequest) -> str:
    snapshot = application.applicant_snapshot or {}
    if snapshot.get("display_name"):
        return str(snapshot["display_name"])
    return str(application.applicant.display_name) if application.applicant_id else ""


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, alignment=TA_CENTER, textColor=colors.HexColor("#444444")
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=FONT_BOLD, fontSize=11, spaceBefore=8, spaceAfter=4
        ),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#555555")
        ),
    }


def _text(value: object) -> str:
    """Escaped for reportlab's mini-markup, line breaks kept."""
    return escape(str(value if value not in (None, "") else "—")).replace("\n", "<br/>")


def _render(
    title: str,
    rows: list[tuple[str, str]],
    sections: list[tuple[str, str]],
    application: ConnectionRequest,
    *,
    after_table: list | None = None,
) -> bytes:
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{title} {application.number or ''}".strip(),
        author=str(application.branch) if application.branch_id else "",
        subject=application.number or "",
    )
    story = [
        Paragraph(_text(application.branch) if application.branch_id else "", styles["subtitle"]),
        Spacer(1, 4 * mm),
        Paragraph(_text(title), styles["title"]),
        Paragraph(
            _text(
                _("to application No. %(number)s of %(date)s")
                % {"number": application.number or "—", "date": _date_text(application.submitted_at)}
            ),
            styles["subtitle"],
        ),
        Spacer(1, 6 * mm),
    ]
    table = Table(
        [
            [Paragraph(_text(label), styles["base"]), Paragraph(_text(value), styles["base"])]
            for label, value in rows
        ],
        colWidths=[60 * mm, 115 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
            ]
        )
    )
    story.append(table)
    story += after_table or []
    for heading, body in sections:
        story += [Paragraph(_text(heading), styles["heading"]), Paragraph(_text(body), styles["base"])]
    story += [
        Spacer(1, 10 * mm),
        Paragraph(
            _text(
                _("Issued on %(date)s through the grid connection portal.")
                % {"date": _date_text(timezone.localdate())}
            ),
            styles["small"],
        ),
    ]
    # the canvas starts in the embedded font rather than Helvetica
    document.build(story, canvasmaker=functools.partial(Canvas, initialFontName=FONT))
    return buffer.getvalue()


def _date_text(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "date") and not isinstance(value, date):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.strftime("%d.%m.%Y")


def issued_conditions(application: ConnectionRequest) -> TechnicalConditions | None:
    try:
        return application.technical_conditions
    except TechnicalConditions.DoesNotExist:
        return None


def _common_rows(application: ConnectionRequest) -> list[tuple[str, str]]:
    conditions = issued_conditions(application)
    return [
        (_("Application No."), application.number or "—"),
        (_("Applicant"), applicant_name(application)),
        (
            _("Object"),
            " — ".join(part for part in (application.object_name, application.object_address) if part) or "—",
        ),
        (_("Cadastral number"), application.cadastral_number or "—"),
        (_("Maximum power requested, kW"), kw_text(application.requested_kw)),
        (_("Previously connected power, kW"), kw_text(application.previously_connected_kw)),
        *(
            [
                (_("Maximum power under the technical conditions, kW"), kw_text(conditions.max_power_kw)),
                (_("Voltage level"), str(conditions.get_voltage_level_display())),
                (_("Reliability category"), str(conditions.get_reliability_category_display())),
            ]
            if conditions
            else [
                (_("Voltage level"), str(application.get_voltage_level_display() or "—")),
                (_("Reliability category"), str(application.get_reliability_category_display() or "—")),
            ]
        ),
        (_("Connection point"), application.connection_point_label or "—"),
    ]


def _fee_row(application: ConnectionRequest) -> tuple[str, str]:
    return (_("Fee for the connection, roubles"), money_text(application.fee_rub))


def technical_conditions_pdf(application: ConnectionRequest) -> bytes:
    conditions = application.technical_conditions
    rows = [
        (_("Technical conditions No."), conditions.number),
        *_common_rows(application),
        (_("Distance to the grid, m"), kw_text(application.grid_distance_m)),
        _fee_row(application),
        (
            _("Validity of the technical conditions"),
            ngettext(
                "%(years)s year from the date of issue, until %(date)s",
                "%(years)s years from the date of issue, until %(date)s",
                conditions.validity_years,
            )
            % {"years": conditions.validity_years, "date": _date_text(conditions.valid_until)},
        ),
    ]
    sections = [
        (_("Measures of the grid organisation"), conditions.grid_measures),
        (_("Measures of the applicant"), conditions.applicant_measures),
        (_("Metering requirements"), conditions.metering_requirements),
    ]
    if conditions.other_conditions:
        sections.append((_("Other conditions"), conditions.other_conditions))
    return _render(_("Technical conditions for technological connection"), rows, sections, application)


def offer_pdf(application: ConnectionRequest) -> bytes:
    rows = [
        *_common_rows(application),
        _fee_row(application),
        (_("Payment option"), str(application.get_payment_option_display() or "—")),
    ]
    sections = [
        (
            _("Subject of the contract"),
            _(
                "The grid organisation connects the power-receiving devices of the applicant at the object "
                "named above, with a maximum power of %(kw)s kW, under the technical conditions attached, "
                "and the applicant pays the fee of %(fee)s roubles."
            )
            % {"kw": kw_text(application.requested_kw), "fee": money_text(application.fee_rub)},
        ),
        (
            _("Acceptance"),
            _("Paying the invoice accepts this offer; the contract is concluded on the date of payment."),
        ),
    ]
    return _render(_("Offer of the contract for technological connection"), rows, sections, application)


def invoice_pdf(application: ConnectionRequest) -> bytes:
    """The invoice with the payee's requisites and the ГОСТ Р 56042-2014 payment QR code."""
    invoice = invoices.current_invoice(application)
    styles = _styles()
    requisites = invoice.requisites if invoice else {}
    rows = [
        (_("Invoice No."), invoice.number if invoice else f"{application.number or application.pk}-1"),
        (_("Invoice date"), _date_text(invoice.issued_on if invoice else timezone.localdate())),
        (_("Application No."), application.number or "—"),
        (_("Payer"), applicant_name(application)),
        (_("Payee"), requisites.get("name", "—")),
        (_("Payee's INN / KPP"), f"{requisites.get('inn', '—')} / {requisites.get('kpp', '—')}"),
        (_("Bank"), requisites.get("bank_name", "—")),
        (_("BIC"), requisites.get("bic", "—")),
        (_("Correspondent account"), requisites.get("correspondent_account", "—")),
        (_("Settlement account"), requisites.get("settlement_account", "—")),
        (
            _("Purpose"),
            invoice.purpose
            if invoice
            else _("Fee for technological connection, %(kw)s kW") % {"kw": kw_text(application.requested_kw)},
        ),
        _fee_row(application),
        (
            _("Amount due now, roubles"),
            money_text(invoice.amount_rub if invoice else invoices.amount_due_now(application)),
        ),
    ]
    if invoice:
        rows.append((_("Pay by"), _date_text(invoice.due_date)))
    after_table = []
    payload = invoices.qr_payload(invoice) if invoice else None
    if payload:
        image = io.BytesIO()
        invoices.qr_code(payload).save(image, kind="png", scale=6, border=4)
        image.seek(0)
        after_table += [
            Spacer(1, 6 * mm),
            Image(image, width=45 * mm, height=45 * mm, hAlign="LEFT"),
            Paragraph(_text(_("Scan the code in your bank's app to pay this invoice.")), styles["small"]),
        ]
    if requisites.get("is_example"):
        after_table.append(
            Paragraph(
                _text(_("EXAMPLE: these requisites are demo values. Do not pay this invoice.")),
                styles["heading"],
            )
        )
    sections = []
    if invoice:
        sections.append(
            (
                _("If the invoice is not paid"),
                _("If the invoice is not paid by %(date)s, the application is annulled.")
                % {"date": _date_text(invoice.due_date)},
            )
        )
    return _render(_("Invoice for the connection fee"), rows, sections, application, after_table=after_table)


def is_notice(application: ConnectionRequest) -> bool:
    """A notice that the connection is ensured at up to 0.4 kV (the rulebook's household voltage), an
    act of connection otherwise."""
    if not application.voltage_level:
        return False
    return Decimal(application.voltage_level) <= rules_for(application).household_max_voltage_kv


def connection_pdf(application: ConnectionRequest) -> bytes:
    rows = [
        *_common_rows(application),
        _fee_row(application),
        (_("Amount paid, roubles"), money_text(application.paid_amount_rub)),
        (_("Contract date"), _date_text(application.contract_date)),
        (_("Connected on"), _date_text(application.connected_on)),
    ]
    if is_notice(application):
        title = _("Notice that the technological connection is ensured")
        body = _(
            "The grid organisation notifies that the technological connection of the power-receiving devices "
            "named above is carried out and the voltage is supplied."
        )
    else:
        title = _("Act of technological connection")
        body = _(
            "The parties confirm that the technological connection of the power-receiving devices named above "
            "is carried out under the technical conditions; the boundaries of the balance ownership and of the "
            "operational responsibility are at the connection point."
        )
    return _render(title, rows, [(_("Statement"), body)], application)


def store_issued_document(
    *, application: ConnectionRequest, user: User, doc_type: str, content: bytes, file_name: str
) -> DocumentVersion:
    """Store a document the grid organisation issues (any state; connection.services.upload_document
    is for applicants and drafts only). A document of the same type gets a new version."""
    document = Document.objects.filter(request=application, doc_type=doc_type).order_by("id").first()
    if document is None:
        document = Document.objects.create(
            request=application, doc_type=doc_type, title=str(DocumentType(doc_type).label)
        )
    number = (document.versions.aggregate(last=Max("version"))["last"] or 0) + 1
    version = DocumentVersion(
        document=document,
        version=number,
        original_name=file_name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    version.file.save(file_name, ContentFile(content), save=False)
    written = files_written.get()
    if written is not None:
        written.append(version.file.name)
    version.save()
    record_event(
        kind=EventKind.DOCUMENT_ISSUED,
        application=application,
        actor=user,
        payload={
            "document": {
                "id": document.pk,
                "doc_type": doc_type,
                "version": number,
                "sha256": version.sha256,
            }
        },
    )
    return version


#: Files stored during the current transition (see `removed_on_failure`).
files_written: ContextVar[list[str] | None] = ContextVar("files_written", default=None)


@contextmanager
def removed_on_failure():
    """Delete the files stored inside the block if it fails: the database rows roll back with the
    transition, the files in storage would not (personal data left behind without a row)."""
    written: list[str] = []
    token = files_written.set(written)
    try:
        yield
    except BaseException:
        for name in written:
            try:
                default_storage.delete(name)
            except Exception:  # cleanup must never hide the original error
                logger.exception("could not delete %s after a failed transition", name)
        raise
    finally:
        files_written.reset(token)


def _file_name(kind: str, application: ConnectionRequest) -> str:
    # ASCII names: the number (ТП-2026-000123) is kept as digits only
    digits = "".join(
        ch for ch in (application.number or str(application.pk)) if ch.isdigit() or ch == "-"
    ).strip("-")
    return f"{kind}-{digits}.pdf"


def offer_documents(*, application: ConnectionRequest, user: User) -> list[DocumentVersion]:
    """Technical conditions, offer and invoice, stored; call inside the issue_offer transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        generated = [
            (
                DocumentType.TECHNICAL_CONDITIONS,
                "technical-conditions",
                technical_conditions_pdf(application),
            ),
            (DocumentType.OFFER, "offer", offer_pdf(application)),
            (DocumentType.INVOICE, "invoice", invoice_pdf(application)),
        ]
    return [
        store_issued_document(
            application=application,
            user=user,
            doc_type=doc_type,
            content=content,
            file_name=_file_name(kind, application),
        )
        for doc_type, kind, content in generated
    ]


def connection_documents(*, application: ConnectionRequest, user: User) -> list[DocumentVersion]:
    """The notice (up to 0.4 kV) or the act of connection, stored; inside the confirm_connection transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        content = connection_pdf(application)
    notice = is_notice(application)
    return [
        store_issued_document(
            application=application,
            user=user,
            doc_type=DocumentType.CONNECTION_NOTICE if notice else DocumentType.CONNECTION_ACT,
            content=content,
            file_name=_file_name("connection-notice" if notice else "connection-act", application),
        )
    ]
