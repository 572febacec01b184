"""The state machine of an application, as an abstract model the domain model inherits.

The state field is protected: it changes only through the transition methods here, and
ConcurrentTransitionMixin makes a transition's save fail if another one changed the state
first (the caller answers 409). Each transition names who may run it (`permission`) and carries
its labels in `custom`; the runner in workflow.services checks them, writes the history and sets
the deadline of the new state. The concrete model provides `owner_id` and `branch_id`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.users.roles import Role
from workflow.states import State


class Party(models.TextChoices):
    """Who must act now ("ball in court")."""

    GRID = "grid", _("Grid organisation")
    APPLICANT = "applicant", _("Applicant")
    BOTH = "both", _("Grid organisation and applicant")
    NONE = "none", _("Nobody")


class AnnulmentReason(models.TextChoices):
    NO_DATA = "no_data", _("The missing information was not supplied in time")
    NOT_PAID = "not_paid", _("The invoice was not paid in time")


class Actor(models.TextChoices):
    OWNER = "owner", _("Applicant")
    BRANCH = "branch", _("Engineer of the branch")
    SYSTEM = "system", _("Portal (scheduled)")


def is_owner(instance, user) -> bool:
    return user is not None and user.is_authenticated and instance.owner_id == user.pk


def is_branch_staff(instance, user) -> bool:
    """Engineers of the application's branch; supervisors and administrators everywhere."""
    if user is None or not user.is_authenticated:
        return False
    if user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        return True
    return user.has_role(Role.ENGINEER) and instance.branch_id in user.branch_ids


def system_only(instance, user) -> bool:
    return False  # run by the scheduled job, with no user


PERMISSIONS = {Actor.OWNER: is_owner, Actor.BRANCH: is_branch_staff, Actor.SYSTEM: system_only}


def meta(label, actor: Actor, *, also_system: bool = False) -> dict:
    """`also_system`: the portal itself may run it too, on evidence (a matched bank statement line)."""
    return {"label": label, "actor": actor, "also_system": also_system}


class ApplicationStateMachine(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    rulebook_version = models.ForeignKey(
        "workflow.RulebookVersion",
        verbose_name=_("rulebook version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    step_started_on = models.DateField(_("current step started on"), null=True, blank=True, editable=False)
    due_date = models.DateField(
        _("due date of the current step"), null=True, blank=True, editable=False, db_index=True
    )
    acting_party = models.CharField(
        _("who acts now"), max_length=10, choices=Party.choices, default=Party.APPLICANT, editable=False
    )
    complete_since = models.DateField(_("complete since"), null=True, blank=True, editable=False)
    contract_date = models.DateField(_("contract date"), null=True, blank=True, editable=False)
    annulment_reason = models.CharField(
        _("annulment reason"), max_length=10, choices=AnnulmentReason.choices, blank=True, editable=False
    )
    overdue_notified_for = models.DateField(
        _("overdue notice sent for due date"), null=True, blank=True, editable=False
    )
    grid_works_done_on = models.DateField(
        _("grid organisation's measures done on"), null=True, blank=True, editable=False
    )
    reminder_notified_for = models.DateField(
        _("reminder sent for due date"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.SUBMITTED,
        permission=is_owner,
        custom=meta(_("Submit the application"), Actor.OWNER),
    )
    def submit(self) -> None:
        """Registration; the domain service checks completeness, routes and numbers first."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.UNDER_REVIEW,
        permission=is_branch_staff,
        custom=meta(_("Accept as complete"), Actor.BRANCH),
    )
    def accept(self) -> None:
        """The application is complete; the grid organisation prepares the offer."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.NEEDS_INFO,
        permission=is_branch_staff,
        custom=meta(_("Request missing information"), Actor.BRANCH),
    )
    def request_info(self) -> None:
        """Notice to the applicant listing what is missing."""

    @transition(
        field=state,
        source=State.NEEDS_INFO,
        target=State.SUBMITTED,
        permission=is_owner,
        custom=meta(_("Send the missing information"), Actor.OWNER),
    )
    def resubmit(self) -> None:
        """The applicant supplied what was asked for."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REJECTED,
        permission=is_branch_staff,
        custom=meta(_("Reject"), Actor.BRANCH),
    )
    def reject(self) -> None:
        """Refusal with a stated reason (for example, the object is not on this grid's territory)."""

    @transition(
        field=state,
        source=State.UNDER_REVIEW,
        target=State.OFFER_ISSUED,
        permission=is_branch_staff,
        custom=meta(_("Issue the technical conditions and offer"), Actor.BRANCH),
    )
    def issue_offer(self) -> None:
        """Technical conditions, contract offer and invoice are published to the applicant."""

    @transition(
        field=state,
        source=State.OFFER_ISSUED,
        target=State.CONTRACT_ACTIVE,
        permission=is_branch_staff,
        custom=meta(_("Record the payment"), Actor.BRANCH, also_system=True),
    )
    def record_payment(self) -> None:
        """Paying the invoice accepts the offer: the contract is made on the payment date."""

    @transition(
        field=state,
        source=State.CONTRACT_ACTIVE,
        target=State.READY_FOR_CHECK,
        permission=is_owner,
        custom=meta(_("Report that my part of the works is done"), Actor.OWNER),
    )
    def notify_ready(self) -> None:
        """The applicant has fulfilled its part of the technical conditions."""

    @transition(
        field=state,
        source=State.READY_FOR_CHECK,
        target=State.CONTRACT_ACTIVE,
        permission=is_branch_staff,
        custom=meta(_("Report defects"), Actor.BRANCH),
    )
    def report_defects(self) -> None:
        """The check found defects; the applicant corrects them."""

    @transition(
        field=state,
        source=State.READY_FOR_CHECK,
        target=State.CONNECTED,
        permission=is_branch_staff,
        custom=meta(_("Confirm the connection"), Actor.BRANCH),
    )
    def confirm_connection(self) -> None:
        """The devices are connected; final documents follow."""

    @transition(
        field=state,
        source=State.CONNECTED,
        target=State.CLOSED,
        permission=is_branch_staff,
        custom=meta(_("Close the application"), Actor.BRANCH),
    )
    def close(self) -> None:
        """Final documents issued and sent to the guaranteeing supplier."""

    @transition(
        field=state,
        source=[State.SUBMITTED, State.NEEDS_INFO, State.UNDER_REVIEW, State.OFFER_ISSUED],
        target=State.WITHDRAWN,
        permission=is_owner,
        custom=meta(_("Withdraw the application"), Actor.OWNER),
    )
    def withdraw(self) -> None:
        """The applicant withdraws before the contract is made."""

    @transition(
        field=state,
        source=[State.NEEDS_INFO, State.OFFER_ISSUED],
        target=State.ANNULLED,
        permission=system_only,
        custom=meta(_("Annul"), Actor.SYSTEM),
    )
    def annul(self) -> None:
        """The applicant's term ran out (missing information not supplied, invoice not paid)."""
