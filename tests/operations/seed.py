"""Demo rows for the fault tests' portal process, printed as JSON (run through `manage.py shell`)."""

import json

from django.test import Client

from backend.users.services import issue_token
from tests.backend.factories import UserFactory
from tests.connection.factories import ConnectionRequestFactory
from tests.grid.factories import BranchFactory, TerritoryFactory
from tests.workflow.helpers import application_in_state


def main(*, submitted: int) -> None:
    branch = BranchFactory()
    TerritoryFactory(branch=branch)
    engineer = UserFactory(role="engineer", branches=[branch])
    applications = [application_in_state("submitted", branch=branch) for _ in range(submitted)]
    draft = ConnectionRequestFactory()
    browser = Client()
    browser.force_login(draft.owner)
    print(
        json.dumps(
            {
                "engineer_token": issue_token(user=engineer)[1],
                "submitted": [application.pk for application in applications],
                "owners": [application.owner.email for application in applications],
                "draft": draft.pk,
                "draft_owner_token": issue_token(user=draft.owner)[1],
                "draft_owner_session": browser.cookies["sessionid"].value,
            }
        )
    )
