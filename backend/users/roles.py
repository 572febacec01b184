"""Roles of the portal, held as Django groups, and the model permissions each role is given.

Groups are created by a data migration; their permissions are (re)assigned after every
`migrate` (post_migrate), so permissions of models added by later migrations reach the roles
without another data migration.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ENGINEER = "engineer", _("Network engineer")
    SUPERVISOR = "supervisor", _("Supervisor")
    INTEGRATION = "integration", _("Integration client")
    ADMINISTRATOR = "administrator", _("Administrator")


# "app_label.codename"; a permission that does not exist yet is skipped until it does.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.APPLICANT: [],
    Role.ENGINEER: ["grid.view_branch"],
    Role.SUPERVISOR: ["grid.view_branch", "users.view_user"],
    Role.INTEGRATION: ["grid.view_branch"],
    Role.ADMINISTRATOR: ["*"],  # every permission; administrators also get is_staff
}


def sync_role_permissions(**kwargs) -> None:
    """Create the role groups if missing and give each exactly its declared permissions."""
    from django.contrib.auth.models import Group, Permission

    all_permissions = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_permissions}
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS[role]
        if wanted == ["*"]:
            permissions = list(by_name.values())
        else:
            permissions = [by_name[name] for name in wanted if name in by_name]
        group.permissions.set(permissions)
