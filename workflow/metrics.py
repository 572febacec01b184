"""Prometheus gauges of the workflow, computed at scrape time (see backend.metrics)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from workflow.machine import Party
from workflow.models import OutboxEmail
from workflow.states import State


class WorkflowCollector:
    def collect(self):
        model = apps.get_model(settings.WORKFLOW_APPLICATION_MODEL)
        per_state = GaugeMetricFamily("portal_applications", "Applications per state", labels=["state"])
        counts = dict(model.objects.values_list("state").annotate(n=Count("pk")).order_by())
        for state in State:
            per_state.add_metric([state.value], counts.get(state.value, 0))
        yield per_state

        # The grid organisation's steps past their due date (what the deadline job reports).
        overdue = model.objects.filter(
            acting_party__in=[Party.GRID, Party.BOTH], due_date__lt=timezone.localdate()
        ).count()
        yield GaugeMetricFamily(
            "portal_overdue_steps", "Grid organisation's steps past their due date", value=overdue
        )

        pending = OutboxEmail.objects.filter(sent_at__isnull=True).count()
        yield GaugeMetricFamily(
            "portal_outbox_pending_emails", "E-mails waiting in the outbox", value=pending
        )
