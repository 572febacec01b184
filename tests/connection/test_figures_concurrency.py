"""The dashboard's counters under concurrent transitions (PostgreSQL, real threads): transitions
of different applications that add to the same counter row are all counted; of twenty racing
on one application only the winner is."""

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import Sum

from connection import workflow_actions
from connection.models import StepExit
from tests.backend.factories import UserFactory
from tests.grid.factories import BranchFactory, TerritoryFactory
from tests.workflow.helpers import application_in_state
from workflow.exceptions import TransitionConflict

# Skipped at collection, not in a fixture: a transactional test that starts on SQLite would flush
# and restore the database around itself for nothing.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks are what this tests; run with DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded"),
]


def race(jobs) -> list:
    """Run the callables at once, each in its own thread and database connection."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = []

    def work(job):
        try:
            barrier.wait()
            outcomes.append(job())
        except Exception as error:  # collected and checked by the caller
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_transitions_adding_to_one_counter_are_all_counted():
    branch = BranchFactory()
    TerritoryFactory(branch=branch)
    engineer = UserFactory(role="engineer", branches=[branch])
    applications = [application_in_state("submitted", branch=branch) for _ in range(10)]

    outcomes = race(
        [
            lambda application=application: workflow_actions.perform_transition(
                application=application, name="accept", user=engineer
            )
            for application in applications
        ]
    )

    assert [outcome for outcome in outcomes if isinstance(outcome, Exception)] == []
    rows = StepExit.objects.filter(branch_key=branch.pk, state="submitted")
    assert rows.count() == 1  # the same branch, step, day and working days taken
    assert rows.aggregate(finished=Sum("finished"), judged=Sum("judged"), on_time=Sum("on_time")) == {
        "finished": 10,
        "judged": 10,
        "on_time": 10,
    }


def test_of_transitions_racing_on_one_application_only_the_winner_is_counted():
    branch = BranchFactory()
    TerritoryFactory(branch=branch)
    application = application_in_state("submitted", branch=branch)
    engineers = [UserFactory(role="engineer", branches=[branch]) for _ in range(10)]

    outcomes = race(
        [
            lambda engineer=engineer: workflow_actions.perform_transition(
                application=type(application).objects.get(pk=application.pk), name="accept", user=engineer
            )
            for engineer in engineers
        ]
    )

    assert sum(not isinstance(outcome, Exception) for outcome in outcomes) == 1
    assert all(
        isinstance(outcome, TransitionConflict) for outcome in outcomes if isinstance(outcome, Exception)
    )
    assert StepExit.objects.filter(branch_key=branch.pk).aggregate(finished=Sum("finished")) == {
        "finished": 1
    }
