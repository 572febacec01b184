"""Reads of the connection domain: what each user may see. Everything outside answers 404."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from backend.users.models import User
from backend.users.roles import Role
from connection.models import (
    Applicant,
    ConnectionRequest,
    Document,
    DocumentVersion,
    LoadCalculation,
    StatementLine,
)
from grid.models import Branch
from workflow.states import State


def visible_requests(user: User) -> QuerySet[ConnectionRequest]:
    """Applicants and integration clients see their own applications (drafts included); engineers
    the submitted applications of their branches; supervisors and administrators all submitted
    ones. Drafts are private to their owner."""
    queryset = ConnectionRequest.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if user.has_role(Role.ADMINISTRATOR, Role.SUPERVISOR):
        return queryset.exclude(state=State.DRAFT) | queryset.filter(owner=user)
    if user.has_role(Role.ENGINEER):
        # A list, not a subquery: with literal ids PostgreSQL counts a page's total from the
        # branch index; with the subquery it scanned the table (4× slower on 10,000 rows).
        return queryset.filter(branch_id__in=list(user.branch_ids)).exclude(
            state=State.DRAFT
        ) | queryset.filter(owner=user)
    if user.has_role(Role.APPLICANT, Role.INTEGRATION):
        return queryset.filter(owner=user)
    return queryset.none()


def request_list(user: User) -> QuerySet[ConnectionRequest]:
    """The list endpoint's queryset: a fixed number of queries whatever the page size."""
    return (
        visible_requests(user).select_related("applicant", "branch", "territory").prefetch_related("stages")
    )


def request_detail(user: User) -> QuerySet[ConnectionRequest]:
    """One application as the detail shows it (documents have their own endpoint)."""
    return request_list(user).select_related("technical_conditions")


def own_applicants(user: User) -> QuerySet[Applicant]:
    if not user.is_authenticated or not user.has_role(Role.APPLICANT, Role.INTEGRATION):
        return Applicant.objects.none()
    return Applicant.objects.filter(owner=user)


def visible_documents(user: User, application: ConnectionRequest) -> QuerySet[Document]:
    return Document.objects.filter(request=application).prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by"))
    )


def load_calculations(*, application: ConnectionRequest) -> QuerySet[LoadCalculation]:
    """The load calculations applied to ``request``, newest first, with who applied them. The caller
    checks that the user may see the application (:func:`visible_requests`)."""
    return (
        LoadCalculation.objects.filter(request=application)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def latest_load_calculation(*, application: ConnectionRequest) -> LoadCalculation | None:
    """The calculation the requested power was last taken from, or None when the applicant stated
    the power directly."""
    return load_calculations(application=application).first()


def statement_branches(user: User | None) -> QuerySet[Branch] | None:
    """The branches whose bank statements this user may import and see; None: every branch (the
    bank integration's command, supervisors, administrators)."""
    if user is None or user.has_role(Role.SUPERVISOR, Role.ADMINISTRATOR):
        return None
    if user.has_role(Role.ENGINEER):
        return Branch.objects.filter(pk__in=user.branch_ids)
    return Branch.objects.none()


def may_import_statements(user: User | None) -> bool:
    return user is None or (
        user.is_authenticated and user.has_role(Role.ENGINEER, Role.SUPERVISOR, Role.ADMINISTRATOR)
    )


def visible_statement_lines(user: User) -> QuerySet[StatementLine]:
    """Lines of the statements this user may see: an engineer's branches', or all for supervisors."""
    lines = StatementLine.objects.select_related(
        "statement", "statement__branch", "invoice", "invoice__application"
    ).order_by("-statement__imported_at", "id")
    if not may_import_statements(user):
        return lines.none()
    allowed = statement_branches(user)
    return lines if allowed is None else lines.filter(statement__branch__in=allowed)
