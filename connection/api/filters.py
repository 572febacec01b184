import django_filters
from django.utils.translation import gettext_lazy as _

from connection.models import ApplicantType, ConnectionRequest, RequestKind
from workflow.states import State


class ConnectionRequestFilter(django_filters.FilterSet):
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
