"""Who may act on an incident: engineers in their own branches, supervisors and administrators in
every branch."""

from __future__ import annotations

from backend.users.roles import Role


def can_act_in_branch(user, branch_id: int) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        return True
    return user.has_role(Role.ENGINEER) and branch_id in user.branch_ids


def is_branch_staff(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.ENGINEER, Role.SUPERVISOR, Role.ADMINISTRATOR))
