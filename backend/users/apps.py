from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "backend.users"
    label = "users"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from backend.users import checks, login_guard  # noqa: F401 - checks registers itself
        from backend.users.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="users.sync_role_permissions")
        user_login_failed.connect(login_guard.on_login_failed, dispatch_uid="users.login_failed")
        user_logged_in.connect(login_guard.on_logged_in, dispatch_uid="users.logged_in")
