"""The engineers' console: the work queue of the user's branches (all branches for supervisors and
administrators), and taking an application into work or assigning it to an engineer of its branch.

A constant number of queries whatever the rows: the page of rows with select_related, one
aggregate for the counts per state, one query for the engineers of the branches on the page;
days left come from the in-memory working-day calendar.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.users.models import User
from backend.users.roles import Role
from connection import assignment, selectors
from connection.models import ConnectionRequest
from connection.models.requests import RequestKind
from grid.models import Branch
from web.forms import parse_id
from web.tracking import page_url
from workflow import calendar
from workflow.states import FINAL_STATES, State

PAGE_SIZE = 50
CONSOLE_ROLES = (Role.ENGINEER, Role.SUPERVISOR, Role.ADMINISTRATOR)
QUEUE_STATES = [(state.value, state.label) for state in State if state != State.DRAFT]


def is_console_user(user) -> bool:
    return bool(user.is_authenticated and user.has_role(*CONSOLE_ROLES))


def sees_all_branches(user) -> bool:
    return user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR)


class ConsoleFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Number, applicant or INN"), required=False, max_length=100, strip=True
    )
    state = forms.MultipleChoiceField(
        label=gettext_lazy("State"), choices=QUEUE_STATES, required=False, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[("", "—"), *RequestKind.choices], required=False
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    due_within = forms.IntegerField(
        label=gettext_lazy("Due within, working days"), required=False, min_value=0, max_value=365
    )
    assigned = forms.ChoiceField(
        label=gettext_lazy("Assigned"),
        choices=[("", "—"), ("me", gettext_lazy("To me")), ("none", gettext_lazy("Unassigned"))],
        required=False,
    )
    branch = forms.TypedChoiceField(
        label=gettext_lazy("Branch"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, branches=None, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is None:
            del self.fields["branch"]
        else:
            self.fields["branch"].choices = [("", "—"), *((b.pk, b.name) for b in branches)]


def queue_scope(user):
    """Submitted applications (never drafts) the user works on: their branches' or all."""
    queryset = ConnectionRequest.objects.exclude(state=State.DRAFT)
    if sees_all_branches(user):
        return queryset
    return queryset.filter(branch_id__in=list(user.branch_ids))


def apply_filters(queryset, data: dict, *, user, today):
    """Every filter but the state (the counts per state are taken after these)."""
    if data.get("branch"):
        queryset = queryset.filter(branch_id=data["branch"])
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("overdue"):
        queryset = queryset.filter(due_date__lt=today)
    if data.get("due_within") is not None:
        queryset = queryset.filter(due_date__lte=calendar.add_working_days(today, data["due_within"]))
    if data.get("assigned") == "me":
        queryset = queryset.filter(assigned_to=user)
    elif data.get("assigned") == "none":
        queryset = queryset.filter(assigned_to__isnull=True)
    text = data.get("q")
    if text:
        queryset = queryset.filter(
            Q(number__icontains=text)
            | Q(applicant__inn__startswith=text)
            | Q(applicant__last_name__icontains=text)
            | Q(applicant__first_name__icontains=text)
            | Q(applicant__organisation_name__icontains=text)
        )
    return queryset


def state_counts(queryset, *, today) -> dict:
    """Counts per state and of the overdue ones, in one aggregate query."""
    aggregates = {state: Count("pk", filter=Q(state=state)) for state, _label in QUEUE_STATES}
    aggregates["__overdue"] = Count("pk", filter=Q(due_date__lt=today))
    aggregates["__total"] = Count("pk")
    return queryset.aggregate(**aggregates)


def filtered_queue(request, *, today):
    """(form, cleaned data, queryset) of the console's filters but the state, as in the page's query."""
    user = request.user
    branches = list(Branch.objects.order_by("name")) if sees_all_branches(user) else None
    form = ConsoleFilterForm(request.GET or None, branches=branches)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, data, apply_filters(queue_scope(user), data, user=user, today=today)


def queue_rows(filtered, data: dict):
    """The rows of the queue: the state filter applied, in the order of the due dates."""
    rows = filtered.filter(state__in=data["state"]) if data.get("state") else filtered
    return rows.select_related("applicant", "branch", "assigned_to").order_by(
        F("due_date").asc(nulls_last=True), "number", "pk"
    )


@login_required
def console(request):
    user = request.user
    if not is_console_user(user):
        raise PermissionDenied
    today = timezone.localdate()
    form, data, filtered = filtered_queue(request, today=today)
    raw_counts = state_counts(filtered, today=today)
    rows = queue_rows(filtered, data)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    engineers = assignment.branch_engineers({item.branch_id for item in items if item.branch_id})
    own_branches = user.branch_ids if user.has_role(Role.ENGINEER) else frozenset()
    # Rendering 50 rows dominates the page: URLs, option lists and labels are built once here, not
    # per row in the template (reverse() and gettext per row cost about a third of the render).
    urls = {
        name: reverse(f"web:{name}", kwargs={"pk": 0}).replace("/0/", "/{pk}/")
        for name in ("console_application", "take_application", "assign_application")
    }
    options = {
        branch_id: [
            (engineer.pk, engineer.get_full_name() or engineer.email) for engineer in branch_engineers
        ]
        for branch_id, branch_engineers in engineers.items()
    }
    for item in items:
        item.page_url = urls["console_application"].format(pk=item.pk)
        item.take_url = urls["take_application"].format(pk=item.pk)
        item.assign_url = urls["assign_application"].format(pk=item.pk)
        item.engineer_options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (pk, mark_safe(" selected") if pk == item.assigned_to_id else "", name)
                for pk, name in options.get(item.branch_id, [])
            ),
        )
        item.overdue = bool(item.due_date and item.due_date < today)
        item.days_left = calendar.working_days_between(today, item.due_date) if item.due_date else None
        item.branch_engineers = engineers.get(item.branch_id, [])
        item.can_take = (
            item.branch_id in own_branches
            and item.assigned_to_id != user.pk
            and item.state not in FINAL_STATES
        )
        item.can_assign = bool(item.branch_engineers) and item.state not in FINAL_STATES
    counts = [
        {"state": state, "label": label, "count": raw_counts[state]}
        for state, label in QUEUE_STATES
        if raw_counts[state]
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "items": items,
        "counts": counts,
        "total": raw_counts["__total"],
        "overdue_total": raw_counts["__overdue"],
        "query": query.urlencode(),
        "here": request.get_full_path(),
    }
    return render(request, "web/console.html", context)


def _back(request, application: ConnectionRequest):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(page_url(application, request.user))


def _application(request, pk: int) -> ConnectionRequest:
    return get_object_or_404(selectors.visible_requests(request.user).select_related("branch"), pk=pk)


@login_required
def take(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    application = _application(request, pk)
    try:
        assignment.take_into_work(application=application, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(number)s is taken into work.") % {"number": application})
    return _back(request, application)


@login_required
def assign(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    application = _application(request, pk)
    engineer_id = request.POST.get("engineer", "")
    engineer_pk = parse_id(engineer_id)
    engineer = User.objects.filter(pk=engineer_pk).first() if engineer_pk is not None else None
    try:
        assignment.assign(application=application, engineer=engineer, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(number)s is assigned to %(engineer)s.")
            % {"number": application, "engineer": engineer.get_full_name() or engineer.email},
        )
    return _back(request, application)
