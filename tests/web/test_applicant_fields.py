"""The applicant step takes SNILS as printed on the card and phone numbers as people type them."""

from __future__ import annotations

import pytest

from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory
from tests.grid.factories import point
from tests.web.test_wizard_steps import client_for

pytestmark = pytest.mark.django_db

PERSON = {
    "applicant_type": "individual",
    "last_name": "Петрова",
    "first_name": "Анна",
    "passport_series": "0712",
    "passport_number": "345678",
    "passport_issued_by": "ГУ МВД",
    "passport_issued_on": "2015-06-01",
    "registration_address": "г. Ставрополь, ул. Мира, 3",
    "email": "anna@example.ru",
    "go": "stay",
}


@pytest.fixture
def draft():
    owner = UserFactory(role="applicant")
    return ConnectionRequestFactory(applicant__owner=owner, owner=owner)


def test_snils_as_printed_and_the_phone_as_typed_are_stored_in_one_form(draft):
    response = client_for(draft.owner).post(
        f"/applications/{draft.pk}/edit/applicant/",
        {**PERSON, "snils": "112-233-445 95", "phone": "8 (900) 111 22 33"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.applicant.refresh_from_db()
    assert draft.applicant.snils == "11223344595"
    assert draft.applicant.phone == "+7 900 111-22-33"


@pytest.mark.parametrize(
    ("field", "value"),
    [("snils", "112-233-445 96"), ("snils", "112-233"), ("phone", "12345"), ("phone", "+7 000 000-00-00")],
)
def test_a_wrong_snils_or_phone_is_refused_on_its_field(draft, field, value):
    response = client_for(draft.owner).post(
        f"/applications/{draft.pk}/edit/applicant/", {**PERSON, "snils": "", "phone": "", field: value}
    )
    assert f'id="id_{field}_error"' in response.content.decode()
    draft.applicant.refresh_from_db()
    assert draft.applicant.last_name == "Петров"  # nothing saved


def test_the_supply_step_helps_to_choose_the_guaranteeing_supplier(draft):
    html = client_for(draft.owner).get(f"/applications/{draft.pk}/edit/supply/").content.decode()
    assert 'id="id_guaranteeing_supplier_help"' in html and "electricity bill" in html


def test_the_review_shows_the_snils_and_the_chosen_connection_point(draft):

    capacity = point("45.0010", "42.0010", name="ТП-7 Полевая")
    type(draft).objects.filter(pk=draft.pk).update(preferred_connection_point=capacity)
    html = client_for(draft.owner).get(f"/applications/{draft.pk}/edit/review/").content.decode()
    snils = draft.applicant.snils
    assert f'<dd id="review-snils">{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}</dd>' in html
    point_text = html.split('id="review-point">')[1].split("</dd>")[0]
    assert "ТП-7 Полевая" in point_text and "0.4 kV" in point_text


def test_the_application_page_shows_what_was_applied_for_before_the_offer():
    from tests.workflow.helpers import application_in_state

    application = application_in_state("submitted", requested_kw="12.5", previously_connected_kw="3")
    html = client_for(application.owner).get(f"/applications/{application.pk}/").content.decode()
    applied = html.split('id="applied-for"')[1].split("</section>")[0]
    assert "12.5 kW" in applied and "3 kW connected before" in applied
    assert application.object_address in applied and "0.4 kV" in applied
    assert 'id="technical-conditions"' not in html
