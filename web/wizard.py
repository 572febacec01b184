"""The application wizard: one page per step, each saved into the draft through the domain services
(connection.services), so a draft can be left and resumed at any step."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseForbidden, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.exceptions import StateConflict
from backend.users import consent
from backend.users.roles import Role
from connection import completeness, selectors, services, technical_conditions, workflow_actions
from connection.eligibility import limits_for
from connection.models import Applicant, ApplicantType, ConnectionRequest, Document, DocumentType, RequestKind
from connection.nearest import draft_term_facts, find_nearest
from web.forms import (
    ApplicantForm,
    ConsentForm,
    ObjectForm,
    PowerForm,
    SupplyForm,
    UploadForm,
    apply_errors,
    parse_id,
)
from web.views import map_settings
from workflow import selectors as workflow_selectors
from workflow.exceptions import TransitionError
from workflow.rulebook import get_rules
from workflow.states import State

logger = logging.getLogger(__name__)

STEPS = [
    ("applicant", gettext_lazy("Applicant")),
    ("object", gettext_lazy("Object and location")),
    ("power", gettext_lazy("Power")),
    ("supply", gettext_lazy("Supply details")),
    ("documents", gettext_lazy("Documents")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]

#: Which step each field of the completeness list belongs to.
FIELD_STEP = {
    "applicant": "applicant",
    "object_name": "object",
    "object_address": "object",
    "cadastral_number": "object",
    "location": "object",
    "temporary_term_months": "object",
    "kind": "object",
    "previously_connected_kw": "power",
    "requested_kw": "power",
    "voltage_level": "supply",
    "phases": "supply",
    "reliability_category": "supply",
    "load_character": "supply",
    "guaranteeing_supplier": "supply",
    "payment_option": "supply",
    "stages": "supply",
}


def step_of(field: str) -> tuple[str, str]:
    """The wizard step and the anchor of a field named by the completeness check or a service."""
    if field.startswith("applicant."):
        return "applicant", "id_" + field.split(".", 1)[1]
    if field.startswith("documents."):
        return "documents", "doc-" + field.split(".", 1)[1]
    step = FIELD_STEP.get(field, "review")
    anchor = {"location": "id_latitude", "stages": "stages", "applicant": "id_applicant_type"}.get(
        field, f"id_{field}"
    )
    return step, anchor


STEP_GAP_MESSAGE = gettext_lazy("Fill this in: the application cannot be submitted without it.")


def form_field_of(field: str) -> str:
    """The form field that shows a completeness item's field ("applicant.inn" → "inn")."""
    if field.startswith("applicant."):
        return field.split(".", 1)[1]
    return {"location": "latitude"}.get(field, field)


def step_gaps(step: str, *, application: ConnectionRequest, applicant: Applicant | None = None) -> list[str]:
    """The form fields of `step` that a submission needs and that are still empty in the (possibly
    unsaved) `application` or `applicant`."""
    if step == "applicant":
        items = completeness.missing_applicant_items(applicant) if applicant is not None else []
    else:
        items = [
            item
            for item in completeness.missing_items(application)
            if step_of(item.field)[0] == step and item.field not in ("stages", "applicant")
        ]
    return [form_field_of(item.field) for item in items]


def check_step(form, step: str, **instances) -> bool:
    """On "Save and continue", put an error on each field of the step a submission needs and that
    is empty, so that nothing is first found missing at the review. A draft can still be saved."""
    for name in step_gaps(step, **instances):
        if name in form.fields and not form.has_error(name):
            form.add_error(name, STEP_GAP_MESSAGE)
    if step == "supply" and not form.cleaned_data.get("stages") and not form.has_error("stage_1_date"):
        form.add_error("stage_1_date", _("Plan at least one commissioning stage."))
    return not form.errors


def step_status(application: ConnectionRequest) -> dict[str, bool]:
    """Whether each step (but the review) has everything a submission needs, from what is saved."""
    saved = ConnectionRequest.objects.select_related("applicant").get(pk=application.pk)
    open_steps = {step_of(item.field)[0] for item in completeness.missing_items(saved)}
    return {name: name not in open_steps for name in STEP_NAMES if name != "review"}


#: The applicant's fields shown only for some applicant types (hidden for the others by wizard.js).
SHOWN_FOR = {
    "organisation_name": [ApplicantType.LEGAL_ENTITY],
    "kpp": [ApplicantType.LEGAL_ENTITY],
    "ogrn": [ApplicantType.ENTREPRENEUR, ApplicantType.LEGAL_ENTITY],
    "snils": [ApplicantType.INDIVIDUAL, ApplicantType.ENTREPRENEUR],
    "last_name": [ApplicantType.INDIVIDUAL, ApplicantType.ENTREPRENEUR],
    "first_name": [ApplicantType.INDIVIDUAL, ApplicantType.ENTREPRENEUR],
    "middle_name": [ApplicantType.INDIVIDUAL, ApplicantType.ENTREPRENEUR],
}


