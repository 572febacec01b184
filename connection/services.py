"""Writes of the connection domain. Each public function is one transaction; views call these
and nothing else writes. Validation errors are raised keyed by field, so nothing is half-saved."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import upload_checks
from backend.users.models import User
from connection.eligibility import eligibility_errors
from connection.exceptions import ApplicationConflict
from connection.models import (
    Applicant,
    CommissioningStage,
    ConnectionRequest,
    Document,
    DocumentVersion,
    RequestNumberSequence,
)
from connection.models.applicants import APPLICANT_FIELDS
from connection.models.documents import ISSUED_DOCUMENT_TYPES
from connection.models.requests import EDITABLE_FIELDS
from connection.reservations import unsuitable_point
from grid import territories
from workflow.rulebook import get_rules
from workflow.states import State

# The object's place and the applicant decide the routing and the number's owner: once registered,
# they stay.
FIXED_AT_REGISTRATION = ("applicant", "latitude", "longitude")


# Applicants


@transaction.atomic
def create_applicant(*, owner: User, data: dict[str, Any]) -> Applicant:
    applicant = Applicant(owner=owner)
    return _save_applicant(applicant, data)


@transaction.atomic
def update_applicant(*, applicant: Applicant, data: dict[str, Any]) -> Applicant:
    return _save_applicant(applicant, data)


# Identity numbers are often typed with spaces and dashes (SNILS 112-233-445 95); they are stored bare.
NUMBER_FIELDS = ("inn", "ogrn", "snils", "passport_series", "passport_number")


def _save_applicant(applicant: Applicant, data: dict[str, Any]) -> Applicant:
    for field, value in data.items():
        if field in APPLICANT_FIELDS:
            if field in NUMBER_FIELDS and isinstance(value, str):
                value = re.sub(r"[\s-]", "", value)
            setattr(applicant, field, value)
    applicant.full_clean()
    applicant.save()
    return applicant


@transaction.atomic
def delete_applicant(*, applicant: Applicant) -> None:
    if applicant.connection_requests.exists():
        raise ApplicationConflict(
            _("The applicant is named in applications and cannot be deleted."), code="applicant_in_use"
        )
    applicant.delete()


# Drafts


def validate_draft(application: ConnectionRequest, stages: list[dict[str, Any]] | None) -> None:
    """Everything given must be valid and allowed; raises one ValidationError keyed by field."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        application.full_clean(exclude=["owner", "applicant", "state"])  # state: only transitions set it
    except ValidationError as error:
        for field, field_errors in error.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)

    if application.applicant_id and application.applicant.owner_id != application.owner_id:
        errors.setdefault("applicant", []).append(
            ValidationError(_("Unknown applicant."), code="does_not_exist")
        )
    if (application.latitude is None) != (application.longitude is None):
        errors.setdefault("latitude", []).append(
            ValidationError(_("Give both latitude and longitude."), code="location_incomplete")
        )
    elif application.latitude is not None and not territories.in_service_area(
        application.latitude, application.longitude
    ):
        errors.setdefault("latitude", []).append(
            ValidationError(
                _("The location (%(lat)s, %(lon)s) is outside the area this grid organisation serves.")
                % {"lat": application.latitude, "lon": application.longitude},
                code="outside_service_area",
            )
        )

    if application.preferred_connection_point_id:
        reason = unsuitable_point(application, application.preferred_connection_point)
        if reason:
            errors.setdefault("preferred_connection_point", []).append(
                ValidationError(reason, code="unsuitable_point")
            )

    for field, field_errors in eligibility_errors(application, get_rules()).items():
        errors.setdefault(field, []).extend(field_errors)

    if stages is not None:
        errors.update(_stage_errors(stages, application.requested_kw))
    if errors:
        raise ValidationError(errors)


def _stage_errors(
    stages: list[dict[str, Any]], requested_kw: Decimal | None
) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    dates = [stage["planned_date"] for stage in stages]
    today = timezone.localdate()
    if any(day < today - timedelta(days=366) or day > today + timedelta(days=366 * 10) for day in dates):
        errors["stages"] = [
            ValidationError(_("Plan the stages within the next ten years."), code="stages_dates")
        ]
    if dates != sorted(dates):
        errors.setdefault("stages", []).append(
            ValidationError(_("Stages must be in order of their dates."), code="stages_order")
        )
    total = sum((stage["power_kw"] for stage in stages), Decimal("0"))
    if stages and requested_kw is not None and total != requested_kw:
        errors.setdefault("stages", []).append(
            ValidationError(
                _("The power of the stages adds up to %(total)s kW, not the requested %(requested)s kW.")
                % {"total": total, "requested": requested_kw},
                code="stages_sum",
            )
        )
    return errors


