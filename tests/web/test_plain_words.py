"""No internal words in user text: file names, "engineering default", API field names, role codes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from connection.workflow_actions import perform_transition
from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory
from tests.workflow.helpers import application_in_state
from web.templatetags.portal import source_text

pytestmark = pytest.mark.django_db
INTERNAL = re.compile(r"\.csv\b|\.md\b|engineering default|`\w+`|\[(single|verify|default|firm)\]")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_calculators_trace_names_norms_not_files(language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    data = {
        "devices-TOTAL_FORMS": "2",
        "devices-INITIAL_FORMS": "0",
        "devices-0-device_type": "electric_cooker",
        "devices-0-quantity": "1",
        "devices-1-device_type": "kettle",
        "devices-1-quantity": "1",
        "action": "calculate",
    }
    page = client.post("/calculator/", data).content.decode()
    assert 'id="design-kw"' in page
    assert INTERNAL.findall(page) == []


def test_source_text_keeps_the_norm():
    assert source_text("data/devices.csv: СП 256.1325800.2016, табл. 7.1") == "СП 256.1325800.2016, табл. 7.1"
    assert "engineering default" not in source_text("engineering default (ГОСТ 6827-76)")


def test_the_engineers_page_has_no_api_names_or_role_codes():
    branch = BranchFactory()
    engineer = UserFactory(role="engineer", branches=[branch])
    application = application_in_state("submitted", branch=branch)
    perform_transition(application=application, name="accept", user=engineer)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(engineer)
    html = client.get(f"/console/applications/{application.pk}/").content.decode()
    assert 'id="action-issue_offer"' in html
    assert INTERNAL.findall(html) == []
    assert "«connection point»" in html  # the API's `connection_point` named by its label
    history = html.split('id="history-table"')[1].split("</table>")[0]
    assert "Network engineer" in history and ">engineer<" not in history
