from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        # Connect the signal receivers that drop the calendar and rulebook caches.
        from workflow import calendar, rulebook  # noqa: F401
