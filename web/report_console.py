"""The branch's queue of consumers' reports beside the connection console: incidents ordered by
urgency and answer date, the incident page (status with a canned answer, assignment, merge, split,
history), the reports' photos for the branch, and the supervisor's figures with a CSV export.
Engineers see and act on their own branches only; any other incident is a 404."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from appeals import selectors, services
from appeals.exceptions import NotYourBranch, ObjectMissing, StateConflict
from appeals.models import ReportPhoto, Status
from appeals.permissions import can_act_in_branch, is_branch_staff
from backend.users.login_guard import site_url
from backend.users.roles import Role
from web.forms import DATE, apply_errors, parse_id
from workflow.models import local_today

ANSWER_CHOICES = [(status.value, status.label) for status in Status if status != Status.RECEIVED]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=ANSWER_CHOICES)
    planned_fix_date = forms.DateField(label=gettext_lazy("Expected fix"), required=False, widget=DATE)
    canned = forms.TypedChoiceField(
        label=gettext_lazy("Canned answer"), required=False, coerce=int, empty_value=None
    )
    answer_text = forms.CharField(
        label=gettext_lazy("Answer to the reporters"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, canned=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.canned_answers = {item.pk: item for item in canned}
        self.fields["canned"].choices = [("", "—"), *((item.pk, item.title) for item in canned)]


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=gettext_lazy("Engineer"), required=False, coerce=int, empty_value=None
    )


class MergeForm(forms.Form):
    source = forms.CharField(label=gettext_lazy("Incident number to merge into this one"), max_length=20)


def _staff(request):
    if not is_branch_staff(request.user):
        raise PermissionDenied
    return request.user


def _incident(request, pk):
    pk = parse_id(pk)
    if pk is None:
        raise Http404
    try:
        return selectors.incident_for(request.user, pk)
    except (ObjectMissing, NotYourBranch) as error:
        raise Http404(error.message) from error


@login_required
def queue(request):
    user = _staff(request)
    overdue_only = request.GET.get("overdue") == "1"
    include_closed = request.GET.get("closed") == "1"
    incidents = selectors.queue_incidents(user, include_closed=include_closed, overdue_only=overdue_only)[
        :200
    ]
    return render(
        request,
        "web/reports/queue.html",
        {
            "incidents": incidents,
            "today": local_today(),
            "overdue_only": overdue_only,
            "include_closed": include_closed,
        },
    )


def _incident_page(request, incident, *, status_form=None, assign_form=None, merge_form=None, status=200):
    canned = selectors.canned_answers(incident.branch_id)
    engineers = selectors.branch_engineers(incident.branch_id)
    assign_form = assign_form or AssignForm(initial={"assignee": incident.assignee_id})
    assign_form.fields["assignee"].choices = [
        ("", "—"),
        *((item.pk, item.get_full_name() or item.email) for item in engineers),
    ]
    return render(
        request,
        "web/reports/incident.html",
        {
            "incident": incident,
            "reports": list(incident.reports.all()),
            "history": list(incident.history.all()),
            "status_form": status_form or StatusForm(canned=canned),
            "assign_form": assign_form,
            "merge_form": merge_form or MergeForm(),
            "canned": canned,
            "today": local_today(),
        },
        status=status,
    )


@login_required
def incident_page(request, pk):
    _staff(request)
    return _incident_page(request, _incident(request, pk))


@login_required
@require_POST
def change_status(request, pk):
    _staff(request)
    incident = _incident(request, pk)
    form = StatusForm(request.POST, canned=selectors.canned_answers(incident.branch_id))
    if form.is_valid():
        data = form.cleaned_data
        text = data["answer_text"]
        if not text.strip() and data["canned"] in form.canned_answers:
            text = form.canned_answers[data["canned"]].text
        try:
            services.change_incident_status(
                incident_id=incident.pk,
                actor=request.user,
                status=data["status"],
                planned_fix_date=data["planned_fix_date"],
                answer_text=text,
                base_url=site_url(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except StateConflict as error:
            form.add_error(None, error.message)
            return _incident_page(request, incident, status_form=form, status=409)
        else:
            messages.success(request, _("The status is saved and every reporter is told."))
            return redirect("web:incident", pk=incident.pk)
    return _incident_page(request, incident, status_form=form, status=400)


@login_required
@require_POST
def assign(request, pk):
    _staff(request)
    incident = _incident(request, pk)
    form = AssignForm(request.POST)
    form.fields["assignee"].choices = [
        ("", "—"),
        *((item.pk, item.email) for item in selectors.branch_engineers(incident.branch_id)),
    ]
    if form.is_valid():
        try:
            services.assign_incident(
                incident_id=incident.pk, actor=request.user, assignee_id=form.cleaned_data["assignee"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("web:incident", pk=incident.pk)
    return _incident_page(request, incident, assign_form=form, status=400)


@login_required
@require_POST
def merge(request, pk):
    _staff(request)
    incident = _incident(request, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            services.merge_incidents(
                target_id=incident.pk, source_number=form.cleaned_data["source"], actor=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        except StateConflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The incidents are merged."))
            return redirect("web:incident", pk=incident.pk)
    return _incident_page(request, incident, merge_form=form, status=400)


@login_required
@require_POST
def split(request, pk, report_pk):
    _staff(request)
    incident = _incident(request, pk)
    report_id = parse_id(report_pk)
    if report_id is None or not any(report.pk == report_id for report in incident.reports.all()):
        raise Http404
    try:
        new = services.split_report(report_id=report_id, actor=request.user)
    except StateConflict as error:
        messages.error(request, error.message)
        return redirect("web:incident", pk=incident.pk)
    messages.success(request, _("The report is now incident %(number)s.") % {"number": new.number})
    return redirect("web:incident", pk=new.pk)


@login_required
def staff_photo(request, photo_id):
    """The photo as uploaded, to the staff of the report's branch."""
    _staff(request)
    photo = ReportPhoto.objects.select_related("report").filter(pk=parse_id(photo_id) or 0).first()
    if photo is None or not can_act_in_branch(request.user, photo.report.branch_id):
        raise Http404
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


def _dashboard_rows(user):
    branch_ids = None if user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR) else user.branch_ids
    return selectors.dashboard_rows(branch_ids=branch_ids)


@login_required
def dashboard(request):
    user = _staff(request)
    return render(
        request,
        "web/reports/dashboard.html",
        {"rows": _dashboard_rows(user), "shares": selectors.on_time_shares()},
    )


@login_required
def dashboard_csv(request):
    user = _staff(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reports.csv"'
    writer = csv.writer(response)
    writer.writerow(["week", "branch", "kind", "reports", "answered", "overdue", "mean_answer_working_days"])
    for row in _dashboard_rows(user):
        writer.writerow(
            [
                row.week,
                row.branch,
                row.kind,
                row.reports,
                row.answered,
                row.overdue,
                "" if row.mean_answer_working_days is None else row.mean_answer_working_days,
            ]
        )
    return response
