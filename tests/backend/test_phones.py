"""Phone numbers checked and stored in one international form (phonenumbers)."""

import pytest
from django.core.exceptions import ValidationError

from backend.phones import normalise_phone
from backend.users.models import User


@pytest.mark.parametrize(
    "typed",
    ["+7 900 111-22-33", "8 (900) 111 22 33", "89001112233", "+79001112233", "9001112233"],
)
def test_russian_numbers_as_typed_become_one_form(typed):
    assert normalise_phone(typed) == "+7 900 111-22-33"


@pytest.mark.parametrize("typed", ["123", "+7 900 111-22", "phone", "+7 000 000-00-00", "8-800"])
def test_impossible_numbers_are_refused(typed):
    with pytest.raises(ValidationError) as caught:
        normalise_phone(typed)
    assert caught.value.code == "phone"


@pytest.mark.django_db
def test_registration_over_the_api_stores_the_normalised_phone(api_client):
    data = {"email": "ph@example.ru", "password": "a-Strong-pass-2026", "last_name": "Ан", "first_name": "Ли"}
    response = api_client.post("/api/v1/auth/register/", {**data, "phone": "12"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "phone", "message": "Enter a phone number, for example +7 900 123-45-67.", "field": "phone"}
    ]
    response = api_client.post("/api/v1/auth/register/", {**data, "phone": "8 900 111 22 33"})
    assert response.status_code == 202, response.content
    assert User.objects.get(email="ph@example.ru").phone == "+7 900 111-22-33"
