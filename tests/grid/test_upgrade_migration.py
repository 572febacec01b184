"""A database filled at the schema before the grid app existed upgrades in place: every row is
found through the grid models afterwards, and permissions on the moved models keep working."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from backend.users.models import User
from connection.models import ConnectionRequest, Message, Reservation
from grid.models import AssetCapacity, Branch, GridAsset, Territory

BEFORE = [
    ("connection", "0009_technical_conditions_and_load_calculations"),
    ("users", "0003_user_language"),
    ("grid", None),
]
SQUARE = "POLYGON((42 45, 42.1 45, 42.1 45.1, 42 45.1, 42 45))"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_database_at_previous_schema_upgrades_in_place():
    executor = _migrate(BEFORE)
    applied = [node for node in executor.loader.applied_migrations if node[0] != "grid"]
    old = executor.loader.project_state(applied).apps
    with pytest.raises(LookupError):
        old.get_model("grid", "Branch")  # really the schema of before the move

    OldBranch = old.get_model("connection", "Branch")
    OldTerritory = old.get_model("connection", "Territory")
    OldAsset = old.get_model("connection", "GridAsset")
    OldCapacity = old.get_model("connection", "AssetCapacity")
    OldReservation = old.get_model("connection", "Reservation")
    OldRequest = old.get_model("connection", "ConnectionRequest")
    OldMessage = old.get_model("connection", "Message")
    OldUser = old.get_model("users", "User")
    OldGroup = old.get_model("auth", "Group")
    OldPermission = old.get_model("auth", "Permission")
    OldContentType = old.get_model("contenttypes", "ContentType")

    branch = OldBranch.objects.create(code="north", name="Northern", is_default=True)
    territory = OldTerritory.objects.create(
        branch=branch,
        name="Town",
        settlement_kind="urban",
        boundary_wkt=SQUARE,
        min_lon=42,
        min_lat=45,
        max_lon=42.1,
        max_lat=45.1,
    )
    asset = OldAsset.objects.create(
        kind="transformer_substation",
        external_id="tp-1",
        latitude=Decimal("45.05"),
        longitude=Decimal("42.05"),
        branch=branch,
    )
    capacity = OldCapacity.objects.create(
        asset=asset, voltage_kv=Decimal("0.4"), installed_kw=Decimal("400"), reserved_kw=Decimal("15")
    )
    engineer = OldUser.objects.create(email="engineer@example.com", password="!")
    engineer.branches.add(branch)
    owner = OldUser.objects.create(email="owner@example.com", password="!")
    application = OldRequest.objects.create(
        owner=owner, branch=branch, territory=territory, preferred_connection_point=capacity
    )
    reservation = OldReservation.objects.create(capacity=capacity, request=application, kw=Decimal("15"))
    message = OldMessage.objects.create(branch=branch, author=owner, author_side="applicant", text="Hello")
    # a permission on a moved model, given to a group, as roles.py does
    content_type, _created = OldContentType.objects.get_or_create(app_label="connection", model="branch")
    permission, _created = OldPermission.objects.get_or_create(
        content_type=content_type, codename="view_branch", defaults={"name": "Can view branch"}
    )
    group = OldGroup.objects.create(name="old-branch-viewers")
    group.permissions.add(permission)
    engineer_groups = old.get_model("users", "User").groups.through
    engineer_groups.objects.create(user_id=engineer.pk, group_id=group.pk)

    _migrate(executor.loader.graph.leaf_nodes())

    assert Branch.objects.get(pk=branch.pk).code == "north"
    assert Territory.objects.get(pk=territory.pk).branch_id == branch.pk
    assert GridAsset.objects.get(pk=asset.pk).branch_id == branch.pk
    moved = AssetCapacity.objects.get(pk=capacity.pk)
    assert (moved.asset_id, moved.free_kw) == (asset.pk, Decimal("385.00"))  # the generated column
    found = ConnectionRequest.objects.get(pk=application.pk)
    assert (found.branch, found.territory, found.preferred_connection_point) == (
        Branch.objects.get(pk=branch.pk),
        Territory.objects.get(pk=territory.pk),
        moved,
    )
    assert Reservation.objects.get(pk=reservation.pk).application_id == application.pk
    assert Message.objects.get(pk=message.pk).branch_id == branch.pk
    assert list(User.objects.get(pk=engineer.pk).branches.all()) == [Branch.objects.get(pk=branch.pk)]
    assert User.objects.get(pk=engineer.pk).has_perm("grid.view_branch")
    assert Group.objects.get(pk=group.pk).permissions.get().content_type.app_label == "grid"
    # the constraints still hold in the database: one active reservation per application
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.create(capacity=moved, application=found, kw=Decimal("1"))
