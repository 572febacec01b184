"""django-filter's backend, skipped when the request names none of the filters."""

from __future__ import annotations

from django_filters import rest_framework as filters


class DjangoFilterBackend(filters.DjangoFilterBackend):
    """Builds and validates the filter set (a form with a field per filter, on every request) only
    when a query parameter could be one of its filters (its name, or its name with a suffix as a
    range filter's `_min`/`_after` have): without any, the filter set leaves the queryset as it is,
    so the list is the same without the cost."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            parameter.startswith(name)
            for parameter in request.query_params
            for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
