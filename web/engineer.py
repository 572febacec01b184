"""The engineer's page of an application (`/console/applications/<id>/`): every field, the
documents viewable in the page, the object and the candidate connection points on a map, the load
calculation with its trace, the full history, the thread, and the transitions open now as forms
(built from the transitions API, prefilled where the application tells the value).

Only the staff of the application's branch (its engineers, supervisors, administrators) open it;
anyone else gets a 404, as for an application they cannot see."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from backend.formatting import number_text
from backend.users.roles import Role
from connection import completeness, selectors, technical_conditions
from connection.issued_documents import issued_conditions
from connection.models import Applicant, ConnectionRequest, DocumentType, PaymentOption
from web.action_forms import action_forms
from web.views import map_settings
from web.wizard import document_rows
from workflow.machine import Actor, is_branch_staff
from workflow.models import TransitionLog
from workflow.selectors import rules_for
from workflow.services import available, label_of
from workflow.states import State

#: Content types the page shows itself (the rest is downloaded).
VIEWABLE = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image"}

#: What the history shows of a transition's data, in this order (the rest stays in the API).
HISTORY_DATA = (
    "items",
    "reason",
    "defects",
    "connection_point",
    "grid_distance_m",
    "max_power_kw",
    "fee_rub",
    "fee_calculated_rub",
    "fee_override_reason",
    "paid_on",
    "amount_rub",
    "connected_on",
    "engineer_name",
)

APPLICATION_FIELDS = (
    "number",
    "kind",
    "object_name",
    "object_address",
    "cadastral_number",
    "latitude",
    "longitude",
    "settlement_kind",
    "territory",
    "routing_method",
    "previously_connected_kw",
    "requested_kw",
    "total_kw",
    "voltage_level",
    "phases",
    "reliability_category",
    "load_character",
    "temporary_term_months",
    "guaranteeing_supplier",
    "payment_option",
    "is_public_procurement",
    "preferred_connection_point",
    "submitted_at",
)
OFFER_FIELDS = (
    "connection_point_label",
    "grid_distance_m",
    "needs_construction",
    "crosses_third_party_land",
    "fee_rub",
    "fee_calculated_rub",
    "fee_override_reason",
    "contract_date",
    "paid_amount_rub",
    "connected_on",
)


def _shown(field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _label(field: models.Field) -> str:
    """The verbose name with a capital first letter (INN and SNILS stay as they are)."""
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def _rows(instance: models.Model, names: tuple[str, ...]) -> list[tuple[str, str]]:
    rows = []
    for name in names:
        field = instance._meta.get_field(name)
        rows.append((_label(field), _shown(field, getattr(instance, name))))
    return rows


def applicant_rows(application: ConnectionRequest) -> list[tuple[str, str]]:
    """The applicant as submitted (the snapshot), else as it is now."""
    snapshot = application.applicant_snapshot or {}
    rows = []
    for field in Applicant._meta.get_fields():
        if not (field.concrete and field.editable) or field.name in (
            "id",
            "owner",
            "created_at",
            "updated_at",
        ):
            continue
        value = snapshot.get(field.name) if snapshot else getattr(application.applicant, field.name, None)
        if value in (None, "") and field.name not in ("applicant_type",):
            continue
        if isinstance(field, models.DateField) and isinstance(value, str):
            value = date.fromisoformat(value)
        rows.append((_label(field), _shown(field, value)))
    return rows


def field_sections(application: ConnectionRequest) -> list[dict]:
    sections = [
        {"id": "applicant", "title": _("Applicant"), "rows": applicant_rows(application)},
        {"id": "application", "title": _("Application"), "rows": _rows(application, APPLICATION_FIELDS)},
    ]
    stages = [
        (
            _("Stage %(position)s") % {"position": stage.position},
            _("%(date)s: %(kw)s kW")
            % {
                "date": formats.date_format(stage.planned_date, "SHORT_DATE_FORMAT"),
                "kw": number_text(stage.power_kw),
            },
        )
        for stage in application.stages.all()
    ]
    if stages:
        sections.append({"id": "stages", "title": _("Commissioning stages"), "rows": stages})
    if application.state not in (State.SUBMITTED, State.NEEDS_INFO, State.UNDER_REVIEW, State.REJECTED):
        sections.append(
            {"id": "offer", "title": _("Offer and contract"), "rows": _rows(application, OFFER_FIELDS)}
        )
    conditions = issued_conditions(application)
    if conditions is not None:
        sections.append(
            {
                "id": "conditions",
                "title": _("Technical conditions %(number)s") % {"number": conditions.number},
                "rows": _rows(conditions, conditions.CONTENT_FIELDS),
            }
        )
    return sections


def viewable_documents(application: ConnectionRequest) -> list[dict]:
    """The document rows with, per version, whether the page can show it and where from."""
    rows = document_rows(application)
    for row in rows:
        for document in row["documents"]:
            for version in document.versions.all():
                version.view_kind = VIEWABLE.get(version.content_type)
    return rows


def history(application: ConnectionRequest) -> list[dict]:
    entries = (
        TransitionLog.objects.filter(application=application)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    result = []
    for entry in entries:
        data = entry.data if isinstance(entry.data, dict) else {}
        details = []
        for key in HISTORY_DATA:
            value = data.get(key)
            if value in (None, "", []):
                continue
            details.append({"key": key, "label": _history_label(key), "value": value})
        result.append(
            {
                "transition": entry.transition,
                "label": label_of(entry.transition),
                "from_state": str(State(entry.from_state).label)
                if entry.from_state in State.values
                else entry.from_state,
                "state": str(State(entry.to_state).label)
                if entry.to_state in State.values
                else entry.to_state,
                "at": entry.created_at,
                "actor": (entry.actor.get_full_name() or entry.actor.email)
                if entry.actor_id
                else _("the portal"),
                "actor_role": role_label(entry.actor_role),
                "via": entry.via,
                "comment": entry.comment,
                "details": details,
            }
        )
    return result


def role_label(code: str) -> str:
    """The role recorded in the history, as people call it (the code stays in the API)."""
    if code in Role.values:
        return str(Role(code).label)
    if code in Actor.values:
        return str(Actor(code).label)
    return code


def _history_label(key: str) -> str:
    return {
        "items": _("Items requested"),
        "reason": _("Reason"),
        "defects": _("Defects"),
        "connection_point": _("Connection point"),
        "grid_distance_m": _("Distance to the grid, m"),
        "max_power_kw": _("Maximum power, kW"),
        "fee_rub": _("Fee, roubles"),
        "fee_calculated_rub": _("Calculated fee, roubles"),
        "fee_override_reason": _("Reason for changing the fee"),
        "paid_on": _("Paid on"),
        "amount_rub": _("Amount, roubles"),
        "connected_on": _("Connected on"),
        "engineer_name": _("Engineer"),
    }[key]


def missing_data_checklist(application: ConnectionRequest) -> list[str]:
    """Items an engineer typically asks for: what the completeness check finds, then each document
    type of an applicant that is not attached."""
    items = [item.message for item in completeness.missing_items(application)]
    attached = {document.doc_type for document in application.documents.all()}
    for doc_type, label in DocumentType.choices:
        if doc_type in {
            DocumentType.TECHNICAL_CONDITIONS,
            DocumentType.OFFER,
            DocumentType.INVOICE,
            DocumentType.CONNECTION_NOTICE,
            DocumentType.CONNECTION_ACT,
            DocumentType.OTHER,
        }:
            continue
        if doc_type not in attached:
            items.append(str(label))
    items += [
        _("Correct cadastral number of the plot"),
        _("Coordinates of the object matching the location plan"),
        _("Signed consent to the processing of personal data"),
    ]
    seen: set[str] = set()
    return [item for item in items if not (item in seen or seen.add(item))]


def action_values(application: ConnectionRequest, names: set[str]) -> tuple[dict[str, dict], dict]:
    """Initial values per open transition, and the offer proposal (or None) for the page."""
    today = timezone.localdate()
    values: dict[str, dict] = {}
    proposal = None
    if "issue_offer" in names:
        proposal = technical_conditions.proposal(application, today=today)
        values["issue_offer"] = proposal.values
    if "record_payment" in names:
        due = application.fee_rub
        if due is not None and application.payment_option == PaymentOption.INSTALMENTS:
            share = rules_for(application).instalment_share_percent
            due = (due * (100 - share) / 100).quantize(Decimal("0.01"))
        values["record_payment"] = {
            "paid_on": today.isoformat(),
            "amount_rub": due if due is not None else "",
        }
    if "confirm_connection" in names:
        values["confirm_connection"] = {"connected_on": today.isoformat()}
    return values, proposal


def map_data(application: ConnectionRequest, proposal) -> dict | None:
    """The object and the candidate points for the page's map (None without coordinates)."""
    if application.latitude is None or application.longitude is None:
        return None
    if proposal is not None:
        points = proposal.points
    else:
        points, _chosen, _notes = technical_conditions.point_options(application)
    return {
        "object": {"lat": float(application.latitude), "lon": float(application.longitude)},
        "points": [
            {
                "id": point.capacity_id,
                "label": point.label,
                "lat": float(point.latitude),
                "lon": float(point.longitude),
                "distance_m": float(point.distance_m),
                "free_kw": float(point.free_kw),
                "sufficient": point.sufficient,
                "within_distance": point.within_distance,
            }
            for point in points
        ],
        "points_list": points,
    }


def engineer_context(request, application: ConnectionRequest, action_state: dict) -> dict:
    open_names = {info.name for info in available(application, request.user)}
    initial, proposal = action_values(application, open_names)
    return {
        "sections": field_sections(application),
        "map": map_settings(),
        "documents": viewable_documents(application),
        "history": history(application),
        "map_data": map_data(application, proposal),
        "proposal": proposal,
        "load_calculation": selectors.latest_load_calculation(application=application),
        "checklist": missing_data_checklist(application) if "request_info" in open_names else [],
        "actions": action_forms(application, request.user, initial=initial, **action_state),
    }


def staff_application(request, pk: int) -> ConnectionRequest:
    """The application if the user is staff of its branch; a 404 otherwise (also for another branch)."""
    application = (
        selectors.visible_requests(request.user)
        .select_related(
            "applicant", "branch", "territory", "assigned_to", "preferred_connection_point__asset"
        )
        .prefetch_related("stages", "documents__versions")
        .filter(pk=pk)
        .first()
    )
    if (
        application is None
        or application.state == State.DRAFT
        or not is_branch_staff(application, request.user)
    ):
        raise Http404
    return application
