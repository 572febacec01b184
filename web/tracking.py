"""My applications: the list, and an application's page with its timeline, documents and the
actions open to the user now (from workflow.services.available, never per state here)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.exceptions import StateConflict
from connection import assignment, invoices, messaging, selectors, works
from connection.api.transitions import form_fields, input_serializer
from connection.issued_documents import issued_conditions
from connection.models.messages import MAX_ATTACHMENTS, MESSAGE_MAX_LENGTH
from connection.workflow_actions import perform_transition
from web.action_forms import action_forms, confirmation_errors
from web.engineer import engineer_context, staff_application
from web.forms import UploadForm
from web.wizard import document_rows
from workflow import selectors as workflow_selectors
from workflow import services as workflow_services
from workflow.exceptions import TransitionError
from workflow.machine import is_branch_staff
from workflow.models import TransitionLog
from workflow.states import FINAL_STATES, State


@login_required
def application_list(request):
    applications = (
        selectors.visible_requests(request.user)
        .filter(owner=request.user)
        .select_related("applicant")
        .order_by("-created_at", "-id")
    )
    applications = messaging.with_unread_for_applicant(applications)
    return render(request, "web/applications/list.html", {"applications": applications})


def _history(application) -> list[dict]:
    entries = (
        TransitionLog.objects.filter(application=application)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return [
        {
            "label": workflow_services.label_of(entry.transition),
            "state": str(State(entry.to_state).label),
            "at": entry.created_at,
            "actor_role": entry.actor_role,
            "comment": entry.comment,
            "reason": entry.data.get("reason") if isinstance(entry.data, dict) else None,
            "items": entry.data.get("items") if isinstance(entry.data, dict) else None,
            "engineer": entry.data.get("engineer_name") if isinstance(entry.data, dict) else None,
        }
        for entry in entries
    ]


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _thread(request, application) -> dict:
    """The message thread for the page; the owner's view marks the grid's messages read."""
    if application.state == State.DRAFT:
        return {"messages_enabled": False}
    side = messaging.side_of(application, request.user)
    items = list(messaging.thread(application))
    for item in items:
        item.is_new = (
            side is not None
            and item.author_side != side
            and (item.read_by_applicant_at is None if side == "applicant" else item.read_by_grid_at is None)
        )
    if application.owner_id == request.user.pk:
        messaging.mark_read(application=application, user=request.user)
    return {"messages_enabled": True, "thread": items, "can_write": side is not None}


def _assignment(request, application) -> dict | None:
    """Who is in charge, and the take / assign forms, for the staff of the application's branch."""
    if application.state == State.DRAFT or not is_branch_staff(application, request.user):
        return None
    open_ = application.state not in FINAL_STATES
    engineers = assignment.branch_engineers([application.branch_id]).get(application.branch_id, [])
    return {
        "assigned_to": application.assigned_to,
        "can_take": open_
        and application.assigned_to_id != request.user.pk
        and assignment.is_branch_engineer(application, request.user),
        "can_assign": open_ and bool(engineers),
        "engineers": engineers,
    }


def is_staff_view(application, user) -> bool:
    """Staff of the application's branch see the engineer's page (unless it is their own)."""
    return application.owner_id != user.pk and is_branch_staff(application, user)


def page_url(application, user) -> str:
    if is_staff_view(application, user):
        return reverse("web:console_application", kwargs={"pk": application.pk})
    return reverse("web:application", kwargs={"pk": application.pk})


def render_application(
    request, application, *, status=200, message_form=None, file_errors=None, works_form=None, **action_state
):
    """The application's page: the engineer's page for branch staff, the applicant's otherwise."""
    current = workflow_selectors.current_step(application)
    try:
        expected = workflow_selectors.expected_completion(application)
    except Exception:
        expected = None
    context = {
        "application": application,
        "current": current,
        "expected": expected,
        "is_owner": application.owner_id == request.user.pk,
        "can_upload": application.owner_id == request.user.pk and application.state == State.NEEDS_INFO,
        "upload_form": UploadForm(),
        "assignment": _assignment(request, application),
        "final": application.state in FINAL_STATES,
        "message_form": message_form or MessageForm(),
        "file_errors": file_errors or [],
        "max_attachments": MAX_ATTACHMENTS,
        "works": works.works_parts(application, request.user),
        "works_form": works_form,
        **_thread(request, application),
    }
    if is_staff_view(application, request.user):
        context.update(engineer_context(request, application, action_state))
        return render(request, "web/console/application.html", context, status=status)
    payment = invoices.payment_instructions(application) if application.owner_id == request.user.pk else None
    context.update(
        {
            "payment": payment,
            "payment_qr": invoices.qr_svg(payment.qr_payload) if payment and payment.qr_payload else "",
            "history": _history(application),
            "conditions": issued_conditions(application),
            "documents": document_rows(application),
            "actions": action_forms(application, request.user, **action_state),
        }
    )
    return render(request, "web/applications/detail.html", context, status=status)


