"""The map downloads what is in view: points of the visible box, clusters when far out; and a
gazetteer of the service area answers a search by name, with its licences."""

from __future__ import annotations

import pytest

from grid import gazetteer
from tests.grid.factories import point

pytestmark = pytest.mark.django_db
URL = "/api/v1/connection-points/"


@pytest.fixture
def spread():
    # Two close groups far apart: 3 points near 45.0 N 42.0 E, 2 near 44.0 N 43.5 E
    for lat, lon in (("45.0010", "42.0010"), ("45.0020", "42.0030"), ("45.0030", "42.0020")):
        point(lat, lon)
    for lat, lon in (("44.0010", "43.5010"), ("44.0020", "43.5020")):
        point(lat, lon)


def test_far_out_the_map_gets_clusters_not_points(api_client, spread):
    answer = api_client.get(URL, {"bbox": "40.8,43.6,45.8,46.3", "zoom": "7"}).json()
    assert sorted(feature["properties"]["count"] for feature in answer["features"]) == [2, 3]
    assert all(feature["properties"]["cluster"] for feature in answer["features"])
    assert answer["attribution"]


def test_close_in_the_map_gets_the_points_of_the_box_only(api_client, spread):
    answer = api_client.get(URL, {"bbox": "41.99,44.99,42.01,45.01", "zoom": "14"}).json()
    assert len(answer["features"]) == 3 and "capacities" in answer["features"][0]["properties"]
    assert all(not feature["properties"].get("cluster") for feature in answer["features"])
    everything = api_client.get(URL).json()  # without zoom: the old answer, every point
    assert len(everything["features"]) == 5


@pytest.mark.parametrize("zoom", ["-1", "23", "x", "1.5"])
def test_a_bad_zoom_is_refused_on_its_field(api_client, zoom):
    response = api_client.get(URL, {"zoom": zoom}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "zoom"


def test_the_gazetteer_finds_towns_and_districts_by_name(api_client):
    found = api_client.get(URL + "places/", {"q": "пятиг"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert found[0]["name"] == "Пятигорск" and found[0]["kind"] == "town"
    assert "CC BY-SA 4.0" in found[0]["attribution"]
    districts = api_client.get(URL + "places/", {"q": "новоселиц"}).json()
    assert districts[0]["kind"] == "district" and len(districts[0]["bbox"]) == 4
    assert "OpenStreetMap" in districts[0]["attribution"]
    assert api_client.get(URL + "places/", {"q": "Будённовск"}).json()  # ё and е alike
    assert api_client.get(URL + "places/", {"q": "я"}).status_code == 400


def test_every_place_lies_in_the_service_area(settings):
    min_lon, min_lat, max_lon, max_lat = settings.SERVICE_AREA_BBOX
    for place in gazetteer.places():
        assert min_lon <= place.longitude <= max_lon and min_lat <= place.latitude <= max_lat, place.name
