"""Writes of consumers' reports: submission (validated, rate-limited when anonymous, routed by
territory), confirmation by the e-mailed link, grouping into incidents, the engineer's answer,
assignment, merge and split. Each public function is one transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pyproj import Geod

from appeals import events, notices
from appeals.exceptions import (
    IncidentNotFound,
    NotYourBranch,
    ReportNotFound,
    StatusChangeNotAllowed,
    TooManyReports,
)
from appeals.models import (
    ANSWER_STATUSES,
    CLOSED_STATUSES,
    URGENT_DEFECTS,
    DefectKind,
    Incident,
    Open311Key,
    Report,
    ReportKind,
    ReportPhoto,
    Status,
    StatusEntry,
)
from appeals.permissions import can_act_in_branch
from appeals.photos import check_photo, public_copy
from appeals.places import settlement_in_text, settlement_named
from backend.users.rate_limits import RateLimit
from backend.users.roles import Role
from grid.territories import in_service_area, route
from workflow import calendar
from workflow.models import local_today
from workflow.rulebook import Rules, get_rules, get_rules_by_version

_GEOD = Geod(ellps="WGS84")
_PHONE = re.compile(r"^\+?[0-9()\- ]{5,20}$")
MAX_DESCRIPTION = 4000
#: A report may say the trouble started a little "in the future" of the server's clock.
CLOCK_SKEW = timedelta(minutes=10)
MAX_REPORT_AGE = timedelta(days=30)

#: Which status may follow which. Closed statuses are final; a planned repair may be re-planned.
NEXT_STATUSES: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset(
        {Status.INVESTIGATING, Status.PLANNED, Status.FIXED, Status.NOT_CONFIRMED, Status.DUPLICATE}
    ),
    Status.INVESTIGATING: frozenset({Status.PLANNED, Status.FIXED, Status.NOT_CONFIRMED, Status.DUPLICATE}),
    Status.PLANNED: frozenset({Status.PLANNED, Status.INVESTIGATING, Status.FIXED, Status.NOT_CONFIRMED}),
    Status.FIXED: frozenset(),
    Status.NOT_CONFIRMED: frozenset(),
    Status.DUPLICATE: frozenset(),
}


def _limits() -> tuple[RateLimit, RateLimit]:
    return (
        RateLimit("report_anonymous_address", settings.APPEALS_ANONYMOUS_REPORTS_PER_ADDRESS_PER_HOUR, 3600),
        RateLimit("report_anonymous_email", settings.APPEALS_ANONYMOUS_REPORTS_PER_EMAIL_PER_HOUR, 3600),
    )


def _coordinate(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[field] = ValidationError(_("Enter a number in degrees, for example 45.04."), code="invalid")
        return None
    if not number.is_finite():
        errors[field] = ValidationError(_("Enter a number in degrees, for example 45.04."), code="invalid")
        return None
    return number.quantize(Decimal("0.000001"))


def _validated_place(*, latitude, longitude, settlement: str, address: str, errors: dict):
    """(latitude, longitude, settlement name) of the report, or errors filled."""
    lat = _coordinate(latitude, "latitude", errors)
    lon = _coordinate(longitude, "longitude", errors)
    if "latitude" in errors or "longitude" in errors:
        return None
    if (lat is None) != (lon is None):
        errors["latitude" if lat is None else "longitude"] = ValidationError(
            _("Give both the latitude and the longitude, or mark the place on the map."), code="required"
        )
        return None
    named = settlement_named(settlement) if settlement else None
    if settlement and named is None:
        errors["settlement"] = ValidationError(_("Choose a settlement from the list."), code="invalid_choice")
        return None
    if lat is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not in_service_area(lat, lon):
            errors["latitude"] = ValidationError(
                _("The place is outside the area the grid organisation serves."), code="outside_area"
            )
            return None
        return lat, lon, named.name if named else ""
    named = named or (settlement_in_text(address) if address else None)
    if named is None:
        errors["location"] = ValidationError(
            _("Mark the place on the map or choose the settlement."), code="required"
        )
        return None
    return named.latitude, named.longitude, named.name


def _answer_due(rules: Rules, moment: datetime):
    return calendar.add_working_days(timezone.localdate(moment), rules.report_answer_wd)


@transaction.atomic
def submit_report(
    *,
    kind: str,
    defect_kind: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    settlement: str = "",
    address: str = "",
    started_at: datetime | None,
    description: str = "",
    media_url: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    photos: Sequence[UploadedFile] = (),
    reporter=None,
    client_address: str,
    base_url: str,
    open311_key: Open311Key | None = None,
) -> Report:
    """A new report. Anonymous web reports wait for the e-mailed confirmation (and are limited per
    client address and e-mail address); reports from an account or an Open311 client with a key
    are confirmed at once and join their incident."""
    errors: dict[str, ValidationError | list] = {}
    if kind not in ReportKind.values:
        errors["kind"] = ValidationError(_("Choose what happened."), code="invalid_choice")
    if kind == ReportKind.EQUIPMENT_DEFECT:
        if defect_kind not in DefectKind.values:
            errors["defect_kind"] = ValidationError(
                _("Choose what is wrong with the equipment."), code="required"
            )
    elif defect_kind:
        defect_kind = ""  # only equipment defects have sub-kinds
    place = _validated_place(
        latitude=latitude, longitude=longitude, settlement=settlement, address=address, errors=errors
    )
    now = timezone.now()
    if started_at is None:
        errors["started_at"] = ValidationError(_("Say when it started."), code="required")
    elif timezone.is_naive(started_at):
        errors["started_at"] = ValidationError(_("Give the time with its time zone."), code="invalid")
    elif started_at > now + CLOCK_SKEW:
        errors["started_at"] = ValidationError(_("The start cannot be in the future."), code="future")
    elif started_at < now - MAX_REPORT_AGE:
        errors["started_at"] = ValidationError(
            _("Report only what started within the last 30 days."), code="too_old"
        )
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = ValidationError(
            _("At most %(limit)s characters.") % {"limit": MAX_DESCRIPTION}, code="max_length"
        )
    address = (address or "").strip()
    if len(address) > 300:
        errors["address"] = ValidationError(
            _("At most %(limit)s characters.") % {"limit": 300}, code="max_length"
        )
    contact_name = (contact_name or "").strip()
    if len(contact_name) > 150:
        errors["contact_name"] = ValidationError(
            _("At most %(limit)s characters.") % {"limit": 150}, code="max_length"
        )
    contact_email = (contact_email or "").strip().lower() or (reporter.email if reporter else "")
    try:
        validate_email(contact_email)
    except ValidationError:
        errors["contact_email"] = ValidationError(
            _("Enter the e-mail address where the answer should go."), code="invalid"
        )
    contact_phone = (contact_phone or "").strip()
    if contact_phone and not _PHONE.match(contact_phone):
        errors["contact_phone"] = ValidationError(
            _("Enter a phone number: digits, +, brackets and dashes."), code="invalid"
        )
    checked_photos = []
    if len(photos) > settings.APPEALS_MAX_PHOTOS:
        errors["photos"] = ValidationError(
            _("At most %(limit)s photos.") % {"limit": settings.APPEALS_MAX_PHOTOS}, code="too_many"
        )
    else:
        for upload in photos:
            try:
                checked_photos.append((upload, check_photo(upload)))
            except ValidationError as error:
                errors.setdefault("photos", []).extend(error.error_dict["photos"])
                break
    if errors:
        raise ValidationError(errors)

    anonymous = reporter is None and open311_key is None
    if anonymous:
        for limit, subject in zip(_limits(), (client_address, contact_email), strict=True):
            waiting = limit.wait(subject)
            if waiting is not None:
                raise TooManyReports(retry_after=waiting)
        for limit, subject in zip(_limits(), (client_address, contact_email), strict=True):
            limit.hit(subject)

    latitude, longitude, settlement_name = place
    routing = route(latitude=latitude, longitude=longitude)
    rules = get_rules()
    report = Report.objects.create(
        channel=Report.Channel.OPEN311 if open311_key else Report.Channel.WEB,
        open311_key=open311_key,
        kind=kind,
        defect_kind=defect_kind,
        urgent=defect_kind in URGENT_DEFECTS,
        latitude=latitude,
        longitude=longitude,
        settlement=settlement_name,
        address=address,
        started_at=started_at,
        description=description,
        media_url=media_url,
        reporter=reporter,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        branch=routing.branch,
        territory=routing.territory,
        routing_method=routing.method,
        due_date=_answer_due(rules, now),
        rulebook_version_id=rules.version_id,
        created_at=now,
    )
    report.number = f"R-{report.pk:06d}"
    report.save(update_fields=["number"])
    for upload, checked in checked_photos:
        photo = ReportPhoto(
            report=report,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        photo.file.save(checked.name, upload, save=False)
        photo.public_file.save(checked.name, public_copy(upload, checked), save=False)
        photo.save()
    StatusEntry.objects.create(report=report, action=StatusEntry.Action.RECEIVED, actor=reporter)
    if anonymous:
        notices.confirmation_request(report, base_url=base_url)
    else:
        _confirm(report, base_url=base_url)
    return report


def _confirm(report: Report, *, base_url: str) -> None:
    now = timezone.now()
    rules = get_rules_by_version(report.rulebook_version_id)
    report.confirmed_at = now
    # The answer term runs from publication: for an anonymous report, its confirmation.
    report.due_date = _answer_due(rules, now)
    report.save(update_fields=["confirmed_at", "due_date"])
    StatusEntry.objects.create(report=report, action=StatusEntry.Action.CONFIRMED, actor=report.reporter)
    incident = _attach_to_incident(report, rules)
    notices.report_received(report, base_url=base_url)
    events.record_event("appeals.report.received", report=report, incident=incident)


@transaction.atomic
def confirm_report(*, confirmation_token: str, base_url: str) -> Report:
    """The reporter followed the e-mailed link: the report reaches the branch (once)."""
    report = Report.objects.select_for_update().filter(confirmation_token=confirmation_token).first()
    if report is None:
        raise ReportNotFound()
    if report.confirmed_at is None:
        _confirm(report, base_url=base_url)
    return report


def distance_m(lat1, lon1, lat2, lon2) -> float:
    return abs(_GEOD.inv(float(lon1), float(lat1), float(lon2), float(lat2))[2])


def _attach_to_incident(report: Report, rules: Rules) -> Incident:
    """Join the nearest open incident of the same kind in the branch with a report started within
    the window and a centre within the radius; otherwise open a new incident."""
    window = timedelta(hours=rules.incident_window_hours)
    matching = (
        Incident.objects.filter(
            kind=report.kind,
            defect_kind=report.defect_kind,
            branch=report.branch,
            merged_into__isnull=True,
            reports__started_at__gte=report.started_at - window,
            reports__started_at__lte=report.started_at + window,
        )
        .exclude(status__in=CLOSED_STATUSES)
        .values("pk")
    )
    # Locked by id: PostgreSQL allows no FOR UPDATE on the join's DISTINCT; in id order (no deadlock).
    candidates = Incident.objects.select_for_update().filter(pk__in=matching).order_by("pk")
    near = [
        (distance_m(report.latitude, report.longitude, item.latitude, item.longitude), item.pk, item)
        for item in candidates
    ]
    near = [entry for entry in near if entry[0] <= float(rules.incident_radius_m)]
    if near:
        incident = min(near, key=lambda entry: (entry[0], entry[1]))[2]
    else:
        incident = Incident.objects.create(
            kind=report.kind,
            defect_kind=report.defect_kind,
            urgent=report.urgent,
            branch=report.branch,
            area=report.territory.name.strip() if report.territory else report.settlement,
            latitude=report.latitude,
            longitude=report.longitude,
            started_at=report.started_at,
            due_date=report.due_date,
        )
        incident.number = f"I-{incident.pk:06d}"
        incident.save(update_fields=["number"])
    report.incident = incident
    StatusEntry.objects.create(
        incident=incident, report=report, action=StatusEntry.Action.RECEIVED, comment=report.number
    )
    if incident.status != Status.RECEIVED:
        # The branch has already answered this incident: the new reporter gets that answer now.
        _copy_status(report, incident, actor=None, comment=_("Joined an incident already answered."))
    report.save()
    _refresh(incident)
    return incident


def _refresh(incident: Incident) -> None:
    """Centre, start, due date and urgency of an incident from its reports."""
    reports = list(incident.reports.all())
    if not reports:
        return
    incident.latitude = (sum(item.latitude for item in reports) / len(reports)).quantize(Decimal("0.000001"))
    incident.longitude = (sum(item.longitude for item in reports) / len(reports)).quantize(
        Decimal("0.000001")
    )
    incident.started_at = min(item.started_at for item in reports)
    incident.due_date = min(item.due_date for item in reports)
    incident.urgent = any(item.urgent for item in reports)
    incident.save()


def _copy_status(report: Report, incident: Incident, *, actor, comment: str = "") -> None:
    previous = report.status
    report.status = incident.status
    report.planned_fix_date = incident.planned_fix_date
    report.answer_text = incident.answer_text
    if incident.status in ANSWER_STATUSES and report.answered_at is None:
        report.answered_at = timezone.now()
    StatusEntry.objects.create(
        report=report,
        action=StatusEntry.Action.STATUS,
        from_status=previous,
        to_status=report.status,
        planned_fix_date=report.planned_fix_date,
        comment=comment or incident.answer_text,
        actor=actor,
    )


# The branch's side


def _locked_incident(*, incident_id: int, actor) -> Incident:
    incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None:
        raise IncidentNotFound()
    if not can_act_in_branch(actor, incident.branch_id):
        raise NotYourBranch()
    return incident


@transaction.atomic
def change_incident_status(
    *,
    incident_id: int,
    actor,
    status: str,
    planned_fix_date=None,
    answer_text: str = "",
    base_url: str,
) -> Incident:
    """Set the incident's status; every report in it takes the same status and answer, and each
    reporter is told by e-mail."""
    incident = _locked_incident(incident_id=incident_id, actor=actor)
    answer_text = (answer_text or "").strip()
    errors: dict[str, ValidationError] = {}
    if status not in Status.values or status == Status.RECEIVED:
        errors["status"] = ValidationError(_("Choose the new status."), code="invalid_choice")
    if status == Status.PLANNED:
        if planned_fix_date is None:
            errors["planned_fix_date"] = ValidationError(_("Give the date of the repair."), code="required")
        elif planned_fix_date < local_today():
            errors["planned_fix_date"] = ValidationError(
                _("The date of the repair cannot be in the past."), code="past"
            )
    elif planned_fix_date is not None and "status" not in errors:
        planned_fix_date = None  # a date only goes with a planned repair
    if status in ANSWER_STATUSES and not answer_text:
        errors["answer_text"] = ValidationError(_("Write the answer to the reporters."), code="required")
    if len(answer_text) > MAX_DESCRIPTION:
        errors["answer_text"] = ValidationError(
            _("At most %(limit)s characters.") % {"limit": MAX_DESCRIPTION}, code="max_length"
        )
    if errors:
        raise ValidationError(errors)
    if incident.merged_into_id is not None or status not in NEXT_STATUSES[incident.status]:
        raise StatusChangeNotAllowed(
            _("An incident in status “%(current)s” cannot become “%(new)s”.")
            % {"current": incident.get_status_display(), "new": Status(status).label}
        )
    previous = incident.status
    incident.status = status
    incident.planned_fix_date = planned_fix_date if status == Status.PLANNED else incident.planned_fix_date
    if status != Status.INVESTIGATING:
        incident.answer_text = answer_text
    if status in ANSWER_STATUSES and incident.answered_at is None:
        incident.answered_at = timezone.now()
    incident.save()
    StatusEntry.objects.create(
        incident=incident,
        action=StatusEntry.Action.STATUS,
        from_status=previous,
        to_status=status,
        planned_fix_date=incident.planned_fix_date if status == Status.PLANNED else None,
        comment=answer_text,
        actor=actor,
    )
    for report in incident.reports.select_for_update().filter(confirmed_at__isnull=False):
        _copy_status(report, incident, actor=actor, comment=answer_text)
        report.save()
        notices.status_changed(report, base_url=base_url)
    events.record_event("appeals.incident.status_changed", incident=incident, previous=previous)
    return incident


@transaction.atomic
def assign_incident(*, incident_id: int, actor, assignee_id: int | None) -> Incident:
    """Give the incident to an engineer of its branch (or to nobody)."""
    incident = _locked_incident(incident_id=incident_id, actor=actor)
    assignee = None
    if assignee_id is not None:
        assignee = (
            type(actor)
            .objects.filter(
                pk=assignee_id, is_active=True, groups__name=Role.ENGINEER.value, branches=incident.branch_id
            )
            .first()
        )
        if assignee is None:
            raise ValidationError(
                {"assignee": ValidationError(_("Choose an engineer of this branch."), code="invalid_choice")}
            )
    incident.assignee = assignee
    incident.save(update_fields=["assignee", "updated_at"])
    StatusEntry.objects.create(
        incident=incident,
        action=StatusEntry.Action.ASSIGNED,
        comment=assignee.get_full_name() or assignee.email if assignee else "",
        actor=actor,
    )
    return incident


@transaction.atomic
def merge_incidents(*, target_id: int, source_number: str, actor) -> Incident:
    """Move every report of the incident `source_number` into the target; the source is closed as
    a duplicate of the target."""
    target = _locked_incident(incident_id=target_id, actor=actor)
    source = Incident.objects.select_for_update().filter(number=(source_number or "").strip().upper()).first()
    if source is None or source.pk == target.pk:
        raise ValidationError(
            {"source": ValidationError(_("Enter the number of another incident."), code="invalid")}
        )
    if source.branch_id != target.branch_id:
        raise ValidationError(
            {"source": ValidationError(_("Only incidents of one branch can be merged."), code="other_branch")}
        )
    if source.merged_into_id is not None or source.is_closed or target.is_closed:
        raise StatusChangeNotAllowed(_("Only open incidents can be merged."))
    moved = list(source.reports.all())
    for report in moved:
        report.incident = target
        if target.status != Status.RECEIVED:
            _copy_status(report, target, actor=actor)
        report.save()
    previous = source.status
    source.status = Status.DUPLICATE
    source.merged_into = target
    source.save()
    StatusEntry.objects.create(
        incident=source,
        action=StatusEntry.Action.MERGED,
        from_status=previous,
        to_status=Status.DUPLICATE,
        comment=target.number,
        actor=actor,
    )
    StatusEntry.objects.create(
        incident=target, action=StatusEntry.Action.MERGED, comment=source.number, actor=actor
    )
    _refresh(target)
    return target


@transaction.atomic
def split_report(*, report_id: int, actor) -> Incident:
    """Take a report out of its incident into a new incident of its own."""
    report = Report.objects.select_for_update().filter(pk=report_id, incident__isnull=False).first()
    if report is None:
        raise ReportNotFound()
    old = _locked_incident(incident_id=report.incident_id, actor=actor)
    if old.reports.count() < 2:
        raise StatusChangeNotAllowed(_("The incident has only this report."))
    incident = Incident.objects.create(
        kind=report.kind,
        defect_kind=report.defect_kind,
        urgent=report.urgent,
        branch=report.branch,
        area=old.area,
        latitude=report.latitude,
        longitude=report.longitude,
        started_at=report.started_at,
        due_date=report.due_date,
        status=Status.RECEIVED,
    )
    incident.number = f"I-{incident.pk:06d}"
    incident.save(update_fields=["number"])
    report.incident = incident
    report.save(update_fields=["incident"])
    StatusEntry.objects.create(
        incident=old, action=StatusEntry.Action.SPLIT, comment=report.number, actor=actor
    )
    StatusEntry.objects.create(
        incident=incident, report=report, action=StatusEntry.Action.SPLIT, comment=old.number, actor=actor
    )
    _refresh(old)
    _refresh(incident)
    return incident
