"""Building applications in a given state for workflow tests."""

from __future__ import annotations

from django.utils import timezone

from connection.models import ConnectionRequest
from tests.connection.factories import ConnectionRequestFactory
from workflow.rulebook import get_rules
from workflow.services import refresh_deadline

URL = "/api/v1/connection-requests/"

# The measures and metering of the technical conditions an offer needs.
TC_MEASURES = {
    "grid_measures": "Строительство ВЛИ-0,4 кВ от ТП-12 до границы участка, около 120 м.",
    "applicant_measures": "Вводное устройство и автоматический выключатель 25 А.",
    "metering_requirements": "Прибор учёта класса точности 1,0 на границе участка.",
}

# Valid data for each transition that takes some.
VALID_DATA = {
    "request_info": {"items": ["Копия паспорта, страница с регистрацией"]},
    "reject": {"reason": "Объект вне зоны сетевой организации"},
    "issue_offer": {
        **TC_MEASURES,
        "connection_point": "ТП-12, РУ-0,4 кВ",
        "fee_rub": "75000.00",
        "grid_distance_m": "120",
    },
    "record_payment": {"paid_on": None, "amount_rub": "75000.00"},  # paid_on: today, filled in at run time
    "report_defects": {"defects": "Не установлен вводной автомат"},
}


def data_for(name: str) -> dict:
    data = dict(VALID_DATA.get(name, {}))
    if name == "record_payment":
        data["paid_on"] = timezone.localdate().isoformat()
    return data


def application_in_state(state: str, *, branch=None, **fields) -> ConnectionRequest:
    """A complete application (documents attached) put straight into `state`, as if it got there
    today through the workflow, with its deadline set."""
    draft = ConnectionRequestFactory(with_documents=True, **fields)
    if state == "draft":
        return draft
    today = timezone.localdate()
    ConnectionRequest.objects.filter(pk=draft.pk).update(
        state=state,
        branch=branch,
        number=f"ТП-{today.year}-9{draft.pk:05d}",
        submitted_at=timezone.now(),
        step_started_on=today,
        complete_since=today,
        contract_date=today if state in ("contract_active", "ready_for_check", "connected") else None,
        # Past the applicant's notice the grid organisation's own measures are taken as done.
        grid_works_done_on=today if state in ("ready_for_check", "connected") else None,
        grid_distance_m=120,
        rulebook_version_id=get_rules().version_id,
    )
    application = ConnectionRequest.objects.get(pk=draft.pk)
    refresh_deadline(application)
    ConnectionRequest.objects.filter(pk=draft.pk).update(
        due_date=application.due_date, acting_party=application.acting_party
    )
    return ConnectionRequest.objects.get(pk=draft.pk)


def run(client, application, name, data=None, **extra):
    return client.post(
        f"{URL}{application.pk}/transitions/{name}/",
        data if data is not None else data_for(name),
        format="json",
        **extra,
    )
