from django.urls import path

from appeals.api.views import ActiveIncidentsView

urlpatterns_plain = [path("incidents/active/", ActiveIncidentsView.as_view(), name="incidents-active")]
