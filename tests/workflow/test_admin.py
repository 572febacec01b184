"""The admin: calendar overrides take effect at once; rulebook history is read-only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.backend.factories import UserFactory
from tests.workflow.factories import version_with
from workflow.calendar import is_working_day
from workflow.models import RulebookVersion, local_today
from workflow.rulebook import RULE_KEYS, format_value, get_rules, get_rules_by_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def seed() -> RulebookVersion:
    return RulebookVersion.objects.get(code="2022-07")


def test_a_decree_entered_in_the_admin_is_picked_up(admin_client):
    monday = date(2026, 6, 15)
    assert is_working_day(monday)
    response = admin_client.post(
        reverse("admin:workflow_calendarday_add"),
        {"date": "2026-06-15", "kind": "non_working", "note": "Постановление (пример)", "source": "test"},
    )
    assert response.status_code == 302
    assert not is_working_day(monday)


def test_calendar_list(admin_client):
    response = admin_client.get(reverse("admin:workflow_calendarday_changelist"), {"date__year": "2026"})
    assert response.status_code == 200


def _version_form(effective_from: date, *, code: str, values: dict[str, str] | None = None, skip: str = ""):
    rules = get_rules()
    keys = [key for key in RULE_KEYS if key != skip]
    data = {
        "code": code,
        "effective_from": effective_from.isoformat(),
        "title": "New rules",
        "source_note": "Decree (example)",
        "values-TOTAL_FORMS": str(len(keys)),
        "values-INITIAL_FORMS": "0",
        "values-MIN_NUM_FORMS": "0",
        "values-MAX_NUM_FORMS": "1000",
    }
    for index, key in enumerate(keys):
        data[f"values-{index}-key"] = key
        data[f"values-{index}-value"] = (values or {}).get(key) or format_value(key, getattr(rules, key))
        data[f"values-{index}-confidence"] = rules.confidence(key)
        data[f"values-{index}-source_note"] = rules.source(key)
    return data


def test_add_form_is_prefilled_with_the_rules_in_effect(admin_client):
    response = admin_client.get(reverse("admin:workflow_rulebookversion_add"))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.forms) == len(RULE_KEYS)
    initial = {form.initial["key"]: form.initial["value"] for form in formset.forms}
    assert initial["offer_wd"] == "10"
    assert initial["business_reliability_categories"] == "II,III"


def test_administrator_adds_a_new_version(admin_client):
    starts = local_today() + timedelta(days=14)
    response = admin_client.post(
        reverse("admin:workflow_rulebookversion_add"),
        _version_form(starts, code="next", values={"offer_wd": "15", "household_max_voltage_kv": "0.40"}),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    version = RulebookVersion.objects.get(code="next")
    rules = get_rules_by_version(version.pk)
    assert rules.offer_wd == 15
    assert version.values.get(key="household_max_voltage_kv").value == "0.4"  # canonical text
    assert get_rules().offer_wd == 10
    assert get_rules(on=starts).offer_wd == 15


def test_a_version_needs_every_key(admin_client):
    starts = local_today() + timedelta(days=14)
    response = admin_client.post(
        reverse("admin:workflow_rulebookversion_add"), _version_form(starts, code="next", skip="payment_wd")
    )
    assert response.status_code == 200
    assert "payment_wd" in str(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert not RulebookVersion.objects.filter(code="next").exists()


def test_a_new_version_cannot_start_today(admin_client):
    response = admin_client.post(
        reverse("admin:workflow_rulebookversion_add"), _version_form(local_today(), code="today")
    )
    assert response.status_code == 200
    assert "effective_from" in response.context["adminform"].form.errors


def test_a_bad_value_is_refused_on_its_field(admin_client):
    starts = local_today() + timedelta(days=14)
    response = admin_client.post(
        reverse("admin:workflow_rulebookversion_add"),
        _version_form(starts, code="next", values={"business_reliability_categories": "II,IV"}),
    )
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert any("value" in form_errors for form_errors in errors)


def test_a_version_in_effect_is_read_only(admin_client):
    version = seed()
    url = reverse("admin:workflow_rulebookversion_change", args=[version.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    response = admin_client.post(url, _version_form(version.effective_from, code=version.code))
    assert response.status_code == 403
    value = version.values.get(key="offer_wd")
    response = admin_client.post(
        reverse("admin:workflow_rulevalue_change", args=[value.pk]),
        {"key": "offer_wd", "value": "15", "confidence": "firm", "source_note": "x"},
    )
    assert response.status_code == 403
    assert get_rules().offer_wd == 10


def test_version_list_shows_status(admin_client):
    version_with(date(2024, 1, 1), code="2024-01")
    version_with(local_today() + timedelta(days=3), code="soon")
    response = admin_client.get(reverse("admin:workflow_rulebookversion_changelist"))
    assert response.status_code == 200
    statuses = {
        row.code: RulebookVersionAdminStatus.of(response, row) for row in RulebookVersion.objects.all()
    }
    assert statuses == {"2022-07": "Superseded", "2024-01": "Current", "soon": "Scheduled"}
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)
    assert admin_client.get(reverse("admin:workflow_rulevalue_changelist")).status_code == 200


class RulebookVersionAdminStatus:
    @staticmethod
    def of(response, version: RulebookVersion) -> str:
        from django.contrib import admin
        from django.utils import translation

        model_admin = admin.site._registry[RulebookVersion]
        annotated = model_admin.get_queryset(response.wsgi_request).get(pk=version.pk)
        with translation.override("en"):
            return model_admin.status(annotated)


def test_copy_as_a_new_version(admin_client):
    response = admin_client.post(
        reverse("admin:workflow_rulebookversion_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [seed().pk]},
    )
    draft = RulebookVersion.objects.exclude(code="2022-07").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:workflow_rulebookversion_change", args=[draft.pk])
    assert draft.effective_from == local_today() + timedelta(days=1)
    assert get_rules_by_version(draft.pk).as_dict() == get_rules().as_dict()
    # The draft is editable in the admin.
    change = admin_client.get(response["Location"])
    assert change.context["has_change_permission"]
