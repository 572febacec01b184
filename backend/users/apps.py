from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "backend.users"
    label = "users"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from backend.users.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="users.sync_role_permissions")
