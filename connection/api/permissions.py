from rest_framework.permissions import SAFE_METHODS, BasePermission

from backend.users.roles import Role


class CanApply(BasePermission):
    """Only applicants and integration clients create applications and applicants."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or view.action not in ("create",):
            return True
        return request.user.has_role(Role.APPLICANT, Role.INTEGRATION)


class IsOwnerForWrites(BasePermission):
    """Others who may see an application (its branch's engineers) may not change it: 403."""

    def has_object_permission(self, request, view, obj):
        # Transitions, the assignment and the grid's works carry their own rules of who may run them
        # (workflow.machine, connection.assignment, connection.works).
        if request.method in SAFE_METHODS or getattr(view, "action", None) in (
            "run_transition",
            "assign",
            "grid_works",
        ):
            return True
        return obj.owner_id == request.user.pk
