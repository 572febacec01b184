"""The filters of the application list, written once: the API's list (`connection.api.views`) uses
`ApplicationFilter` as it is; the engineers' console (`web.console.QueueFilter`) extends it with
the filters of a work queue and shows it as its form."""

from __future__ import annotations

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from connection.models import ApplicantType, ConnectionRequest, RequestKind
from workflow.states import State

#: What a search looks in: the API's `search` (DRF's SearchFilter) and the console's `q`.
SEARCH_FIELDS = (
    "number",
    "applicant__last_name",
    "applicant__first_name",
    "applicant__organisation_name",
    "applicant__inn",
)


def search(queryset: QuerySet, text: str) -> QuerySet:
    """The applications where each word of `text` is found in one of SEARCH_FIELDS, as the API's
    search matches them."""
    for word in text.split():
        queryset = queryset.filter(
            reduce(or_, (Q(**{f"{field}__icontains": word}) for field in SEARCH_FIELDS))
        )
    return queryset


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices, help_text=_("One or more states."))
    branch = django_filters.CharFilter(field_name="branch__code", help_text=_("Branch code."))
    kind = django_filters.ChoiceFilter(choices=RequestKind.choices)
    applicant_type = django_filters.ChoiceFilter(
        field_name="applicant__applicant_type", choices=ApplicantType.choices
    )
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", help_text=_("Submitted on or after this date.")
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", help_text=_("Submitted on or before this date.")
    )
    routing_needs_attention = django_filters.BooleanFilter()

    class Meta:
        model = ConnectionRequest
        fields = ["state", "branch", "kind", "applicant_type", "submitted_after", "submitted_before"]
