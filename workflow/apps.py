from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        # Connect the signal receivers: cache invalidation of the calendar and rulebook, and the
        # notifications sent after each transition.
        from workflow import calendar, notifications, rulebook  # noqa: F401
