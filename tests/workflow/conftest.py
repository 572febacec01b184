"""Each test starts and ends with empty calendar and rulebook caches: a rolled-back transaction
sends no signals, so a cache filled inside a test would outlive its rows."""

import pytest

from workflow import calendar, rulebook


@pytest.fixture(autouse=True)
def _clear_workflow_caches():
    calendar.clear_cache()
    rulebook.clear_cache()
    yield
    calendar.clear_cache()
    rulebook.clear_cache()
