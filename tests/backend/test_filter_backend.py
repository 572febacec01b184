"""The filter backend builds the filter set only when a query parameter may be one of its filters;
otherwise the list is the same without it."""

from __future__ import annotations

import pytest
from django_filters import rest_framework as django_filters
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from backend.api.filters import DjangoFilterBackend
from connection.api.views import ConnectionRequestViewSet
from connection.models import ConnectionRequest
from tests.connection.factories import ConnectionRequestFactory

pytestmark = pytest.mark.django_db


def filtered(query: dict, monkeypatch) -> tuple[list[int], int]:
    built = []
    original = django_filters.DjangoFilterBackend.get_filterset

    def counting(self, request, queryset, view):
        built.append(1)
        return original(self, request, queryset, view)

    monkeypatch.setattr(django_filters.DjangoFilterBackend, "get_filterset", counting)
    request = Request(APIRequestFactory().get("/", query))
    view = ConnectionRequestViewSet(request=request, action="list", format_kwarg=None)
    queryset = DjangoFilterBackend().filter_queryset(request, ConnectionRequest.objects.order_by("pk"), view)
    return list(queryset.values_list("pk", flat=True)), len(built)


def test_filters_run_only_when_named(monkeypatch):
    new, increase = ConnectionRequestFactory(kind="new"), ConnectionRequestFactory(kind="power_increase")
    assert filtered({}, monkeypatch) == ([new.pk, increase.pk], 0)
    assert filtered({"page": "1", "search": "x"}, monkeypatch) == ([new.pk, increase.pk], 0)
    assert filtered({"kind": "power_increase"}, monkeypatch) == ([increase.pk], 1)
    # A name with a suffix (as range filters take) still builds the filter set.
    assert filtered({"kind_something": "x"}, monkeypatch)[1] == 1