def _chosen_type(form) -> str:
    if form.is_bound and form.data.get("applicant_type") in ApplicantType.values:
        return form.data["applicant_type"]
    return form.initial.get("applicant_type") or form.instance.applicant_type or ApplicantType.INDIVIDUAL


def mark_needed(form, step: str, application: ConnectionRequest) -> None:
    """Mark the fields a submission needs (an asterisk and aria-required), and for the applicant the
    types each field is needed or shown for, so the page follows a change of the applicant type."""
    if step == "applicant":
        chosen = _chosen_type(form)
        for name, field in form.fields.items():
            needed_for = [kind for kind, names in completeness.APPLICANT_FIELDS.items() if name in names]
            field.needed_for = " ".join(needed_for)
            field.shown_for = " ".join(SHOWN_FOR.get(name, []))
            field.needed = chosen in needed_for
        return
    names = [form_field_of(field) for field, owner in FIELD_STEP.items() if owner == step]
    if step == "object":
        names.append("longitude")
        if application.kind != RequestKind.TEMPORARY:
            names.remove("temporary_term_months")
    for name in names:
        if name in form.fields and name not in ("kind", "previously_connected_kw", "stages"):
            form.fields[name].needed = True
            form.fields[name].widget.attrs["aria-required"] = "true"


def _step_valid(request, form, step: str, **instances) -> bool:
    """The form is valid and, on "Save and continue", the step has what a submission needs (all
    the gaps are told at once, with the form's own errors)."""
    valid = form.is_valid()
    if request.POST.get("go") == "next":
        valid = check_step(form, step, **instances) and valid
    return valid


def is_applicant(user) -> bool:
    return user.is_authenticated and user.has_role(Role.APPLICANT, Role.INTEGRATION)


def own_application(request, pk: int) -> ConnectionRequest:
    """The user's own application (another's, or one not visible, is a 404)."""
    application = get_object_or_404(
        selectors.visible_requests(request.user).select_related("applicant"), pk=pk
    )
    if application.owner_id != request.user.pk:
        raise Http404
    return application


def nearest_for(application: ConnectionRequest, *, power_kw=None, voltage=None) -> dict | None:
    """The nearest connection points of the draft's location (None without a location, or when the
    asset register cannot answer: the page then shows the map and the form only)."""
    if application.latitude is None or application.longitude is None:
        return None
    try:
        return find_nearest(
            lat=float(application.latitude),
            lon=float(application.longitude),
            power_kw=power_kw or application.requested_kw or get_rules().household_max_kw,
            voltage_kv=voltage or application.voltage_level or f"{get_rules().household_max_voltage_kv}",
            household=application.is_household,
            temporary=application.kind == RequestKind.TEMPORARY,
        )
    except Exception:  # the register is optional for the wizard: degrade, never fail the step
        logger.exception("nearest connection points unavailable")
        return None


