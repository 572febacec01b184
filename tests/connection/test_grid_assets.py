"""The asset register: capacity constraint, reservation and release through the transitions,
the import (idempotent upserts, rejected rows), the demo data, and concurrent reservations on
PostgreSQL (row locks)."""

from __future__ import annotations

import io
import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.utils import translation

from connection import reservations, workflow_actions
from connection.models import ConnectionRequest, Reservation
from grid import asset_import, index_cache
from grid.models import AssetCapacity, GridAsset
from tests.backend.factories import UserFactory
from tests.grid.factories import AssetCapacityFactory, point
from tests.workflow.helpers import TC_MEASURES, application_in_state
from workflow.jobs import run_deadline_jobs

URL = "/api/v1/connection-requests/"
OFFER = {
    **TC_MEASURES,
    "connection_point": "ТП-1, РУ-0,4 кВ",
    "fee_rub": "75000.00",
    "grid_distance_m": "120",
}


@pytest.fixture(autouse=True)
def _english():
    # The import report is read in English here; translations are checked in tests/backend.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_index():
    index_cache.clear_cache()
    yield
    index_cache.clear_cache()


def reload(capacity: AssetCapacity) -> AssetCapacity:
    return AssetCapacity.objects.get(pk=capacity.pk)


# Model


@pytest.mark.django_db
def test_free_capacity_is_derived_and_reserved_cannot_exceed_installed():
    capacity = AssetCapacityFactory(installed_kw=Decimal("400"), reserved_kw=Decimal("150"))
    assert reload(capacity).free_kw == Decimal("250")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetCapacity.objects.filter(pk=capacity.pk).update(reserved_kw=Decimal("400.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetCapacity.objects.filter(pk=capacity.pk).update(reserved_kw=Decimal("-1"))


# Reservation through the transitions API


def issue_offer(client, application, **extra):
    return client.post(f"{URL}{application.pk}/transitions/issue_offer/", {**OFFER, **extra}, format="json")


@pytest.mark.django_db
def test_issue_offer_reserves_and_withdraw_releases(make_client, supervisor, branch):
    capacity = point("45.001000", "42.001000", installed_kw="100", reserved_kw="40")
    application = application_in_state("under_review", branch=branch, requested_kw=Decimal("15"))
    response = issue_offer(make_client(supervisor), application, connection_point_id=capacity.pk)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "offer_issued"
    capacity = reload(capacity)
    assert (capacity.reserved_kw, capacity.free_kw) == (Decimal("55"), Decimal("45"))
    reservation = Reservation.objects.get(application=application)
    assert (
        reservation.kw == Decimal("15") and reservation.is_active and reservation.capacity_id == capacity.pk
    )

    response = make_client(application.owner).post(
        f"{URL}{application.pk}/transitions/withdraw/", {"reason": "Передумал"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert reload(capacity).reserved_kw == Decimal("40")
    reservation.refresh_from_db()
    assert reservation.released_at is not None  # kept for the record, marked released


@pytest.mark.django_db
def test_not_enough_free_capacity_refuses_the_offer_and_changes_nothing(make_client, supervisor, branch):
    capacity = point("45.001000", "42.001000", installed_kw="100", reserved_kw="90")
    application = application_in_state("under_review", branch=branch, requested_kw=Decimal("15"))
    response = issue_offer(make_client(supervisor), application, connection_point_id=capacity.pk)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(error["field"], error["code"]) for error in errors] == [
        ("connection_point_id", "insufficient_capacity")
    ]
    assert "10" in errors[0]["message"]
    assert ConnectionRequest.objects.get(pk=application.pk).state == "under_review"
    assert reload(capacity).reserved_kw == Decimal("90") and not Reservation.objects.exists()


@pytest.mark.django_db
def test_unknown_connection_point_is_a_field_error(make_client, supervisor, branch):
    application = application_in_state("under_review", branch=branch)
    response = issue_offer(make_client(supervisor), application, connection_point_id=999999)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "connection_point_id"
    response = issue_offer(make_client(supervisor), application, connection_point_id="abc")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "connection_point_id"


@pytest.mark.django_db
def test_offer_without_connection_point_reserves_nothing(make_client, supervisor, branch):
    application = application_in_state("under_review", branch=branch)
    assert issue_offer(make_client(supervisor), application).status_code == 200
    assert not Reservation.objects.exists()


@pytest.mark.django_db
def test_annulment_by_the_scheduled_job_releases(make_client, supervisor, branch):
    capacity = point("45.001000", "42.001000", installed_kw="100")
    application = application_in_state("under_review", branch=branch, requested_kw=Decimal("15"))
    assert (
        issue_offer(make_client(supervisor), application, connection_point_id=capacity.pk).status_code == 200
    )
    application = ConnectionRequest.objects.get(pk=application.pk)
    assert reload(capacity).reserved_kw == Decimal("15")
    report = run_deadline_jobs(today=application.due_date + timedelta(days=1))
    assert report["annulled_not_paid"] == 1
    assert ConnectionRequest.objects.get(pk=application.pk).state == "annulled"
    assert reload(capacity).reserved_kw == Decimal("0")
    assert Reservation.objects.get(application=application).released_at is not None


@pytest.mark.django_db
def test_reject_releases_a_reservation(make_client, supervisor, branch):
    capacity = point("45.001000", "42.001000", installed_kw="100")
    application = application_in_state("submitted", branch=branch, requested_kw=Decimal("20"))
    reservations.reserve_capacity(application=application, capacity_id=capacity.pk)
    assert reload(capacity).reserved_kw == Decimal("20")
    response = make_client(supervisor).post(
        f"{URL}{application.pk}/transitions/reject/", {"reason": "Объект вне зоны"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert reload(capacity).reserved_kw == Decimal("0")


@pytest.mark.django_db
def test_reserving_again_moves_the_reservation_and_release_is_idempotent(branch):
    first = point("45.001000", "42.001000", installed_kw="100")
    second = point("45.002000", "42.001000", installed_kw="100")
    application = application_in_state("under_review", branch=branch, requested_kw=Decimal("15"))
    reservations.reserve_capacity(application=application, capacity_id=first.pk)
    reservations.reserve_capacity(application=application, capacity_id=second.pk)
    assert (reload(first).reserved_kw, reload(second).reserved_kw) == (Decimal("0"), Decimal("15"))
    assert reservations.release_reservations(application=application) == Decimal("15")
    assert reservations.release_reservations(application=application) == Decimal("0")
    assert reload(second).reserved_kw == Decimal("0")
    assert Reservation.objects.filter(application=application).count() == 2


# Import

CSV_TEXT = """external_id,kind,name,dispatch_number,lat,lon,voltage_kv,installed_kw,reserved_kw,data_date
tp-1,transformer_substation,ТП-1,ТП-1,45.001,42.001,0.4,400,100,2026-01-01
tp-1,transformer_substation,ТП-1,ТП-1,45.001,42.001,10,3000,0,2026-01-01
tp-2,tp,ТП-2,,45.002,42.002,0.4,250,,
,transformer_substation,ТП-без-ид,,45.0,42.0,0.4,100,,
tp-3,tower,ТП-3,,45.0,42.0,0.4,100,,
tp-4,transformer_substation,ТП-4,,,42.0,0.4,100,,
tp-5,transformer_substation,ТП-5,,45.0,42.0,0.4,100,200,
tp-1,transformer_substation,ТП-1,ТП-1,45.001,42.001,0.4,400,100,2026-01-01
tp-6,transformer_substation,ТП-6,,95,42.0,0.4,100,,
tp-7,transformer_substation,ТП-7,,45.0,42.0,0.4,abc,,
tp-8,transformer_substation,ТП-8,,45.0,42.0,,,,
"""


def import_csv(text: str, **kwargs) -> asset_import.ImportReport:
    frame, first = asset_import.read_asset_file(io.StringIO(text), fmt="csv", **kwargs)
    return asset_import.import_grid_assets(frame=frame, first_row=first)


@pytest.mark.django_db
def test_import_reports_rejected_rows_and_is_idempotent(branch):
    report = import_csv(CSV_TEXT)
    rejected = {item.row: item.reason for item in report.rejected}
    assert sorted(rejected) == [5, 6, 7, 8, 9, 10, 11]  # file lines (the header is line 1)
    assert "external_id" in rejected[5]
    assert "tower" in rejected[6]
    assert "latitude" in rejected[7]
    assert "reserved_kw exceeds installed_kw" in rejected[8]
    assert "earlier in the file" in rejected[9]
    assert "latitude" in rejected[10]
    assert "installed_kw" in rejected[11]
    assert (report.created, report.capacities_created) == (3, 3)
    tp1 = GridAsset.objects.get(external_id="tp-1")
    assert tp1.branch == branch  # the territory containing it
    assert sorted(tp1.capacities.values_list("voltage_kv", "installed_kw", "reserved_kw")) == [
        (Decimal("0.40"), Decimal("400.00"), Decimal("100.00")),
        (Decimal("10.00"), Decimal("3000.00"), Decimal("0.00")),
    ]
    assert GridAsset.objects.get(external_id="tp-2").kind == "transformer_substation"  # alias "tp"
    assert not GridAsset.objects.get(external_id="tp-8").capacities.exists()  # asset without levels
    changed = GridAsset.objects.get(external_id="tp-1").updated_at

    again = import_csv(CSV_TEXT)
    assert (again.created, again.updated, again.unchanged, again.capacities_created) == (0, 0, 3, 0)
    assert GridAsset.objects.count() == 3 and AssetCapacity.objects.count() == 3
    assert GridAsset.objects.get(external_id="tp-1").updated_at == changed  # nothing written


@pytest.mark.django_db
def test_import_updates_installed_keeps_reserved_and_refuses_below_reserved(branch):
    import_csv(CSV_TEXT)
    changed = CSV_TEXT.replace("0.4,400,100,2026-01-01", "0.4,500,0,2026-01-01", 1)
    report = import_csv(changed)
    assert report.capacities_updated == 1 and report.updated == 1
    capacity = AssetCapacity.objects.get(asset__external_id="tp-1", voltage_kv=Decimal("0.4"))
    assert (capacity.installed_kw, capacity.reserved_kw) == (Decimal("500"), Decimal("100"))
    report = import_csv(CSV_TEXT.replace("0.4,400,100,2026-01-01", "0.4,50,0,2026-01-01", 1))
    assert any(item.row == 2 and "below" in item.reason for item in report.rejected)
    assert AssetCapacity.objects.get(pk=capacity.pk).installed_kw == Decimal("500")


@pytest.mark.django_db
def test_import_command_with_mapping_and_geojson(tmp_path, branch):
    csv_file = tmp_path / "assets.csv"
    csv_file.write_text(
        "code,type,y,x,kv,kw\nps-1,supply_centre,45.01,42.01,10,8000\nps-2,supply_centre,45.02,42.02,35,oops\n",
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_grid_assets",
        str(csv_file),
        mapping="code=external_id,type=kind,y=latitude,x=longitude,kv=voltage_kv,kw=installed_kw",
        source="generated",
        stdout=out,
        stderr=err,
    )
    assert "created 1" in out.getvalue() and "rejected 1" in out.getvalue()
    assert "row 3: installed_kw is not a number" in out.getvalue()
    assert "2/2 rows" in err.getvalue()  # progress
    assert GridAsset.objects.get(external_id="ps-1").source == "generated"

    geojson = tmp_path / "assets.geojson"
    geojson.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [42.003, 45.003]},
                        "properties": {
                            "external_id": "rp-1",
                            "kind": "distribution_point",
                            "voltage_kv": 10,
                            "installed_kw": 2000,
                        },
                    },
                    {
                        "type": "Feature",
                        "geometry": None,
                        "properties": {"external_id": "rp-2", "kind": "distribution_point"},
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_grid_assets", str(geojson), stdout=out, stderr=io.StringIO())
    assert "row 2: latitude is missing" in out.getvalue()
    asset = GridAsset.objects.get(external_id="rp-1")
    assert (asset.latitude, asset.longitude) == (Decimal("45.003"), Decimal("42.003"))
    assert asset.capacities.get().installed_kw == Decimal("2000")

    with pytest.raises(Exception, match="Bad mapping"):
        call_command("import_grid_assets", str(csv_file), mapping="code=nonsense", stdout=io.StringIO())


# Demo data


@pytest.mark.django_db
def test_demo_assets_are_idempotent_and_generated_ones_marked():
    from grid import demo

    demo.load_branches()
    first = demo.load_grid_assets()
    assert first["rejected"] == 0 and first["real"] > 50 and first["generated"] > 100
    stamp = index_cache.data_version()
    assert demo.load_grid_assets() == first
    assert index_cache.data_version() == stamp  # nothing written on the second run
    generated = GridAsset.objects.filter(external_id__startswith="demo-tp-")
    assert generated.exists() and not generated.exclude(source="generated").exists()
    osm = GridAsset.objects.filter(external_id__startswith="osm-node-")
    assert not osm.exclude(source="real").exists()
    assert all("OpenStreetMap contributors" in note for note in osm.values_list("source_note", flat=True))
    assert not GridAsset.objects.filter(branch__isnull=True).exists()


# Concurrency (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: run with DATABASE_URL=postgres://…")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reseeded")
def test_twenty_concurrent_offers_on_room_for_five(branch, supervisor):
    capacity = point("45.001000", "42.001000", installed_kw="100", reserved_kw="25")  # 75 kW free: 5 × 15
    applications = [
        application_in_state("under_review", branch=branch, requested_kw=Decimal("15")) for _ in range(20)
    ]
    barrier = threading.Barrier(len(applications))
    succeeded, refused, errors = [], [], []

    def offer(application):
        try:
            barrier.wait()
            workflow_actions.perform_transition(
                application=application,
                name="issue_offer",
                user=supervisor,
                data={**OFFER, "connection_point_id": capacity.pk},
            )
            succeeded.append(application.pk)
        except ValidationError as error:
            refused.append(error.message_dict)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=offer, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(succeeded) == 5 and len(refused) == 15
    assert all(list(message) == ["connection_point_id"] for message in refused)
    capacity = reload(capacity)
    assert (capacity.reserved_kw, capacity.free_kw) == (Decimal("100"), Decimal("0"))
    assert Reservation.objects.filter(capacity=capacity, released_at__isnull=True).count() == 5
    assert ConnectionRequest.objects.filter(state="offer_issued").count() == 5
    assert set(Reservation.objects.values_list("application_id", flat=True)) == set(succeeded)


# Admin


@pytest.mark.django_db
def test_admin_pages(client, branch):
    admin_user = UserFactory(role="administrator", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    capacity = point("45.001000", "42.001000")
    application = application_in_state("under_review", branch=branch)
    reservations.reserve_capacity(application=application, capacity_id=capacity.pk)
    for url in (
        "/admin/grid/gridasset/",
        f"/admin/grid/gridasset/{capacity.asset_id}/change/",
        "/admin/connection/reservation/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_import_from_the_admin_reports_rejected_rows(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "import/" in client.get("/admin/grid/gridasset/").content.decode()
    content = (
        "external_id,kind,name,latitude,longitude,voltage_kv,installed_kw\n"
        "tp-1,transformer_substation,ТП-1,45.0,42.0,0.4,400\n"
        "tp-2,transformer_substation,ТП-2,45.0,42.0,0.4,oops\n"
    ).encode()
    response = client.post(
        "/admin/grid/gridasset/import/",
        {"file": SimpleUploadedFile("assets.csv", content), "source": "real", "mapping": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "installed_kw" in page and ">3<" in page  # the rejected row, by its line in the file
    assert GridAsset.objects.filter(external_id="tp-1").exists()
