"""Signal receivers of the connection domain, connected when the app is ready (apps.py)."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone
from django_fsm.signals import post_transition

from connection import figures
from connection.models import ConnectionRequest
from connection.reservations import release_reservations


@receiver(post_transition, sender=ConnectionRequest, dispatch_uid="connection_release_capacity_on_annul")
def release_capacity_on_annul(sender, instance, name, **kwargs) -> None:
    """The scheduled job annuls through workflow.services.run_transition directly (not through
    connection.workflow_actions.BEFORE): give the reserved capacity back here, inside the same
    transaction (django-fsm sends this signal synchronously from the transition method).
    Releasing is idempotent, so the BEFORE entry and this receiver may both run."""
    if name == "annul":
        release_reservations(application=instance)


@receiver(post_transition, sender=ConnectionRequest, dispatch_uid="connection_count_dashboard_figures")
def count_dashboard_figures(sender, instance, name, source, target, **kwargs) -> None:
    """Add the transition to the dashboard's counters in its own transaction: django-fsm sends
    this from the transition method inside workflow.services.run_transition, before the new
    step's start, due date and party are set, so the instance still describes the step it
    leaves. A transition that then fails (lost race, error) rolls its counts back with it."""
    figures.count_transition(
        application=instance, name=name, source=str(source), target=str(target), today=timezone.localdate()
    )
