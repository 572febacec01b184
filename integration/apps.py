from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = _("Integration")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backend.events.services import events_committed
        from integration import tasks

        events_committed.connect(tasks.on_events_committed, dispatch_uid="integration.webhooks")
