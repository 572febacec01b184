"""Consumers' reports in the browser: the public form (map or settlement, photos), the e-mailed
confirmation, the private status page, the public map of active incidents and the on-time share
of answers per branch. Nothing personal is shown on the public pages."""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from appeals import selectors, services
from appeals.exceptions import ObjectMissing, TooManyReports
from appeals.models import DefectKind, ReportKind, ReportPhoto
from appeals.places import settlements
from backend.users.client_address import client_address
from backend.users.login_guard import site_url
from web.accounts import too_many_message
from web.forms import apply_errors
from web.views import map_settings


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); the content checks are the service's."""

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What happened"), choices=ReportKind.choices, widget=forms.RadioSelect
    )
    defect_kind = forms.ChoiceField(
        label=gettext_lazy("What is wrong with the equipment"),
        choices=[("", "—"), *DefectKind.choices],
        required=False,
    )
    latitude = forms.CharField(label=gettext_lazy("Latitude"), required=False, max_length=20)
    longitude = forms.CharField(label=gettext_lazy("Longitude"), required=False, max_length=20)
    settlement = forms.ChoiceField(label=gettext_lazy("Settlement"), required=False)
    address = forms.CharField(label=gettext_lazy("Street and house"), required=False, max_length=300)
    started_at = forms.DateTimeField(
        label=gettext_lazy("Started at"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultipleFileField(
        label=gettext_lazy("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=gettext_lazy(
            "Up to 3 JPEG or PNG photos. The location stored in a photo is not shown publicly."
        ),
    )
    contact_name = forms.CharField(label=gettext_lazy("Your name"), required=False, max_length=150)
    contact_email = forms.EmailField(
        label=gettext_lazy("E-mail for the answer"),
        required=False,
        help_text=gettext_lazy("Without an account we send a link to confirm the report."),
    )
    contact_phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=20)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["settlement"].choices = [("", "—"), *((item.name, item.name) for item in settlements())]
        if user is None or not user.is_authenticated:
            self.fields["contact_email"].required = True


def _map_context() -> dict:
    context = map_settings()
    context["labels"] = {
        "since": _("since"),
        "expected_fix": _("expected fix"),
        "reports": _("reports"),
        "your_place": _("the place"),
    }
    return context


@require_http_methods(["GET", "POST"])
def new_report(request):
    user = request.user if request.user.is_authenticated else None
    form = ReportForm(request.POST or None, request.FILES or None, user=user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.submit_report(
                kind=data["kind"],
                defect_kind=data["defect_kind"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                settlement=data["settlement"],
                address=data["address"],
                started_at=data["started_at"],
                description=data["description"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                photos=data["photos"],
                reporter=user,
                client_address=client_address(request),
                base_url=site_url(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except TooManyReports as error:
            form.add_error(None, too_many_message(error.retry_after))
            status = 429
        except ObjectMissing as error:
            form.add_error(None, error.message)
        else:
            return redirect("web:report_status", token=report.private_token)
    if request.method == "POST" and status == 200:
        status = 400
    return render(
        request,
        "web/reports/new.html",
        {"form": form, "map": _map_context(), "emergency_phone": settings.APPEALS_EMERGENCY_PHONE},
        status=status,
    )


def report_status(request, token: str):
    try:
        report = selectors.report_by_token(token)
    except ObjectMissing as error:
        raise Http404(error.message) from error
    return render(
        request,
        "web/reports/status.html",
        {
            "report": report,
            "history": selectors.public_history(report),
            "emergency_phone": settings.APPEALS_EMERGENCY_PHONE,
        },
    )


def report_photo(request, token: str, photo_id: int):
    """The photo without metadata, to whoever holds the report's private link."""
    photo = ReportPhoto.objects.filter(pk=photo_id, report__private_token=token).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.public_file.open("rb"), content_type=photo.content_type)


@require_http_methods(["GET", "POST"])
def confirm_report(request, token):
    if request.method == "POST":
        try:
            report = services.confirm_report(confirmation_token=token, base_url=site_url(request))
        except ObjectMissing as error:
            raise Http404(error.message) from error
        return redirect("web:report_status", token=report.private_token)
    return render(request, "web/reports/confirm.html", {"token": token})


def incident_map(request):
    incidents = selectors.active_incidents_public()
    return render(
        request,
        "web/reports/incidents.html",
        {
            "incidents": incidents,
            "incident_data": [asdict(incident) for incident in incidents],
            "map": _map_context(),
        },
    )


def on_time(request):
    return render(request, "web/reports/on_time.html", {"shares": selectors.on_time_shares()})
