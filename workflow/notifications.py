"""Notifications: in-app rows and e-mail, written in each recipient's language.

The applicant hears of every change of their application; the branch's engineers of new work
(a submitted or resubmitted application, an applicant ready for the check); engineers and
supervisors of missed deadlines (see workflow.jobs)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from backend.users.roles import Role
from workflow.machine import Party
from workflow.models import Notification
from workflow.outbox import enqueue_notification_emails
from workflow.signals import transition_recorded
from workflow.states import State

NEW_WORK_STATES = {State.SUBMITTED, State.READY_FOR_CHECK}


def branch_staff(branch_id: int | None, *roles: Role) -> list:
    """Active users with one of `roles` bound to the branch; supervisors bound to no branch
    watch every branch."""
    users = get_user_model().objects.filter(is_active=True, groups__name__in=[role.value for role in roles])
    condition = Q(branches=branch_id)
    if Role.SUPERVISOR in roles:
        condition |= Q(groups__name=Role.SUPERVISOR.value, branches__isnull=True)
    return list(users.filter(condition).distinct())


def application_url(application, user) -> str:
    """The absolute address of the application's page for `user`: the applicant's page for its
    owner, the console's for the grid organisation's staff (SITE_URL + the page's path)."""
    name = "web:application" if application.owner_id == user.pk else "web:console_application"
    return settings.SITE_URL + reverse(name, kwargs={"pk": application.pk})


def _title(application) -> str:
    return application.number or str(application)


def _step_text(application) -> str:
    if application.due_date is None:
        return ""
    return _("Next: %(party)s, by %(due)s.") % {
        "party": Party(application.acting_party).label,
        "due": formats.date_format(application.due_date, "SHORT_DATE_FORMAT"),
    }


def notify(recipients: Iterable, *, application, kind: str, subject, body) -> list[Notification]:
    """Create one notification per recipient, rendering the lazy texts in their language, and
    queue their e-mails in the outbox (sent once the transaction commits)."""
    created = []
    for user in recipients:
        with translation.override(user.language or "ru"):
            text = str(body())
            if application is not None:  # a question to a branch has no application yet
                link = _("Open the application: %(url)s") % {"url": application_url(application, user)}
                text = f"{text}\n\n{link}"
            created.append(
                Notification.objects.create(
                    recipient=user,
                    application=application,
                    kind=kind,
                    subject=str(subject()),
                    body=text,
                )
            )
    enqueue_notification_emails(created)
    return created


@receiver(transition_recorded, dispatch_uid="workflow.notify_on_transition")
def _on_transition(sender, application, entry, **kwargs) -> None:
    def subject():
        return _("Application %(number)s: %(state)s") % {
            "number": _title(application),
            "state": State(application.state).label,
        }

    def body():
        lines = [_("The application is now “%(state)s”.") % {"state": State(application.state).label}]
        if entry.comment:
            lines.append(_("Comment: %(comment)s") % {"comment": entry.comment})
        if application.requested_items and application.state == State.NEEDS_INFO:
            lines.append(_("Requested: %(items)s") % {"items": "; ".join(application.requested_items)})
        lines.append(_step_text(application))
        return "\n".join(line for line in lines if line)

    # Inside the transition's transaction (transition_recorded): no transaction of its own.
    notify(
        [application.owner],
        application=application,
        kind=Notification.Kind.TRANSITION,
        subject=subject,
        body=body,
    )
    if application.state in NEW_WORK_STATES and application.branch_id:
        notify(
            branch_staff(application.branch_id, Role.ENGINEER),
            application=application,
            kind=Notification.Kind.NEW_WORK,
            subject=lambda: _("New work: application %(number)s") % {"number": _title(application)},
            body=lambda: "\n".join(
                filter(
                    None,
                    [
                        _("State: %(state)s.") % {"state": State(application.state).label},
                        _step_text(application),
                    ],
                )
            ),
        )


def notify_overdue(application) -> list[Notification]:
    """Tell the branch's engineers and supervisors that the current step is overdue."""
    return notify(
        branch_staff(application.branch_id, Role.ENGINEER, Role.SUPERVISOR),
        application=application,
        kind=Notification.Kind.OVERDUE,
        subject=lambda: _("Overdue: application %(number)s") % {"number": _title(application)},
        body=lambda: (
            _("The step “%(state)s” was due on %(due)s and is not done.")
            % {
                "state": State(application.state).label,
                "due": formats.date_format(application.due_date, "SHORT_DATE_FORMAT"),
            }
        ),
    )


def notify_payment_due(application) -> list[Notification]:
    """Remind the applicant that the invoice must be paid by the due date, or the application is
    annulled."""
    return notify(
        [application.owner],
        application=application,
        kind=Notification.Kind.REMINDER,
        subject=lambda: (
            _("Application %(number)s: pay the invoice by %(due)s")
            % {
                "number": _title(application),
                "due": formats.date_format(application.due_date, "SHORT_DATE_FORMAT"),
            }
        ),
        body=lambda: (
            _(
                "The invoice of application %(number)s is not paid yet. Pay it by %(due)s inclusive: "
                "otherwise the application is annulled. The QR code and the bank details are on the application's page."
            )
            % {
                "number": _title(application),
                "due": formats.date_format(application.due_date, "SHORT_DATE_FORMAT"),
            }
        ),
    )
