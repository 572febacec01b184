"""What an application still lacks before it can be submitted, for its applicant type.

Each item has a stable code, a translated message and the field (or document type) it concerns,
so the wizard can link back to it and the API can refuse a submission with the same list.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from connection.models import Applicant, ApplicantType, ConnectionRequest, DocumentType, RequestKind


@dataclass(frozen=True)
class MissingItem:
    code: str
    message: str
    field: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


PERSON = ["last_name", "first_name"]
CONTACTS = ["phone", "email"]
PASSPORT = ["passport_series", "passport_number", "passport_issued_by", "passport_issued_on"]
REPRESENTATIVE = ["representative_name", "power_of_attorney_number", "power_of_attorney_date"]
APPLICANT_FIELDS = {
    ApplicantType.INDIVIDUAL: [*PERSON, *PASSPORT, "registration_address", *CONTACTS],
    ApplicantType.ENTREPRENEUR: [*PERSON, "inn", "ogrn", "registration_address", *CONTACTS],
    ApplicantType.LEGAL_ENTITY: [
        "organisation_name",
        "inn",
        "ogrn",
        "kpp",
        "registration_address",
        *CONTACTS,
    ],
}
REQUEST_FIELDS = [
    "object_name",
    "object_address",
    "cadastral_number",
    "requested_kw",
    "voltage_level",
    "phases",
    "reliability_category",
    "load_character",
    "guaranteeing_supplier",
    "payment_option",
]


def _label(model, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def required_documents(application: ConnectionRequest) -> list[str]:
    documents = [DocumentType.LOCATION_PLAN, DocumentType.TITLE_TO_PLOT]
    applicant = application.applicant
    if applicant is not None:
        if applicant.is_person:
            documents.append(DocumentType.PASSPORT)
        if applicant.has_representative:
            documents.append(DocumentType.POWER_OF_ATTORNEY)
    return documents


def applicant_fields_needed(applicant: Applicant) -> list[str]:
    """The applicant's fields a submission needs, for the applicant's type (and representative)."""
    fields = APPLICANT_FIELDS.get(applicant.applicant_type, APPLICANT_FIELDS[ApplicantType.INDIVIDUAL])
    return fields + (REPRESENTATIVE if applicant.has_representative else [])


def missing_applicant_items(applicant: Applicant) -> list[MissingItem]:
    items = []
    for field in applicant_fields_needed(applicant):
        if getattr(applicant, field) in ("", None):
            message = _("Applicant: the field “%(field)s” is empty.") % {"field": _label(Applicant, field)}
            items.append(MissingItem("applicant_field_missing", message, f"applicant.{field}"))
    return items


def missing_items(application: ConnectionRequest) -> list[MissingItem]:
    items: list[MissingItem] = []
    applicant = application.applicant
    if applicant is None:
        items.append(MissingItem("applicant_missing", _("Choose or enter the applicant."), "applicant"))
    else:
        items.extend(missing_applicant_items(applicant))

    for field in REQUEST_FIELDS:
        if getattr(application, field) in ("", None):
            message = _("The field “%(field)s” is empty.") % {"field": _label(ConnectionRequest, field)}
            items.append(MissingItem("field_missing", message, field))
    if application.latitude is None or application.longitude is None:
        items.append(MissingItem("location_missing", _("Mark the object's location on the map."), "location"))
    if application.kind == RequestKind.TEMPORARY and application.temporary_term_months is None:
        items.append(
            MissingItem(
                "field_missing", _("Enter the term of the temporary connection."), "temporary_term_months"
            )
        )

    stages = list(application.stages.all())
    if not stages:
        items.append(MissingItem("stages_missing", _("Plan at least one commissioning stage."), "stages"))

    # One query whatever the number of documents (a document counts once it has a version).
    present = set(application.documents.filter(versions__isnull=False).values_list("doc_type", flat=True))
    for doc_type in required_documents(application):
        if doc_type not in present:
            items.append(
                MissingItem(
                    "document_missing",
                    _("Attach the document: %(document)s.") % {"document": DocumentType(doc_type).label},
                    f"documents.{doc_type}",
                )
            )
    return items
