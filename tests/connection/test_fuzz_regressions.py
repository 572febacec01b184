"""Requests that answered 500 under fuzzing (issue 13, schemathesis); each now gets its 4xx."""

import pytest

from tests.connection.factories import ConnectionRequestFactory
from tests.workflow.helpers import URL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stage", "missing"),
    [({"planned_date": "2027-06-01"}, "power_kw"), ({"power_kw": "15"}, "planned_date")],
)
def test_a_patched_stage_without_one_of_its_fields_is_400_naming_it(make_client, stage, missing):
    draft = ConnectionRequestFactory()
    before = list(draft.stages.values_list("planned_date", "power_kw"))
    response = make_client(draft.owner).patch(f"{URL}{draft.pk}/", {"stages": [stage]})
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {"code": "required", "message": "Обязательное поле.", "field": f"stages.0.{missing}"}
    ]
    assert list(draft.stages.values_list("planned_date", "power_kw")) == before


def test_a_non_numeric_message_id_is_404(make_client):
    draft = ConnectionRequestFactory()
    response = make_client(draft.owner).get(f"{URL}{draft.pk}/messages/abc/attachments/0/download/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
