"""The domain side of each transition: what it checks and records on the application before the
workflow changes the state (in the same transaction). Views call `perform_transition` only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.events.models import EventKind
from backend.events.services import record_event
from backend.users.consent import record_consent
from backend.users.models import Consent, ConsentText, User
from connection import completeness, invoices, reservations, services, technical_conditions
from connection.fees import fee_for_application
from connection.issued_documents import (
    connection_documents,
    offer_documents,
    removed_on_failure,
)
from connection.models import ConnectionRequest, Invoice
from grid import territories
from grid.models import AssetCapacity
from workflow.rulebook import get_rules
from workflow.services import run_transition


def _refuse_if_incomplete(application: ConnectionRequest) -> None:
    missing = completeness.missing_items(application)
    if missing:
        refused: dict[str, list[ValidationError]] = {}
        for item in missing:
            refused.setdefault(item.field, []).append(ValidationError(item.message, code=item.code))
        raise ValidationError(refused)


def _submit(application: ConnectionRequest, data: dict[str, Any], user: User) -> None:
    """Register a complete draft: route it to a branch, number it, keep the applicant's snapshot
    and the rulebook version in force."""
    _refuse_if_incomplete(application)
    services.validate_draft(application, list(application.stages.values("planned_date", "power_kw")))
    routing = territories.route(latitude=application.latitude, longitude=application.longitude)
    now = timezone.now()
    application.branch = routing.branch
    application.territory = routing.territory
    application.routing_method = routing.method
    application.routing_needs_attention = routing.needs_attention
    application.settlement_kind = routing.settlement_kind
    application.rulebook_version_id = get_rules(on=timezone.localdate(now)).version_id
    application.applicant_snapshot = services.applicant_snapshot(application.applicant)
    application.submitted_at = now
    application.number = services.next_number(timezone.localdate(now).year)


def _resubmit(application: ConnectionRequest, data: dict[str, Any], user: User) -> None:
    _refuse_if_incomplete(application)
    services.validate_draft(application, list(application.stages.values("planned_date", "power_kw")))
    application.requested_items = []
    # The applicant may have corrected their own data too: keep what was sent now.
    application.applicant_snapshot = services.applicant_snapshot(application.applicant)


def _request_info(application: ConnectionRequest, data: dict[str, Any], user: User) -> None:
    items = [item.strip() for item in data.get("items", []) if item and item.strip()]
    if not items:
        raise ValidationError(
            {"items": ValidationError(_("List at least one missing item."), code="items_required")}
        )
    application.requested_items = items


def _reject(application: ConnectionRequest, data: dict[str, Any], user: User) -> None:
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason of the rejection."), code="required")}
        )
    application.rejection_reason = reason
    _release_capacity(application, data, user)  # grid assets: give the reserved capacity back


def _issue_offer(application: ConnectionRequest, data: dict[str, Any], user: User) -> None:
    """The offer: the technical conditions (what they grant decides the fee and the reservation),
    the connection point, the fee and its documents."""
    errors = {}
    for field in ("fee_rub", "grid_distance_m"):
        if data.get(field) in (None, ""):
            errors[field] = ValidationError(_("This field is required."), code="required")
    # Absent: the point the applicant chose, if any; 0: explicitly a point outside the register.
    point_id = data.get("connection_point_id")
    if point_id is None:
        point_id = application.preferred_connection_point_id
    point_id = point_id or None
    label = (data.get("connection_point") or "").strip()
    if not label and point_id is None:
        errors["connection_point"] = ValidationError(
            _("Name the connection point or choose one of the register."), code="required"
        )
    if data.get("fee_rub") is not None and Decimal(data["fee_rub"]) < 0:
        errors["fee_rub"] = ValidationError(_("The fee cannot be negative."), code="min_value")
    granted, conditions_errors = technical_conditions.check(application=application, data=data)
    errors.update(conditions_errors)
    if errors:
        raise ValidationError(errors)
    _check_fee(application, data, granted)
    if point_id is not None:
        # A point of the register names itself, so the documents and the reservation agree.
        capacity = AssetCapacity.objects.select_related("asset").filter(pk=point_id).first()
        if capacity is None:
            raise ValidationError(
                {
                    "connection_point_id": ValidationError(
                        _("There is no such connection point."), code="does_not_exist"
                    )
                }
            )
        with translation.override(settings.LANGUAGE_CODE):  # the label goes into the documents
            label = technical_conditions.point_label(capacity)
    application.connection_point_label = label
    application.fee_rub = Decimal(data["fee_rub"])
    application.grid_distance_m = Decimal(data["grid_distance_m"])
    application.needs_construction = bool(data.get("needs_construction", False))
    application.crosses_third_party_land = bool(data.get("crosses_third_party_land", False))
    # Reserve the power granted at the point, of the voltage granted (row-locked)
    if point_id is not None:
        reservations.reserve_capacity(
            application=application,
            capacity_id=point_id,
            kw=granted.new_kw,
            voltage_level=granted.voltage_level,
        )
    technical_conditions.record(
        application=application, data=data, user=user, granted=granted, capacity_id=point_id
    )
    invoice = invoices.issue_invoice(application=application, issued_on=timezone.localdate())
    if invoice is not None:
        data["invoice_number"] = invoice.number
    offer_documents(application=application, user=user)


# The calculated fee; a different fee needs the engineer's reason, recorded in the history
def _check_fee(
    application: ConnectionRequest, data: dict[str, Any], granted: technical_conditions.Granted
) -> None:
    fee = Decimal(data["fee_rub"]).quantize(Decimal("0.01"))
    result = fee_for_application(
        application,
        grid_distance_m=Decimal(data["grid_distance_m"]),
        overhead_km=Decimal(data.get("overhead_km") or 0),
        cable_km=Decimal(data.get("cable_km") or 0),
        privileged=bool(data.get("privileged_applicant")),
        requested_kw=granted.new_kw,
        voltage_level=granted.voltage_level,
        reliability_category=granted.reliability_category,
    )
    reason = (data.get("fee_override_reason") or "").strip()
    if result is None:
        application.fee_calculated_rub, application.fee_override_reason = None, reason
        data["fee_note"] = "no tariff applies: the engineer's fee accepted"
        return
    application.fee_calculated_rub = result.total
    data["fee_calculated_rub"] = result.total
    data["fee_tariff_id"] = result.tariff.pk
    if fee != result.total and not reason:
        raise ValidationError(
            {
                "fee_override_reason": ValidationError(
                    _("The fee differs from the calculated %(calculated)s roubles: give the reason.")
                    % {"calculated": result.total},
                    code="required",
                )
            }
        )
    application.fee_override_reason = reason if fee != result.total else ""


# Annulled, withdrawn or rejected applications give their reserved capacity back
def _release_capacity(application: ConnectionRequest, data: dict[str, Any], user: User | None) -> None:
    reservations.release_reservations(application=application)


def _record_payment(application: ConnectionRequest, data: dict[str, Any], user: User) -> None:
    paid_on: date = data["paid_on"]
    if paid_on > timezone.localdate():
        raise ValidationError(
            {"paid_on": ValidationError(_("The payment date cannot be in the future."), code="future_date")}
        )
    if application.step_started_on and paid_on < application.step_started_on:
        raise ValidationError(
            {"paid_on": ValidationError(_("The payment cannot precede the offer."), code="before_offer")}
        )
    amount = Decimal(data["amount_rub"])
    due_now = invoices.amount_due_now(application)
    if due_now is not None and amount < due_now:
        # Paying accepts the offer: the whole fee, or with instalments the part not spread out.
        raise ValidationError(
            {
                "amount_rub": ValidationError(
                    _("The payment of %(amount)s roubles is less than the %(due)s roubles due.")
                    % {"amount": amount, "due": due_now},
                    code="underpaid",
                )
            }
        )
    application.invoices.filter(status=Invoice.Status.OPEN).update(status=Invoice.Status.PAID)
    application.paid_amount_rub = amount
    application.contract_date = paid_on  # paying the invoice accepts the offer


def _report_defects(application: ConnectionRequest, data: dict[str, Any], user: User) -> None:
    if not (data.get("defects") or "").strip():
        raise ValidationError({"defects": ValidationError(_("Describe the defects found."), code="required")})


def _confirm_connection(application: ConnectionRequest, data: dict[str, Any], user: User) -> None:
    if application.grid_works_done_on is None:
        # The rules' order: the grid organisation's own measures are done before the connection.
        raise ValidationError(
            _("Record first that the grid organisation's measures are done."), code="grid_works_not_done"
        )
    connected_on: date = data.get("connected_on") or timezone.localdate()
    if connected_on > timezone.localdate():
        raise ValidationError(
            {"connected_on": ValidationError(_("The date cannot be in the future."), code="future_date")}
        )
    if application.contract_date and connected_on < application.contract_date:
        raise ValidationError(
            {
                "connected_on": ValidationError(
                    _("The connection cannot precede the contract."), code="before_contract"
                )
            }
        )
    if connected_on < application.grid_works_done_on:
        raise ValidationError(
            {
                "connected_on": ValidationError(
                    _("The connection cannot precede the grid organisation's works."),
                    code="before_grid_works",
                )
            }
        )
    application.connected_on = connected_on
    connection_documents(application=application, user=user)


BEFORE: dict[str, Callable[[ConnectionRequest, dict[str, Any], User], None]] = {
    "submit": _submit,
    "resubmit": _resubmit,
    "request_info": _request_info,
    "reject": _reject,
    "issue_offer": _issue_offer,
    "record_payment": _record_payment,
    "report_defects": _report_defects,
    "confirm_connection": _confirm_connection,
    "withdraw": _release_capacity,  # grid assets
    "annul": _release_capacity,  # grid assets (the scheduled job is covered by a post_transition receiver)
}


def _as_json(data: dict[str, Any]) -> dict[str, Any]:
    def convert(value):
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return {key: convert(value) for key, value in data.items()}


def perform_transition(
    *,
    application: ConnectionRequest,
    name: str,
    user: User,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> ConnectionRequest:
    data = data or {}
    before = BEFORE.get(name)
    history = _as_json(data)

    def run_before(current: ConnectionRequest) -> None:
        before(current, data, user)
        history.update(_as_json(data))

    with removed_on_failure():
        application = run_transition(
            application=application,
            name=name,
            user=user,
            comment=comment,
            data=history,
            before=run_before if before else None,
        )
    if name == "record_payment":
        record_event(
            kind=EventKind.PAYMENT_RECORDED,
            application=application,
            actor=user,
            payload={
                "payment": {
                    "amount_rub": str(application.paid_amount_rub),
                    "paid_on": application.contract_date.isoformat(),
                }
            },
        )
    return application


def submit(
    *, application: ConnectionRequest, user: User, consent: ConsentText | None = None
) -> ConnectionRequest:
    """Submit the draft; with `consent`, the applicant's consent to the processing of personal data
    (that version of the text) is recorded with the submission, in the same transaction."""
    with transaction.atomic():
        submitted = perform_transition(application=application, name="submit", user=user)
        if consent is not None:
            given = record_consent(user=user, text=consent, purpose=Consent.Purpose.SUBMISSION)
            ConnectionRequest.objects.filter(pk=submitted.pk).update(personal_data_consent=given)
            submitted.personal_data_consent = given
    return submitted