def _visible(request, pk):
    return get_object_or_404(
        selectors.visible_requests(request.user).select_related("applicant", "branch", "assigned_to"), pk=pk
    )


@login_required
def application_detail(request, pk: int):
    application = _visible(request, pk)
    if is_staff_view(application, request.user):
        return redirect(page_url(application, request.user))
    return render_application(request, application)


def _parse(request, name: str) -> dict:
    data = {}
    for field in form_fields(name):
        field_name = field["name"]
        if field["type"] == "list":
            # Checked items of a checklist and lines of the free text, once each, in order.
            lines = [
                line.strip() for value in request.POST.getlist(field_name) for line in value.splitlines()
            ]
            data[field_name] = list(dict.fromkeys(line for line in lines if line))
        elif field["type"] == "boolean":
            data[field_name] = field_name in request.POST
        elif request.POST.get(field_name, "") != "" or field_name == "comment":
            data[field_name] = request.POST.get(field_name, "")
    return data


@login_required
def run_action(request, pk: int, name: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    application = _visible(request, pk)
    if name not in workflow_services.TRANSITIONS:
        raise Http404
    values = {key: request.POST.get(key, "") for key in request.POST}
    try:
        workflow_services.check_allowed(application, name, request.user)
        serializer = input_serializer(name)(data=_parse(request, name))
        unconfirmed = confirmation_errors(name, request.POST)
        if not serializer.is_valid() or unconfirmed:
            errors = {key: [str(message) for message in value] for key, value in serializer.errors.items()}
            for key, messages_ in unconfirmed.items():
                errors.setdefault(key, []).extend(messages_)
            return render_application(
                request, application, status=400, errors=errors, values=values, failed=name
            )
        data = dict(serializer.validated_data)
        comment = data.pop("comment", "")
        perform_transition(application=application, name=name, user=request.user, comment=comment, data=data)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        known = set(input_serializer(name)().fields)
        shaped: dict[str, list[str]] = {}
        for key, messages_ in errors.items():
            shaped.setdefault(key if key in known else "non_field_errors", []).extend(messages_)
        application = _visible(request, pk)
        return render_application(request, application, status=400, errors=shaped, values=values, failed=name)
    except TransitionError as error:
        messages.error(request, str(error.message))
        return redirect(page_url(application, request.user))
    except StateConflict as error:
        messages.error(request, str(error.message))
        return redirect(page_url(application, request.user))
    messages.success(request, _("Done: %(action)s.") % {"action": workflow_services.TRANSITIONS[name].label})
    return redirect(page_url(application, request.user))


@login_required
def post_message(request, pk: int):
    """Write in the application's thread: text and up to MAX_ATTACHMENTS files."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    application = _visible(request, pk)
    if messaging.side_of(application, request.user) is None:
        raise PermissionDenied
    form = MessageForm(request.POST)
    files = request.FILES.getlist("files")
    file_errors: list[str] = []
    if form.is_valid():
        try:
            messaging.post_message(
                application=application, author=request.user, text=form.cleaned_data["text"], files=files
            )
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {"files": error.messages}
            for field, field_errors in problems.items():
                if field == "text":
                    for message in field_errors:
                        form.add_error("text", message)
                else:
                    file_errors.extend(field_errors)
        except StateConflict as error:
            messages.error(request, str(error.message))
            return redirect(page_url(application, request.user))
        if not form.errors and not file_errors:
            messages.success(request, _("The message is sent."))
            return redirect(page_url(application, request.user) + "#messages")
    return render_application(request, application, status=400, message_form=form, file_errors=file_errors)


@login_required
def staff_application_page(request, pk: int):
    """The engineer's page of an application (a 404 for anyone but the staff of its branch)."""
    return render_application(request, staff_application(request, pk))
