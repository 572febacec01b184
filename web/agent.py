"""The installer's (agent's) page: the applications its organisation acts for, filtered, with the
same exports as the API (CSV for Excel, JSON Lines)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integration import agent, selectors
from workflow.machine import Party
from workflow.states import State

#: Rows shown on the page; the exports have them all.
AGENT_PAGE_ROWS = 500


class AgentFilterForm(forms.Form):
    state = forms.MultipleChoiceField(label=_("State"), choices=State.choices, required=False)
    acting_party = forms.ChoiceField(
        label=_("Who acts now"), choices=[("", "—"), *Party.choices], required=False
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"), choices=[("", "—"), ("true", _("yes")), ("false", _("no"))], required=False
    )
    due_before = forms.DateField(
        label=_("Due on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    applicant = forms.CharField(label=_("Applicant's e-mail"), max_length=254, required=False)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "states": data["state"] or None,
            "acting_party": data["acting_party"] or None,
            "overdue": {"true": True, "false": False}.get(data["overdue"]),
            "due_before": data["due_before"],
            "applicant": data["applicant"],
        }


def _client(request):
    client = selectors.clients_of_member(request.user).first()
    if client is None:
        raise PermissionDenied
    return client


@login_required
def agent_page(request):
    client = _client(request)
    form = AgentFilterForm(request.GET)
    today = timezone.localdate()
    rows: list[dict] = []
    if form.is_valid():
        applications = selectors.represented_applications(client, today=today, **form.filters())
        rows = [agent.row(item, today=today) for item in applications[:AGENT_PAGE_ROWS]]
    return render(
        request,
        "web/agent.html",
        {"client": client, "form": form, "rows": rows, "query": request.GET.urlencode()},
        status=200 if form.is_valid() else 400,
    )


@login_required
def agent_export(request, export: str):
    client = _client(request)
    form = AgentFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "web/agent.html", {"client": client, "form": form, "rows": []}, status=400)
    today = timezone.localdate()
    applications = selectors.represented_applications(client, today=today, **form.filters())
    rows = (agent.row(item, today=today) for item in applications.iterator(chunk_size=500))
    if export == "csv":
        response = StreamingHttpResponse(agent.csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(agent.jsonl_lines(rows), content_type="application/jsonl")
    response["Content-Disposition"] = f'attachment; filename="applications-{today.isoformat()}.{export}"'
    return response
