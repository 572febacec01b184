"""The wizard checks each step's fields a submission needs on "Save and continue" (not first at the
review), marks them, and shows which steps are complete."""

from __future__ import annotations

import pytest
from django.test import Client

from connection.models import ConnectionRequest
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant():
    return UserFactory(role="applicant")


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_continuing_with_an_empty_needed_field_is_refused_on_the_step(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    url = f"/applications/{draft.pk}/edit/object/"
    posted = {"object_name": "Barn", "object_address": "", "cadastral_number": "", "kind": "new"}
    response = client_for(applicant).post(url, {**posted, "latitude": "45", "longitude": "42", "go": "next"})
    html = response.content.decode()
    assert response.status_code == 200  # the step again, not the next one
    assert 'id="id_object_address_error"' in html and 'id="id_cadastral_number_error"' in html
    assert 'href="#id_object_address"' in html  # in the summary at the top
    draft.refresh_from_db()
    assert draft.object_name == "Жилой дом"  # nothing saved

    # "Save draft" keeps what is typed, gaps and all
    response = client_for(applicant).post(url, {**posted, "latitude": "45", "longitude": "42", "go": "stay"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.object_name == "Barn" and draft.object_address == ""


def test_supply_needs_a_stage_and_the_applicant_step_the_fields_of_its_type(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    client = client_for(applicant)
    response = client.post(
        f"/applications/{draft.pk}/edit/supply/",
        {
            "voltage_level": "0.4",
            "phases": "3",
            "reliability_category": "III",
            "load_character": "household",
            "guaranteeing_supplier": "",
            "payment_option": "lump_sum",
            "go": "next",
        },
    )
    html = response.content.decode()
    assert 'id="id_guaranteeing_supplier_error"' in html and 'id="id_stage_1_date_error"' in html

    response = client.post(
        f"/applications/{draft.pk}/edit/applicant/",
        {
            "applicant_type": "legal_entity",
            "organisation_name": "",
            "inn": "",
            "registration_address": "x",
            "phone": "+7 900 111-22-33",
            "email": "a@example.ru",
            "go": "next",
        },
    )
    html = response.content.decode()
    assert 'id="id_organisation_name_error"' in html and 'id="id_kpp_error"' in html
    assert 'id="id_passport_series_error"' not in html  # a company has no passport


def test_needed_fields_are_marked_and_follow_the_applicant_type(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant)
    client = client_for(applicant)
    html = client.get(f"/applications/{draft.pk}/edit/supply/").content.decode()
    assert 'name="guaranteeing_supplier"' in html
    assert html.count('aria-required="true"') >= 6
    html = client.get(f"/applications/{draft.pk}/edit/applicant/").content.decode()
    assert 'id="field-organisation_name" data-shown-for="legal_entity" data-needed-for="legal_entity"' in html
    assert 'data-needed-for="individual"' in html  # the passport
    assert 'src="/static/web/wizard.js"' in html


def test_step_tabs_show_which_steps_are_complete(applicant):
    draft = ConnectionRequestFactory(applicant__owner=applicant, owner=applicant, guaranteeing_supplier="")
    html = client_for(applicant).get(f"/applications/{draft.pk}/edit/power/").content.decode()
    assert 'class="complete" id="step-applicant"' in html
    assert 'class="current complete" id="step-power"' in html
    assert 'class="incomplete" id="step-supply"' in html  # no guaranteeing supplier
    assert 'class="incomplete" id="step-documents"' in html  # none attached
    assert 'class="" id="step-review"' in html
    assert ConnectionRequest.objects.get(pk=draft.pk).state == "draft"
