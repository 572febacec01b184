"""The engineers' console: the work queue of the user's branches (all branches for supervisors and
administrators), and taking an application into work or assigning it to an engineer of its branch.

A constant number of queries whatever the rows: the page of rows with select_related, one
aggregate for the counts per state, one query for the engineers of the branches on the page;
days left come from the in-memory working-day calendar.
"""

from __future__ import annotations

import django_filters
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
from connection.filters import ApplicationFilter, search
from connection.models import ConnectionRequest
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


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class QueueFilterForm(forms.Form):
    field_order = ["q", "state", "kind", "overdue", "due_within", "assigned", "branch"]


class QueueFilter(ApplicationFilter):
    """The application list's filters as the console's form: the states of the queue as checkboxes,
    the branch picked by name (supervisors and administrators only: an engineer's queue is their
    branches), and the filters of a work queue — search, overdue, due within so many working days,
    assigned to me or to nobody."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Number, applicant or INN"), max_length=100, strip=True, method="filter_search"
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("Overdue only"), widget=forms.CheckboxInput, method="filter_overdue"
    )
    due_within = WholeNumberFilter(
        label=gettext_lazy("Due within, working days"),
        min_value=0,
        max_value=365,
        method="filter_due_within",
    )
    assigned = django_filters.ChoiceFilter(
        label=gettext_lazy("Assigned"),
        choices=[("me", gettext_lazy("To me")), ("none", gettext_lazy("Unassigned"))],
        empty_label="—",
        method="filter_assigned",
    )
    branch = django_filters.TypedChoiceFilter(
        field_name="branch_id", label=gettext_lazy("Branch"), coerce=int, empty_value=None
    )
    applicant_type = None
    submitted_after = None
    submitted_before = None
    routing_needs_attention = None

    class Meta:
        model = ConnectionRequest
        fields: list[str] = []
        form = QueueFilterForm

    def __init__(self, data=None, queryset=None, *, request, today, branches=None):
        super().__init__(data, queryset, request=request)
        self.today = today
        self.filters["state"].label = gettext_lazy("State")
        self.filters["state"].extra.update(choices=QUEUE_STATES, widget=forms.CheckboxSelectMultiple)
        self.filters["kind"].label = gettext_lazy("Kind")
        self.filters["kind"].extra["empty_label"] = "—"
        if branches is None:
            del self.filters["branch"]
        else:
            self.filters["branch"].extra["choices"] = [
                ("", "—"),
                *((branch.pk, branch.name) for branch in branches),
            ]

    def filter_search(self, queryset, name, value):
        return search(queryset, value)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(due_date__lt=self.today) if value else queryset

    def filter_due_within(self, queryset, name, value):
        return queryset.filter(due_date__lte=calendar.add_working_days(self.today, value))

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        return queryset.filter(assigned_to__isnull=True)

    def qs_of_every_state(self):
        """The queue with every filter but the state: the counts per state are taken from it."""
        queryset = self.queryset.all()
        if not self.is_bound:
            return queryset
        self.is_valid()  # cleans the form: its cleaned data holds the valid filters
        for name, value in self.form.cleaned_data.items():
            if name != "state":
                queryset = self.filters[name].filter(queryset, value)
        return queryset


def queue_scope(user):
    """Submitted applications (never drafts) the user works on: their branches' or all."""
    queryset = ConnectionRequest.objects.exclude(state=State.DRAFT)
    if sees_all_branches(user):
        return queryset
    return queryset.filter(branch_id__in=list(user.branch_ids))


def queue_filter(request, *, today) -> QueueFilter:
    """The console's filters bound to the page's query, over the user's queue."""
    user = request.user
    branches = list(Branch.objects.order_by("name")) if sees_all_branches(user) else None
    return QueueFilter(
        request.GET or None, queue_scope(user), request=request, today=today, branches=branches
    )


def queue_rows(queryset):
    """The rows of the queue in the order of the due dates."""
    return queryset.select_related("applicant", "branch", "assigned_to").order_by(
        F("due_date").asc(nulls_last=True), "number", "pk"
    )


def state_counts(queryset, *, today) -> dict:
    """Counts per state and of the overdue ones, in one aggregate query."""
    aggregates = {state: Count("pk", filter=Q(state=state)) for state, _label in QUEUE_STATES}
    aggregates["__overdue"] = Count("pk", filter=Q(due_date__lt=today))
    aggregates["__total"] = Count("pk")
    return queryset.aggregate(**aggregates)


@login_required
def console(request):
    user = request.user
    if not is_console_user(user):
        raise PermissionDenied
    today = timezone.localdate()
    filters = queue_filter(request, today=today)
    raw_counts = state_counts(filters.qs_of_every_state(), today=today)
    rows = queue_rows(filters.qs)
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
        "form": filters.form,
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