@login_required
def new_application(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not is_applicant(request.user):
        return HttpResponseForbidden(_("Only applicants can apply."))
    draft = services.create_draft(owner=request.user, data={})
    return redirect("web:wizard", pk=draft.pk, step="applicant")


@login_required
def wizard(request, pk: int, step: str):
    if step not in STEP_NAMES:
        raise Http404
    application = own_application(request, pk)
    if application.state != State.DRAFT:
        return redirect("web:application", pk=application.pk)
    handler = {
        "applicant": _applicant_step,
        "object": _object_step,
        "power": _power_step,
        "supply": _supply_step,
        "documents": _documents_step,
        "review": _review_step,
    }[step]
    return handler(request, application)


def _after_save(request, application, step: str):
    messages.success(request, _("Saved."))
    if request.POST.get("go") == "next":
        following = STEP_NAMES[STEP_NAMES.index(step) + 1]
        return redirect("web:wizard", pk=application.pk, step=following)
    return redirect("web:wizard", pk=application.pk, step=step)


def _render(request, application, step: str, context: dict):
    index = STEP_NAMES.index(step)
    complete = step_status(application)
    if context.get("form") is not None:
        mark_needed(context["form"], step, application)
    context.update(
        {
            "application": application,
            "steps": [(name, label, complete.get(name)) for name, label in STEPS],
            "step": step,
            "step_number": index + 1,
            "step_count": len(STEPS),
            "step_label": STEPS[index][1],
            "previous_step": STEP_NAMES[index - 1] if index else None,
            "next_step": STEP_NAMES[index + 1] if index + 1 < len(STEPS) else None,
        }
    )
    return render(request, f"web/wizard/{step}.html", context)


def _applicant_step(request, application):
    saved = selectors.own_applicants(request.user)
    if request.method == "POST" and request.POST.get("use_applicant"):
        chosen_pk = parse_id(request.POST["use_applicant"])
        chosen = saved.filter(pk=chosen_pk).first() if chosen_pk is not None else None
        if chosen is None:
            raise Http404
        try:
            services.update_draft(application=application, data={"applicant": chosen})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("web:wizard", pk=application.pk, step="applicant")
        return _after_save(request, application, "applicant")

    instance = application.applicant or Applicant(owner=request.user)
    if request.method == "POST":
        form = ApplicantForm(request.POST, instance=instance)
        if _step_valid(request, form, "applicant", application=application, applicant=form.instance):
            try:
                with transaction.atomic():
                    if application.applicant_id:
                        services.update_applicant(applicant=form.instance, data=form.cleaned_data)
                    else:
                        created = services.create_applicant(owner=request.user, data=form.cleaned_data)
                        services.update_draft(application=application, data={"applicant": created})
            except ValidationError as error:
                apply_errors(form, error)
            except StateConflict as error:
                form.add_error(None, str(error.message))
            else:
                return _after_save(request, application, "applicant")
    else:
        initial = {}
        if not application.applicant_id:
            user = request.user
            initial = {
                "applicant_type": "individual",
                "last_name": user.last_name,
                "first_name": user.first_name,
                "middle_name": getattr(user, "middle_name", ""),
                "phone": getattr(user, "phone", ""),
                "email": user.email,
            }
        form = ApplicantForm(instance=instance, initial=initial)
    others = saved.exclude(pk=application.applicant_id) if application.applicant_id else saved
    return _render(request, application, "applicant", {"form": form, "saved_applicants": others})


def _object_step(request, application):
    if request.method == "POST":
        form = ObjectForm(request.POST, instance=application)
        if _step_valid(request, form, "object", application=application):
            try:
                services.update_draft(application=application, data=dict(form.cleaned_data))
            except ValidationError as error:
                apply_errors(form, error, aliases={"location": "latitude"})
            except StateConflict as error:
                form.add_error(None, str(error.message))
            else:
                return _after_save(request, application, "object")
        application.refresh_from_db()
    else:
        form = ObjectForm(instance=application)
    return _render(
        request,
        application,
        "object",
        {
            "form": form,
            "nearest": nearest_for(application),
            "map": map_settings(),
            "power_for_nearest": application.requested_kw or get_rules().household_max_kw,
            "voltage_for_nearest": application.voltage_level or f"{get_rules().household_max_voltage_kv}",
            "chosen_point": application.preferred_connection_point_id,
        },
    )


def _single_stage_following(application, requested_kw):
    stages = list(application.stages.all())
    if len(stages) == 1 and requested_kw is not None:
        return [{"planned_date": stages[0].planned_date, "power_kw": requested_kw}]
    return None


def _power_step(request, application):
    if request.method == "POST":
        form = PowerForm(request.POST, instance=application)
        if _step_valid(request, form, "power", application=application):
            data = dict(form.cleaned_data)
            try:
                services.update_draft(
                    application=application,
                    data=data,
                    stages=_single_stage_following(application, data.get("requested_kw")),
                )
            except ValidationError as error:
                apply_errors(form, error)
            except StateConflict as error:
                form.add_error(None, str(error.message))
            else:
                return _after_save(request, application, "power")
        application.refresh_from_db()
    else:
        form = PowerForm(instance=application)
    limits = limits_for(applicant_type=application.applicant_type, kind=application.kind, rules=get_rules())
    return _render(request, application, "power", {"form": form, "limits": limits})


def _supply_step(request, application):
    stages = list(application.stages.all())
    if request.method == "POST":
        form = SupplyForm(request.POST, instance=application)
        if _step_valid(request, form, "supply", application=application):
            data = {name: form.cleaned_data[name] for name in SupplyForm.Meta.fields}
            try:
                services.update_draft(application=application, data=data, stages=form.cleaned_data["stages"])
            except ValidationError as error:
                apply_errors(form, error)
            except StateConflict as error:
                form.add_error(None, str(error.message))
            else:
                return _after_save(request, application, "supply")
        application.refresh_from_db()
    else:
        initial = {}
        for number, stage in enumerate(stages, start=1):
            initial[f"stage_{number}_date"] = stage.planned_date
            initial[f"stage_{number}_kw"] = stage.power_kw
        if not stages and application.requested_kw:
            initial["stage_1_kw"] = application.requested_kw
        form = SupplyForm(instance=application, initial=initial)
    return _render(request, application, "supply", {"form": form})


def document_rows(application) -> list[dict]:
    documents = list(selectors.visible_documents(None, application))
    required = completeness.required_documents(application)
    rows = []
    for doc_type, label in DocumentType.choices:
        present = [document for document in documents if document.doc_type == doc_type]
        if present or doc_type in required:
            rows.append(
                {"type": doc_type, "label": label, "required": doc_type in required, "documents": present}
            )
    return rows


def _documents_step(request, application):
    return _render(
        request,
        application,
        "documents",
        {"documents": document_rows(application), "upload_form": UploadForm(), "editable": True},
    )


def review_items(application) -> list[dict]:
    items = []
    for item in completeness.missing_items(application):
        step, anchor = step_of(item.field)
        items.append(
            {
                "message": item.message,
                "field": item.field,
                "url": reverse("web:wizard", kwargs={"pk": application.pk, "step": step}) + "#" + anchor,
                "step": step,
            }
        )
    return items


def _review_step(request, application):
    errors: list[str] = []
    consent_form = ConsentForm(request.POST or None)
    if request.method == "POST":
        consent_form.is_valid()  # a checkbox: always valid; the consent is checked below
        try:
            consent_text = consent.check_consent(
                given=bool(request.POST.get("personal_data_consent")),
                version=request.POST.get("consent_version", ""),
            )
            workflow_actions.submit(application=application, user=request.user, consent=consent_text)
        except ValidationError as error:
            if consent.CONSENT_FIELD in getattr(error, "error_dict", {}):
                consent_form.add_error(consent.CONSENT_FIELD, error.error_dict[consent.CONSENT_FIELD])
                error = ValidationError([])
            errors = []
            errors = (
                [message for messages_ in error.message_dict.values() for message in messages_]
                if hasattr(error, "error_dict")
                else error.messages
            )
        except (TransitionError, StateConflict) as error:
            errors = [str(getattr(error, "message", None) or getattr(error, "detail", error))]
        else:
            messages.success(
                request,
                _("Your application is submitted. Its number is %(number)s.")
                % {"number": ConnectionRequest.objects.get(pk=application.pk).number},
            )
            return redirect("web:application", pk=application.pk)
        application = own_application(request, application.pk)
    nearest = None
    if application.requested_kw and application.voltage_level:
        nearest = nearest_for(application)
    try:
        # The term stated next to it (nearest.works_term) and this date come from the same facts.
        facts = draft_term_facts(application, nearest) if nearest else None
        expected = workflow_selectors.expected_completion(application, facts=facts)
    except Exception:  # missing facts of a partial draft
        logger.exception("expected completion unavailable")
        expected = None
    return _render(
        request,
        application,
        "review",
        {
            "missing": review_items(application),
            "submit_errors": errors,
            "stages": list(application.stages.all()),
            "documents": document_rows(application),
            "nearest": nearest,
            "expected": expected,
            "fee": indicative_fee(application, nearest),
            "applicant": application.applicant,
            "consent_text": consent.current_text(),
            "consent_field": consent_form[consent.CONSENT_FIELD],
            "form": consent_form,
        },
    )


def indicative_fee(application, nearest):
    """The fee the offer would propose for what the draft asks (the same point, distance and line
    construction: connection.technical_conditions.fee_estimate); None when it cannot be told yet."""
    if not (application.requested_kw and application.voltage_level and application.applicant_id and nearest):
        return None
    try:
        return technical_conditions.fee_estimate(application)
    except Exception:  # an indication only: the page must show even if the tariffs cannot answer
        logger.exception("indicative fee unavailable")
        return None


# Documents (wizard and "information requested")


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _back(request, application):
    if application.state == State.DRAFT:
        return redirect("web:wizard", pk=application.pk, step="documents")
    return redirect(reverse("web:application", kwargs={"pk": application.pk}) + "#documents")


@login_required
def upload_document(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    application = own_application(request, pk)
    form = UploadForm(request.POST, request.FILES)
    problems: dict[str, list[str]] = {}
    if form.is_valid():
        document = None
        if form.cleaned_data.get("document"):
            document = get_object_or_404(Document, pk=form.cleaned_data["document"], request=application)
        try:
            services.upload_document(
                application=application,
                user=request.user,
                doc_type=document.doc_type if document else form.cleaned_data["doc_type"],
                upload=form.cleaned_data["file"],
                document=document,
            )
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {"file": error.messages}
        except StateConflict as error:
            problems = {"file": [str(error.message)]}
    else:
        problems = {field: [str(message) for message in errors] for field, errors in form.errors.items()}
    if _wants_json(request):
        if problems:
            return JsonResponse({"ok": False, "errors": problems}, status=400)
        return JsonResponse({"ok": True})
    if problems:
        for field_errors in problems.values():
            for message in field_errors:
                messages.error(request, message)
    else:
        messages.success(request, _("The document is uploaded."))
    return _back(request, application)


@login_required
def delete_document(request, pk: int, document_pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    application = own_application(request, pk)
    document = get_object_or_404(Document, pk=document_pk, request=application)
    try:
        services.delete_document(document=document)
    except StateConflict as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The document is deleted."))
    return _back(request, application)
