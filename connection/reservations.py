"""Capacity reservations of connection points by applications.

`reserve_capacity` locks the AssetCapacity row (SELECT … FOR UPDATE), checks the free capacity it
then reads and adds to `reserved_kw`; `release_reservations` gives it back. Both run in the
transaction of the transition that commits them. The database refuses `reserved_kw` outside
[0, installed_kw] (a CheckConstraint), so free capacity can never go below zero even if a caller
forgot the lock. After the transaction commits, the process-wide nearest index is told the new
free capacity (other processes notice the changed data version on their next lookup).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.formatting import number_text
from connection.models import ConnectionRequest, Reservation
from connection.models.requests import connection_point_voltage
from grid import index_cache
from grid.models import AssetCapacity


def _after_commit_update_index(capacity_ids: list[int]) -> None:
    """Tell this process's nearest index the committed free capacity of these points."""

    def update() -> None:
        rows = AssetCapacity.objects.filter(pk__in=capacity_ids).values_list(
            "asset_id", "voltage_kv", "free_kw"
        )
        for asset_id, voltage_kv, free_kw in rows:
            index_cache.note_free_kw(asset_id=asset_id, voltage_kv=voltage_kv, free_kw=free_kw)

    transaction.on_commit(update)


def active_reservation(*, application: ConnectionRequest) -> Reservation | None:
    return (
        Reservation.objects.filter(application=application, released_at__isnull=True)
        .select_related("capacity")
        .first()
    )


def unsuitable_point(
    application: ConnectionRequest, capacity: AssetCapacity, *, voltage_level: str | None = None
) -> str | None:
    """Why this point cannot serve the application, or None: it must be of the application's
    voltage class (0.23 kV single-phase connections hang on 0.4 kV points), or of `voltage_level`
    when the technical conditions grant another, and of its branch."""
    voltage_level = voltage_level or application.voltage_level
    if voltage_level:
        wanted = connection_point_voltage(voltage_level)
        if capacity.voltage_kv != wanted:
            return _("The connection point is of %(point)s kV; the application is for %(wanted)s kV.") % {
                "point": number_text(capacity.voltage_kv),
                "wanted": number_text(wanted),
            }
    if (
        capacity.asset.branch_id
        and application.branch_id
        and capacity.asset.branch_id != application.branch_id
    ):
        return _("The connection point belongs to another branch.")
    return None


@transaction.atomic
def reserve_capacity(
    *,
    application: ConnectionRequest,
    capacity_id: int,
    kw: Decimal | None = None,
    field_name: str = "connection_point_id",
    voltage_level: str | None = None,
) -> Reservation:
    """Reserve `kw` (default: the application's requested power) at connection point
    `capacity_id` for `application`. A reservation the application already holds is released first
    (the offer is being re-issued). ValidationError on `field_name` when the point does not exist
    or has not enough free capacity."""
    kw = application.requested_kw if kw is None else kw
    if kw is None or kw <= 0:
        raise ValidationError(
            {
                field_name: ValidationError(
                    _("The application states no requested power to reserve."), code="no_power"
                )
            }
        )
    release_reservations(application=application)
    try:
        capacity = AssetCapacity.objects.select_for_update().select_related("asset").get(pk=capacity_id)
    except (AssetCapacity.DoesNotExist, ValueError, TypeError) as error:
        raise ValidationError(
            {field_name: ValidationError(_("There is no such connection point."), code="does_not_exist")}
        ) from error
    wrong_point = unsuitable_point(application, capacity, voltage_level=voltage_level)
    if wrong_point:
        raise ValidationError({field_name: ValidationError(wrong_point, code="unsuitable_point")})
    free = capacity.installed_kw - capacity.reserved_kw
    if kw > free:
        message = _("Not enough free capacity at %(point)s: %(free)s kW free, %(needed)s kW needed.") % {
            "point": capacity,
            "free": free,
            "needed": kw,
        }
        raise ValidationError({field_name: ValidationError(message, code="insufficient_capacity")})
    AssetCapacity.objects.filter(pk=capacity.pk).update(
        reserved_kw=F("reserved_kw") + kw, updated_at=timezone.now()
    )
    reservation = Reservation.objects.create(capacity=capacity, application=application, kw=kw)
    _after_commit_update_index([capacity.pk])
    return reservation


@transaction.atomic
def release_reservations(*, application: ConnectionRequest) -> Decimal:
    """Give back every active reservation of `application`; returns the kW released (0 when none).
    Idempotent: released reservations stay, marked with the time of release."""
    active = list(
        Reservation.objects.select_for_update()
        .filter(application=application, released_at__isnull=True)
        .order_by("capacity_id")
    )
    if not active:
        return Decimal("0")
    now = timezone.now()
    total = Decimal("0")
    for reservation in active:
        # lock the point, then give the kW back; the constraint keeps reserved_kw >= 0
        AssetCapacity.objects.select_for_update().filter(pk=reservation.capacity_id).values_list("pk").get()
        AssetCapacity.objects.filter(pk=reservation.capacity_id).update(
            reserved_kw=F("reserved_kw") - reservation.kw, updated_at=now
        )
        total += reservation.kw
    Reservation.objects.filter(pk__in=[reservation.pk for reservation in active]).update(released_at=now)
    _after_commit_update_index([reservation.capacity_id for reservation in active])
    return total