def _replace_stages(application: ConnectionRequest, stages: Iterable[dict[str, Any]]) -> None:
    application.stages.all().delete()
    CommissioningStage.objects.bulk_create(
        CommissioningStage(
            request=application,
            position=index,
            planned_date=stage["planned_date"],
            power_kw=stage["power_kw"],
        )
        for index, stage in enumerate(stages, start=1)
    )


@transaction.atomic
def create_draft(
    *, owner: User, data: dict[str, Any], stages: list[dict[str, Any]] | None = None
) -> ConnectionRequest:
    application = ConnectionRequest(owner=owner)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(application, field, data[field])
    validate_draft(application, stages)
    application.save()
    if stages:
        _replace_stages(application, stages)
    return application


@transaction.atomic
def update_draft(
    *, application: ConnectionRequest, data: dict[str, Any], stages: list[dict[str, Any]] | None = None
) -> ConnectionRequest:
    application = _lock(application)
    if application.state == State.NEEDS_INFO:
        # Supplying what the grid organisation asked for: everything but what registration fixed.
        frozen = sorted(
            field
            for field in FIXED_AT_REGISTRATION
            if field in data and data[field] != getattr(application, field)
        )
        if frozen:
            raise ValidationError(
                {
                    field: ValidationError(
                        _("This cannot change after registration."), code="fixed_at_registration"
                    )
                    for field in frozen
                }
            )
    else:
        _require_draft(application)
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(application, field, data[field])
    if stages is None and "requested_kw" in data and application.stages.exists():
        # The stages must still add up to the (changed) requested power.
        stages = list(application.stages.values("planned_date", "power_kw"))
    validate_draft(application, stages)
    application.save()
    if stages is not None:
        _replace_stages(application, stages)
    return application


@transaction.atomic
def delete_draft(*, application: ConnectionRequest) -> None:
    application = _lock(application)
    _require_draft(application)
    files = [version.file for document in application.documents.all() for version in document.versions.all()]
    application.delete()
    # Files go only once the rows are gone for good.
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


def _lock(application: ConnectionRequest) -> ConnectionRequest:
    return (
        ConnectionRequest.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .get(pk=application.pk)
    )


def _require_draft(application: ConnectionRequest) -> None:
    if application.state != State.DRAFT:
        raise ApplicationConflict(
            _("Only a draft can be changed; this application is already submitted."), code="not_draft"
        )


# Documents


@transaction.atomic
def upload_document(
    *,
    application: ConnectionRequest,
    user: User,
    doc_type: str,
    upload: UploadedFile,
    document: Document | None = None,
    title: str = "",
) -> DocumentVersion:
    """Add a document, or a new version of `document`. Applicants add documents to drafts and to
    applications waiting for their information; earlier versions are kept."""
    application = _lock(application)
    if application.state not in (State.DRAFT, State.NEEDS_INFO):
        raise ApplicationConflict(
            _("Documents can be added only to a draft or when information is requested."), code="locked"
        )
    # The grid organisation's documents are generated, never uploaded
    if (document.doc_type if document is not None else doc_type) in ISSUED_DOCUMENT_TYPES:
        raise ValidationError(
            {
                "doc_type": ValidationError(
                    _("This document is issued by the grid organisation."), code="invalid_choice"
                )
            }
        )
    checked = upload_checks.check_upload(upload)
    if document is None:
        document = Document.objects.create(request=application, doc_type=doc_type, title=title)
    elif document.request_id != application.pk:
        raise ValidationError({"document": ValidationError(_("Unknown document."), code="does_not_exist")})
    number = (document.versions.aggregate(last=Max("version"))["last"] or 0) + 1
    version = DocumentVersion(
        document=document,
        version=number,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    version.file.save(checked.name, upload, save=False)
    try:
        version.save()
    except IntegrityError:
        version.file.delete(save=False)
        raise
    return version


@transaction.atomic
def delete_document(*, document: Document) -> None:
    application = _lock(document.request)
    _require_draft(application)
    files = [version.file for version in document.versions.all()]
    document.delete()
    # Files go only once the rows are gone for good.
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


# Submission


def applicant_snapshot(applicant: Applicant) -> dict[str, Any]:
    """The applicant as submitted, kept on the application (later edits do not change it)."""
    snapshot = {field: getattr(applicant, field) for field in APPLICANT_FIELDS}
    snapshot = {
        key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in snapshot.items()
    }
    snapshot["id"] = applicant.pk
    snapshot["display_name"] = str(applicant.display_name)
    return snapshot


def next_number(year: int) -> str:
    """The next number of the year, e.g. ТП-2026-000123; call inside the submitting transaction."""
    try:
        with transaction.atomic():
            RequestNumberSequence.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another submission created the year's row first
    sequence = RequestNumberSequence.objects.select_for_update().get(year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"ТП-{year}-{sequence.last_value:06d}"
