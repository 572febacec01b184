from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = _("Connection requests")
