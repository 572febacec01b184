"""The public connection-point API: nearest lookup, bad input, GeoJSON with bbox, free-capacity CSV,
and the process-wide index (version stamp, in-place update after a committed reservation)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from connection import reservations
from grid import index_cache
from tests.grid.factories import TerritoryFactory, point, square_wkt
from tests.workflow.helpers import application_in_state

URL = "/api/v1/connection-points/"
NEAREST = URL + "nearest/"
# The `branch` fixture's rural territory is a square around 45.0 N, 42.0 E.
QUERY = {"lat": "45.0", "lon": "42.0", "power_kw": "15", "voltage_kv": "0.4"}


@pytest.fixture(autouse=True)
def _fresh_index():
    index_cache.clear_cache()
    yield
    index_cache.clear_cache()


@pytest.fixture
def points(branch):
    """Three 0.4 kV points north of the query point (~111 m per 0.001 deg of latitude) and a 10 kV one."""
    return {
        "near_small": point(
            "45.001000", "42.000000", installed_kw="100", reserved_kw="95", name="ТП-1"
        ),  # ~111 m
        "mid_big": point(
            "45.003000", "42.000000", installed_kw="400", reserved_kw="100", name="ТП-2"
        ),  # ~333 m
        "far": point(
            "45.010000", "42.000000", installed_kw="630", name="ТП-3", source="generated"
        ),  # ~1.1 km
        "ten_kv": point("45.000500", "42.000000", voltage_kv="10", installed_kw="3000", name="РП-1"),
    }


def get(client, **params):
    # English messages, which these tests read; Russian is checked in test_messages_in_russian.
    return client.get(NEAREST, {**QUERY, **params}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_messages_in_russian(api_client, points):
    for capacity in points.values():
        capacity.reserved_kw = capacity.installed_kw - Decimal("5")
        capacity.save()
    response = api_client.get(NEAREST, {**QUERY, "power_kw": "149", "household": "false"})
    assert "нет 149 кВт свободной мощности" in str(response.json())


@pytest.mark.django_db
def test_candidates_by_distance_with_capacity_and_distance_flags(api_client, points):
    response = get(api_client)  # anonymous: the public map
    assert response.status_code == 200, response.content
    body = response.json()
    names = [item["name"] for item in body["candidates"]]
    assert names == ["ТП-1", "ТП-2", "ТП-3"]  # 0.4 kV only, nearest first
    first, second, third = body["candidates"]
    assert 105 < first["distance_m"] < 118 and first["free_kw"] == "5.00" and first["sufficient"] is False
    assert second["sufficient"] is True and second["within_distance"] is True  # rural: 500 m
    assert third["within_distance"] is False and third["generated"] is True and third["source"] == "generated"
    assert body["settlement_kind"] == "rural" and body["max_distance_m"] == "500.0"
    assert body["connection_point"]["connection_point_id"] == points["mid_big"].pk
    assert body["within_distance"] is True and body["shortfall"] is None
    assert body["fee_category"] == "preferential"  # household, 15 kW, 0.4 kV, within 500 m
    assert body["works_term"]["unit"] == "months" and body["works_term"]["amount"] == 4
    assert any("generated" in note for note in body["notes"])


@pytest.mark.django_db
def test_limit_and_voltage_class(api_client, points):
    body = get(api_client, limit=1).json()
    assert [item["name"] for item in body["candidates"]] == ["ТП-1"]
    body = get(api_client, voltage_kv="10", power_kw="100").json()
    assert [item["name"] for item in body["candidates"]] == ["РП-1"]
    assert body["fee_category"] == "standardised"  # above 0.4 kV
    # single phase 0.23 kV is served by the 0.4 kV side
    assert get(api_client, voltage_kv="0.23").json()["candidates"][0]["name"] == "ТП-1"


@pytest.mark.django_db
def test_business_and_large_power_are_standardised(api_client, points):
    assert get(api_client, household="false").json()["fee_category"] == "standardised"
    body = get(api_client, power_kw="50").json()
    assert body["connection_point"]["name"] == "ТП-2" and body["fee_category"] == "standardised"


@pytest.mark.django_db
def test_urban_territory_uses_300_m(api_client, points, branch):
    TerritoryFactory(
        branch=branch, settlement_kind="urban", priority=5, boundary_wkt=square_wkt(45.0, 42.0, 0.01)
    )
    body = get(api_client).json()
    assert body["settlement_kind"] == "urban" and body["max_distance_m"] == "300.0"
    assert body["within_distance"] is False  # the point with enough capacity is ~333 m away
    shortfall = body["shortfall"]
    assert shortfall["nearest_sufficient"]["name"] == "ТП-2"
    assert shortfall["nearest_any"]["name"] == "ТП-1"
    assert shortfall["shortfall_kw"] == "10.00"  # 15 needed, 5 free at the nearest point
    assert shortfall["best_within"]["name"] == "ТП-1" and shortfall["shortfall_within_kw"] == "10.00"
    assert "333 m" in shortfall["reason"] and "300 m" in shortfall["reason"]
    assert body["fee_category"] == "standardised"
    assert body["works_term"]["rule"] == "works_term_beyond_distance_months"


@pytest.mark.django_db
def test_nothing_has_enough_capacity(api_client, points):
    for capacity in points.values():
        capacity.reserved_kw = capacity.installed_kw - Decimal("5")
        capacity.save()
    body = get(api_client, power_kw="149", household="false").json()
    assert body["connection_point"] is None and body["within_distance"] is False
    shortfall = body["shortfall"]
    assert shortfall["nearest_sufficient"] is None
    assert shortfall["nearest_any"]["name"] == "ТП-1" and shortfall["shortfall_kw"] == "144.00"
    assert "149 kW" in shortfall["reason"]


@pytest.mark.django_db
def test_empty_register_says_so(api_client, branch):
    body = get(api_client).json()
    assert body["candidates"] == [] and body["connection_point"] is None
    assert body["shortfall"]["nearest_any"] is None and body["shortfall"]["shortfall_kw"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": "91"}, "lat"),
        ({"lon": "181"}, "lon"),
        ({"lat": "abc"}, "lat"),
        ({"lat": "40.0", "lon": "42.0"}, "lat"),  # outside the service area
        ({"power_kw": "0"}, "power_kw"),
        ({"power_kw": "151"}, "power_kw"),
        ({"voltage_kv": "35"}, "voltage_kv"),
        ({"limit": "0"}, "limit"),
        ({"limit": "21"}, "limit"),
    ],
)
def test_bad_input_names_the_field(api_client, branch, params, field):
    response = get(api_client, **params)
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["lat", "lon", "power_kw", "voltage_kv"])
def test_missing_parameter_names_the_field(api_client, branch, missing):
    params = {key: value for key, value in QUERY.items() if key != missing}
    response = api_client.get(NEAREST, params)
    assert response.status_code == 400
    assert [(error["field"], error["code"]) for error in response.json()["errors"]] == [(missing, "required")]


@pytest.mark.django_db
def test_outside_service_area_message_in_english(api_client, branch):
    response = api_client.get(NEAREST, {**QUERY, "lat": "55.75", "lon": "37.6"}, HTTP_ACCEPT_LANGUAGE="en")
    messages = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert "outside the service area" in messages["lat"]


# GeoJSON


@pytest.mark.django_db
def test_geojson_with_bbox_and_generated_marked(api_client, points):
    outside = point("45.500000", "43.000000", name="ПС далеко")
    body = api_client.get(URL).json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 5
    body = api_client.get(URL, {"bbox": "41.99,44.99,42.01,45.02"}).json()
    names = {feature["properties"]["name"] for feature in body["features"]}
    assert names == {"ТП-1", "ТП-2", "ТП-3", "РП-1"} and outside.asset.name not in names
    far = next(feature for feature in body["features"] if feature["properties"]["name"] == "ТП-3")
    assert far["geometry"] == {"type": "Point", "coordinates": [42.0, 45.01]}
    assert far["properties"]["generated"] is True
    capacity = far["properties"]["capacities"][0]
    assert capacity["connection_point_id"] == points["far"].pk and capacity["free_kw"] == "630.00"
    assert body["attribution"]
    assert {
        f["properties"]["kind"] for f in api_client.get(URL, {"kind": "supply_centre"}).json()["features"]
    } == set()


@pytest.mark.django_db
@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "42,45,41,46", "0,-91,1,0"])
def test_bad_bbox(api_client, bbox):
    response = api_client.get(URL, {"bbox": bbox})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "bbox"


# CSV


@pytest.mark.django_db
def test_free_capacity_csv(api_client, points):
    response = api_client.get(URL + "free-capacity.csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("generated" in line for line in comments)
    rows = list(
        csv.DictReader(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#"))))
    )
    assert len(rows) == 4
    small = next(row for row in rows if row["name"] == "ТП-1")
    assert (small["voltage_kv"], small["installed_kw"], small["reserved_kw"], small["free_kw"]) == (
        "0.40",
        "100.00",
        "95.00",
        "5.00",
    )
    assert next(row for row in rows if row["name"] == "ТП-3")["source"] == "generated"
    # the address without the trailing slash redirects to it
    assert api_client.get(URL + "free-capacity.csv").status_code == 301


# The process-wide index


@pytest.mark.django_db
def test_index_is_built_once_per_version_and_rebuilt_when_assets_change(points):
    first = index_cache.grid_index()
    builds = index_cache.builds
    assert index_cache.grid_index() is first and index_cache.builds == builds
    point("45.002000", "42.000000", name="ТП-новая")
    assert len(index_cache.grid_index()) == len(first) + 1 and index_cache.builds == builds + 1


@pytest.mark.django_db
def test_committed_reservation_updates_the_index_in_place(
    points, supervisor, django_capture_on_commit_callbacks
):
    index = index_cache.grid_index()
    builds = index_cache.builds
    application = application_in_state("under_review", requested_kw=Decimal("15"))
    target = points["mid_big"]
    with django_capture_on_commit_callbacks(execute=True):
        reservations.reserve_capacity(application=application, capacity_id=target.pk)
    assert index.free_kw(target.asset_id, 0.4) == 285.0  # updated in place at commit
    assert (
        index_cache.grid_index() is index and index_cache.builds == builds
    )  # no rebuild for a capacity change
    # a change made elsewhere (another process) is seen through the version stamp
    type(target).objects.filter(pk=points["far"].pk).update(installed_kw=Decimal("700"))
    from django.utils import timezone

    type(target).objects.filter(pk=points["far"].pk).update(updated_at=timezone.now())
    assert (
        index_cache.grid_index().free_kw(points["far"].asset_id, 0.4) == 700.0
        and index_cache.builds == builds
    )
