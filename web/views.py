"""Public pages: home, about, the load calculator and the capacity map."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

import capacity_calc
from backend.exceptions import StateConflict
from backend.formatting import number_text
from backend.users.roles import Role
from connection import selectors, services
from connection.load_calculation import LINE_VOLTAGE_V, apply_load_result
from web.forms import CalculatorSupplyForm, DeviceFormSet, parse_id
from workflow import rulebook

DEFAULT_ROWS = 6


def map_settings() -> dict[str, Any]:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "bbox": list(settings.SERVICE_AREA_BBOX),
        "labels": {
            "free": _("kW free"),
            "kv": _("kV"),
            "away": _("m away"),
            "enough": _("enough for your request"),
            "not_enough": _("not enough for your request"),
            "within": _("within the standard distance"),
            "beyond": _("beyond the standard distance"),
            "title": _("Nearest connection points"),
            "term": _("Term of the works"),
            "fee": _("Fee"),
            "within_summary": _(
                "A point with enough free capacity is within the standard distance: standard terms apply."
            ),
            "none": _("No connection points nearby."),
            "no_places": _("No town or district of the service area has this name."),
            "no_preference": _("No preference"),
            "unavailable": _("The connection points cannot be shown now; you can still save the location."),
            "your_object": _("Your object"),
            "installed": _("installed"),
            "reserved": _("reserved"),
        },
    }


def home(request):
    rules = rulebook.get_rules()
    return render(request, "web/home.html", {"rules": rules})


def about(request):
    return render(request, "web/about.html")


def capacity_map(request):
    return render(request, "web/map.html", {"map": map_settings()})


def _own_draft(request, pk):
    pk = parse_id(pk)
    if not request.user.is_authenticated or pk is None:
        return None
    return selectors.visible_requests(request.user).filter(pk=pk, owner=request.user, state="draft").first()


def _filled_rows(formset) -> list[tuple[int, Any]]:
    return [(index, form) for index, form in enumerate(formset.forms) if not form.is_blank()]


def _device_rows(formset) -> list[dict[str, Any]]:
    """The filled rows as the calculator's device rows (the shape of the calculator API's `devices`):
    what the result is computed from, and what is kept when it is applied."""
    rows = []
    for _index, form in _filled_rows(formset):
        data = form.cleaned_data
        row: dict[str, Any] = {
            "device_type": data["device_type"] or "other",
            "quantity": data.get("quantity") or 1,
        }
        if data.get("unit_kw") is not None:
            row["unit_kw"] = data["unit_kw"]
        rows.append(row)
    return rows


def _supply(supply_form) -> dict[str, Any]:
    """The chosen supply in the shape of the calculator API's `supply`."""
    data = supply_form.cleaned_data
    return {"phases": data.get("phases"), "voltage_v": data.get("voltage_v") or 230}


def _calculate(formset, supply: dict[str, Any]) -> capacity_calc.LoadResult | None:
    """Compute the filled rows with the chosen supply; the calculator's problems go back on the
    rows' fields."""
    rows = _filled_rows(formset)
    if not rows:
        formset.forms[0].add_error("device_type", _("Choose at least one device."))
        return None
    inputs = [capacity_calc.DeviceInput(**row) for row in _device_rows(formset)]
    try:
        return capacity_calc.calculate_devices(
            inputs,
            phases=supply["phases"],
            single_phase_voltage_v=supply["voltage_v"],
            three_phase_voltage_v=LINE_VOLTAGE_V[supply["voltage_v"]],
        )
    except capacity_calc.InputError as error:
        english = (get_language() or "").startswith("en")
        for problem in error.problems:
            message = problem.message_en if english else problem.message
            form = rows[problem.row - 1][1] if problem.row and problem.row <= len(rows) else formset.forms[0]
            column = problem.column if problem.column in form.fields else None
            form.add_error(column, message)
        return None


def calculator(request):
    """The device-list calculator. With ?application=<id> of the user's own draft the result can be
    applied to it (the requested power and, where empty, phases and voltage)."""
    application = _own_draft(request, request.GET.get("application") or request.POST.get("application"))
    result = None
    if request.method == "POST":
        formset = DeviceFormSet(request.POST, prefix="devices")
        supply_form = CalculatorSupplyForm(request.POST, prefix="supply")
        if request.POST.get("action") == "more":
            formset.is_valid()
            keep = ("device_type", "quantity", "unit_kw")
            initial = [
                {key: getattr(form, "cleaned_data", {}).get(key) for key in keep} for form in formset.forms
            ]
            initial += [{"quantity": 1} for _ in range(4)]
            formset = DeviceFormSet(prefix="devices", initial=initial[:100])
        elif supply_form.is_valid() and formset.is_valid():
            supply = _supply(supply_form)
            result = _calculate(formset, supply)
            action = request.POST.get("action")
            new_draft = action == "apply_new" and application is None and _may_apply(request.user)
            if result is not None and (new_draft or (action == "apply" and application is not None)):
                try:
                    with transaction.atomic():  # a new draft exists only with the result in it
                        target = (
                            services.create_draft(owner=request.user, data={}) if new_draft else application
                        )
                        applied = apply_load_result(
                            application=target,
                            result=result,
                            input_data={"devices": _device_rows(formset), "supply": supply},
                            user=request.user,
                        )
                except ValidationError as error:
                    for messages_ in error.message_dict.values():
                        for message in messages_:
                            messages.error(request, message)
                except StateConflict as error:
                    messages.error(request, str(error.message))
                else:
                    messages.success(
                        request,
                        _("%(kw)s kW was written into your application as the requested power.")
                        % {"kw": number_text(applied.requested_kw)},
                    )
                    for note in applied.notes:
                        messages.info(request, note.message)
                    step = "applicant" if new_draft else "power"
                    return redirect("web:wizard", pk=target.pk, step=step)
    else:
        initial = [{"quantity": 1} for _ in range(DEFAULT_ROWS)]
        formset = DeviceFormSet(prefix="devices", initial=initial)
        supply_form = CalculatorSupplyForm(prefix="supply")
    english = (get_language() or "").startswith("en")
    return render(
        request,
        "web/calculator.html",
        {
            "formset": formset,
            "supply_form": supply_form,
            "result": result,
            "application": application,
            "english": english,
            "may_apply": _may_apply(request.user),
        },
    )


def _may_apply(user) -> bool:
    return user.is_authenticated and user.has_role(Role.APPLICANT, Role.INTEGRATION)
