from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = _("Connection requests")

    def ready(self) -> None:
        # Django's idiom: receivers import models, which are not loaded when apps.py is imported.
        from connection import receivers  # noqa: F401
