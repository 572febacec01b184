"""E-mails to reporters, written in the language they reported in and sent through the outbox
(after the transaction commits). Reporters need no account: the address is the contact."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from appeals.models import Report
from workflow.outbox import enqueue_email


def status_url(report: Report, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("web:report_status", args=[report.private_token])


def confirmation_url(report: Report, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("web:report_confirm", args=[report.confirmation_token])


def confirmation_request(report: Report, *, base_url: str) -> None:
    with translation.override(report.language):
        enqueue_email(
            to=report.contact_email,
            subject=_("Confirm your report %(number)s") % {"number": report.number},
            body=_(
                "You reported “%(kind)s” on the grid organisation's portal.\n\n"
                "Follow this link to confirm the report and send it to the branch:\n%(link)s\n\n"
                "If it was not you, ignore this e-mail: an unconfirmed report goes nowhere."
            )
            % {"kind": report.get_kind_display(), "link": confirmation_url(report, base_url)},
        )


def report_received(report: Report, *, base_url: str) -> None:
    with translation.override(report.language):
        enqueue_email(
            to=report.contact_email,
            subject=_("Report %(number)s received") % {"number": report.number},
            body=_(
                "Your report “%(kind)s” went to %(branch)s. The answer is due by %(due)s.\n\n"
                "Follow its status here (keep the link private):\n%(link)s"
            )
            % {
                "kind": report.get_kind_display(),
                "branch": report.branch.name,
                "due": formats.date_format(report.due_date, "SHORT_DATE_FORMAT"),
                "link": status_url(report, base_url),
            },
        )


def status_changed(report: Report, *, base_url: str) -> None:
    with translation.override(report.language):
        planned = (
            _("Expected fix: %(date)s.")
            % {"date": formats.date_format(report.planned_fix_date, "SHORT_DATE_FORMAT")}
            if report.planned_fix_date and report.status == "planned"
            else ""
        )
        enqueue_email(
            to=report.contact_email,
            subject=_("Report %(number)s: %(status)s")
            % {"number": report.number, "status": report.get_status_display()},
            body=_("Status of your report: %(status)s. %(planned)s\n\n%(answer)s\n\nDetails: %(link)s")
            % {
                "status": report.get_status_display(),
                "planned": planned,
                "answer": report.answer_text,
                "link": status_url(report, base_url),
            },
        )
