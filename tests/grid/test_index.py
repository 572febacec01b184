"""The nearest-connection-point index equals an exhaustive geodesic search, whatever the query.

Every comparison is exact: same assets, same order, bit-identical geodesic distances. No wall-clock
assertions here; speed is measured by benchmarks/bench_nearest.py.
"""

from __future__ import annotations

import csv
import decimal
import math
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod, Transformer

from benchmarks.exhaustive import ExhaustiveSearch
from grid import index as gi
from grid.index import (
    DEFAULT_CENTRE,
    SERVICE_AREA_BBOX,
    Candidate,
    GridIndex,
)

DATA = Path(__file__).resolve().parents[2] / "grid" / "data" / "osm-power-nodes-stavropol-bbox.csv"
LAT_MIN, LON_MIN, LAT_MAX, LON_MAX = SERVICE_AREA_BBOX
GEOD = Geod(ellps="WGS84")


def query_points(rng: np.random.Generator, count: int) -> list[tuple[float, float]]:
    """Random points in the bbox, its corners and edges, and points up to 0.6 deg outside it."""
    corners = [(lat, lon) for lat in (LAT_MIN, LAT_MAX) for lon in (LON_MIN, LON_MAX)]
    points = list(corners)
    for lat, lon in corners:  # just outside each corner
        points.append((lat + math.copysign(0.3, lat - 44.95), lon + math.copysign(0.4, lon - 43.3)))
    for t in np.linspace(0.0, 1.0, 9).tolist():  # on the edges and 0.25 deg beyond them
        lat = LAT_MIN + t * (LAT_MAX - LAT_MIN)
        lon = LON_MIN + t * (LON_MAX - LON_MIN)
        points += [(lat, LON_MIN), (lat, LON_MAX), (LAT_MIN, lon), (LAT_MAX, lon)]
        points += [(lat, LON_MIN - 0.25), (lat, LON_MAX + 0.25), (LAT_MIN - 0.25, lon), (LAT_MAX + 0.25, lon)]
    rest = count - len(points)
    inside = rest * 3 // 4
    points += zip(
        rng.uniform(LAT_MIN, LAT_MAX, inside).tolist(),
        rng.uniform(LON_MIN, LON_MAX, inside).tolist(),
        strict=True,
    )
    outside = rest - inside
    points += zip(
        rng.uniform(LAT_MIN - 0.6, LAT_MAX + 0.6, outside).tolist(),
        rng.uniform(LON_MIN - 0.6, LON_MAX + 0.6, outside).tolist(),
        strict=True,
    )
    return points


def build(asset_id, lat, lon, voltage_kv, free_kw, **kwargs):
    columns = (asset_id, lat, lon, voltage_kv, free_kw)
    return GridIndex(*columns, **kwargs), ExhaustiveSearch(*columns)


# (a) the real OSM points with generated voltage levels and capacities


def demo_entries() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(20260101)
    rows = []
    with DATA.open(encoding="utf-8", newline="") as handle:
        for node in csv.DictReader(handle):
            levels = {float(volts) / 1000 for volts in node["voltage"].split(";") if volts.isdigit()}
            # generated on top of the real locations (the file has no 6-10/0.4 kV points)
            levels |= set(rng.choice([0.4, 6.0, 10.0, 35.0, 110.0], size=rng.integers(1, 4)).tolist())
            for kv in sorted(levels):
                rows.append(
                    (int(node["vid"]), float(node["lat"]), float(node["lon"]), kv, rng.uniform(0, 400))
                )
    asset_id, lat, lon, voltage_kv, free_kw = (np.array(column) for column in zip(*rows, strict=True))
    return asset_id.astype(np.int64), lat, lon, voltage_kv, free_kw


@pytest.fixture(scope="module")
def demo():
    return build(*demo_entries(), version="osm-demo")


def test_demo_data_is_the_real_file(demo):
    index, _ = demo
    assert DATA.exists()
    with DATA.open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 334  # header + 333 nodes
    assert len(index) > 333
    assert {0.4, 10.0, 35.0, 110.0} <= set(index.voltages)
    assert index.version == "osm-demo"


def test_demo_points_equal_exhaustive_search(demo):
    index, reference = demo
    rng = np.random.default_rng(1)
    voltages = index.voltages
    checked = 0
    for lat, lon in query_points(rng, 2000):
        voltage = voltages[int(rng.integers(len(voltages)))]
        min_free = float(rng.choice([0.0, 15.0, 150.0, 390.0]))
        k = int(rng.choice([1, 3, 5, 12]))
        got = index.nearest(lat, lon, voltage_kv=voltage, min_free_kw=min_free, k=k)
        want = reference.nearest(lat, lon, voltage_kv=voltage, min_free_kw=min_free, k=k, prune=False)
        assert got == want, (lat, lon, voltage, min_free, k)
        checked += bool(got)
    assert checked > 1500  # a few classes hold only a handful of points


# (b) 50,000 synthetic assets uniform in the bbox


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(50_000)
    n = 50_000
    asset_id = rng.permutation(np.arange(1, n + 1, dtype=np.int64) * 7)
    lat = rng.uniform(LAT_MIN, LAT_MAX, n)
    lon = rng.uniform(LON_MIN, LON_MAX, n)
    voltage_kv = rng.choice([0.4, 10.0], n, p=[0.7, 0.3])
    free_kw = rng.uniform(0, 400, n)
    return build(asset_id, lat, lon, voltage_kv, free_kw, version=("synthetic", 1))


def test_synthetic_assets_equal_exhaustive_search(synthetic):
    index, reference = synthetic
    rng = np.random.default_rng(2)
    for lat, lon in query_points(rng, 2500):
        voltage = float(rng.choice([0.4, 10.0]))
        min_free = float(rng.choice([0.0, 15.0, 100.0, 300.0]))
        k = int(rng.choice([1, 5, 10]))
        got = index.nearest(lat, lon, voltage_kv=voltage, min_free_kw=min_free, k=k)
        want = reference.nearest(lat, lon, voltage_kv=voltage, min_free_kw=min_free, k=k)
        assert got == want, (lat, lon, voltage, min_free, k)
        assert len(got) == k


def test_pruned_reference_equals_plain_brute_force(synthetic):
    # The pruned reference used above skips entries by a proven lower bound; check it literally.
    _, reference = synthetic
    rng = np.random.default_rng(3)
    for lat, lon in query_points(rng, 120):
        voltage = float(rng.choice([0.4, 10.0]))
        min_free = float(rng.choice([0.0, 15.0, 399.0]))
        pruned = reference.nearest(lat, lon, voltage_kv=voltage, min_free_kw=min_free, k=5)
        plain = reference.nearest(lat, lon, voltage_kv=voltage, min_free_kw=min_free, k=5, prune=False)
        assert pruned == plain


def test_rare_capacity_uses_the_masked_scan_and_stays_exact(synthetic, monkeypatch):
    index, reference = synthetic
    rng = np.random.default_rng(4)
    scans = 0
    original = GridIndex._masked_scan

    def counting(self, *args):
        nonlocal scans
        scans += 1
        return original(self, *args)

    monkeypatch.setattr(GridIndex, "_masked_scan", counting)
    for lat, lon in query_points(rng, 300):
        for min_free, k in ((398.0, 5), (399.9, 3), (399.99, 50)):
            got = index.nearest(lat, lon, voltage_kv=0.4, min_free_kw=min_free, k=k)
            want = reference.nearest(lat, lon, voltage_kv=0.4, min_free_kw=min_free, k=k)
            assert got == want
    assert scans > 0
    monkeypatch.setattr(gi, "MAX_TREE_K", 8)  # force the masked scan right after the first round
    for lat, lon in query_points(rng, 200):
        got = index.nearest(lat, lon, voltage_kv=10.0, min_free_kw=200.0, k=7)
        assert got == reference.nearest(lat, lon, voltage_kv=10.0, min_free_kw=200.0, k=7)


def test_far_queries_fall_back_to_exhaustive_search(synthetic):
    index, reference = synthetic
    for lat, lon in [
        (-45.0, -120.0),
        (89.9, 0.0),
        (-90.0, 180.0),
        (10.0, 60.0),
        (55.75, 37.62),
        (44.0, 60.0),
    ]:
        got = index.nearest(lat, lon, voltage_kv=0.4, min_free_kw=15.0, k=4)
        assert got == reference.nearest(lat, lon, voltage_kv=0.4, min_free_kw=15.0, k=4, prune=False)
        assert len(got) == 4


def test_within_equals_brute_force(synthetic):
    index, _ = synthetic
    everything = index.within(44.95, 43.3, voltage_kv=0.4, radius_m=1e6)  # the whole class
    assert len(everything) == index.count(0.4)
    ids = np.array([c.asset_id for c in everything])
    lats = np.array([c.lat for c in everything])
    lons = np.array([c.lon for c in everything])
    free = np.array([c.free_kw for c in everything])
    rng = np.random.default_rng(5)
    for lat, lon in query_points(rng, 120):
        radius = float(rng.choice([0.0, 300.0, 500.0, 2500.0]))
        got = index.within(lat, lon, voltage_kv=0.4, radius_m=radius, min_free_kw=15.0)
        distances = GEOD.inv(np.full(ids.size, lon), np.full(ids.size, lat), lons, lats)[2]
        keep = np.flatnonzero((distances <= radius) & (free >= 15.0))
        keep = keep[np.lexsort((ids[keep], distances[keep]))]
        assert [(c.asset_id, c.distance_m) for c in got] == list(
            zip(ids[keep].tolist(), distances[keep].tolist(), strict=True)
        )


# The distortion bound and the projection


def test_distortion_bound_holds_on_random_pairs(synthetic):
    index, _ = synthetic
    sigma = index.distortion_bound
    assert 1.0002 < sigma < 1.0005  # ~0.026 % at the corners of the bbox, plus the 1e-4 margin
    rng = np.random.default_rng(6)
    n = 200_000
    lat1 = rng.uniform(LAT_MIN, LAT_MAX, n)
    lon1 = rng.uniform(LON_MIN, LON_MAX, n)
    # second point: anywhere in the bbox, or close to the first one (local scale), or at a corner
    lat2 = np.where(rng.random(n) < 0.5, rng.uniform(LAT_MIN, LAT_MAX, n), lat1 + rng.normal(0, 0.01, n))
    lon2 = np.where(rng.random(n) < 0.5, rng.uniform(LON_MIN, LON_MAX, n), lon1 + rng.normal(0, 0.01, n))
    lat2[:4], lon2[:4] = [LAT_MIN, LAT_MIN, LAT_MAX, LAT_MAX], [LON_MIN, LON_MAX, LON_MIN, LON_MAX]
    lat1[:4], lon1[:4] = [LAT_MAX, LAT_MAX, LAT_MIN, LAT_MIN], [LON_MAX, LON_MIN, LON_MAX, LON_MIN]
    transformer = Transformer.from_crs("EPSG:4326", index.crs, always_xy=True)
    x1, y1 = transformer.transform(lon1, lat1)
    x2, y2 = transformer.transform(lon2, lat2)
    projected = np.hypot(x1 - x2, y1 - y2)
    geodesic = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    ratio = projected / geodesic
    assert ratio.max() <= sigma
    assert ratio.max() > 1.0001  # the projection does stretch: the bound is not vacuous
    assert ratio.min() >= 1.0 - 1e-9  # aeqd never shrinks (radial scale 1, azimuthal >= 1)


def test_scale_bound_matches_the_spherical_formula_and_grows():
    index = GridIndex([1], [45.0], [43.0], [10.0], [1.0])
    bounds = [index._scale_bound(rho) for rho in (0.0, 100e3, 250e3, 500e3, 1000e3, 2000e3)]
    assert bounds == sorted(bounds)
    for rho, bound in zip((250e3, 1000e3), (bounds[2], bounds[4]), strict=True):
        theta = rho / 6_371_000
        assert bound >= theta / math.sin(theta)  # ~ s / m12 on a sphere of mean radius
        assert bound <= (theta / math.sin(theta) - 1) * 1.2 + 1 + 2e-4


def test_projection_keeps_distances_from_the_centre_to_the_millimetre():
    # The bound relies on hypot(x, y) being the geodesic distance from the centre.
    index = GridIndex([1], [45.0], [43.0], [10.0], [1.0])
    lat0, lon0 = DEFAULT_CENTRE
    rng = np.random.default_rng(7)
    for lat, lon in [*query_points(rng, 300), (lat0, lon0), (20.0, 70.0)]:
        x, y = index.project(lat, lon)
        azimuth, _, distance = GEOD.inv(lon0, lat0, lon, lat)
        assert math.hypot(x, y) == pytest.approx(distance, abs=1e-3)
        assert x == pytest.approx(distance * math.sin(math.radians(azimuth)), abs=1e-3)
        assert y == pytest.approx(distance * math.cos(math.radians(azimuth)), abs=1e-3)


def test_centre_is_configurable():
    rng = np.random.default_rng(8)
    n = 5000
    columns = (
        np.arange(n),
        rng.uniform(LAT_MIN, LAT_MAX, n),
        rng.uniform(LON_MIN, LON_MAX, n),
        np.full(n, 10.0),
        rng.uniform(0, 400, n),
    )
    shifted = GridIndex(*columns, centre=(44.0, 42.0))
    reference = ExhaustiveSearch(*columns)
    assert "+lat_0=44.0 +lon_0=42.0" in shifted.crs
    assert shifted.distortion_bound > GridIndex(*columns).distortion_bound  # corners farther away
    for lat, lon in query_points(rng, 300):
        got = shifted.nearest(lat, lon, voltage_kv=10, min_free_kw=50, k=5)
        assert got == reference.nearest(lat, lon, voltage_kv=10, min_free_kw=50, k=5, prune=False)


def test_update_free_kw_in_place(synthetic):
    index, reference = synthetic
    rng = np.random.default_rng(9)
    lat, lon = 45.04, 41.97  # Stavropol
    before = index.nearest(lat, lon, voltage_kv=0.4, min_free_kw=50.0, k=5)
    first = before[0]
    index.update_free_kw(first.asset_id, 0.4, 10.0)
    reference.update_free_kw(first.asset_id, 0.4, 10.0)
    after = index.nearest(lat, lon, voltage_kv=0.4, min_free_kw=50.0, k=5)
    assert first.asset_id not in [c.asset_id for c in after]
    assert after == reference.nearest(lat, lon, voltage_kv=0.4, min_free_kw=50.0, k=5)
    assert index.free_kw(first.asset_id, 0.4) == 10.0
    # reserve and release a batch, then compare everywhere
    ids = [c.asset_id for c in index.nearest(lat, lon, voltage_kv=0.4, k=200)]
    for asset_id in ids:
        value = float(rng.uniform(0, 400))
        index.update_free_kw(asset_id, 0.4, value)
        reference.update_free_kw(asset_id, 0.4, value)
    for qlat, qlon in query_points(rng, 200):
        got = index.nearest(qlat, qlon, voltage_kv=0.4, min_free_kw=120.0, k=5)
        assert got == reference.nearest(qlat, qlon, voltage_kv=0.4, min_free_kw=120.0, k=5)
    index.update_free_kw(first.asset_id, 0.4, first.free_kw)
    reference.update_free_kw(first.asset_id, 0.4, first.free_kw)
    assert index.nearest(lat, lon, voltage_kv=0.4, min_free_kw=0.0, k=1)[0].free_kw == first.free_kw


def test_update_free_kw_errors(synthetic):
    index, _ = synthetic
    some = index.nearest(45.0, 43.0, voltage_kv=10.0, k=1)[0]
    with pytest.raises(KeyError):
        index.update_free_kw(some.asset_id, 35.0, 1.0)  # no such voltage class
    with pytest.raises(KeyError):
        index.update_free_kw(3, 10.0, 1.0)  # ids are multiples of 7
    with pytest.raises(KeyError):
        index.update_free_kw(10**12, 10.0, 1.0)
    for bad in (math.nan, math.inf, "12", None):
        with pytest.raises(ValueError):
            index.update_free_kw(some.asset_id, 10.0, bad)
    with pytest.raises(ValueError):
        index.update_free_kw(True, 10.0, 1.0)
    assert index.free_kw(some.asset_id, 10.0) == some.free_kw


# Ties, empty and none-qualifying results


def test_ties_are_broken_by_asset_id():
    lat0, lon0 = 45.0, 42.0
    # six assets at one spot, listed out of order, and two mirrored around the query point
    ids = [17, 3, 11, 5, 8, 2]
    lat = [lat0 + 0.01] * 6 + [lat0, lat0]
    lon = [lon0] * 6 + [lon0 + 0.02, lon0 - 0.02]
    ids += [40, 30]
    n = len(ids)
    index, reference = build(np.array(ids), lat, lon, [10.0] * n, [100.0] * n)
    got = index.nearest(lat0, lon0, voltage_kv=10.0, k=4)
    assert [c.asset_id for c in got] == [2, 3, 5, 8]
    assert len({c.distance_m for c in got}) == 1
    assert got == reference.nearest(lat0, lon0, voltage_kv=10.0, k=4, prune=False)
    mirrored = index.nearest(lat0 + 0.01, lon0, voltage_kv=10.0, k=8)[6:]
    assert [c.asset_id for c in mirrored] == [30, 40]
    assert mirrored[0].distance_m == mirrored[1].distance_m
    # the same holds on the tree path (more entries than the small-class threshold)
    rng = np.random.default_rng(10)
    many = 5000
    big_ids = rng.permutation(many) + 1
    big_lat = np.where(big_ids % 50 == 0, lat0 + 0.01, rng.uniform(LAT_MIN, LAT_MAX, many))
    big_lon = np.where(big_ids % 50 == 0, lon0, rng.uniform(LON_MIN, LON_MAX, many))
    big, big_reference = build(big_ids, big_lat, big_lon, np.full(many, 0.4), np.full(many, 20.0))
    got = big.nearest(lat0, lon0, voltage_kv=0.4, k=5)
    assert [c.asset_id for c in got] == [50, 100, 150, 200, 250]
    assert got == big_reference.nearest(lat0, lon0, voltage_kv=0.4, k=5, prune=False)


def test_empty_and_short_results(demo):
    index, reference = demo
    assert index.nearest(45.0, 42.0, voltage_kv=750.0) == []  # voltage not present: empty
    assert index.nearest(45.0, 42.0, voltage_kv=0.4, min_free_kw=1e9) == []  # nothing qualifies
    count = index.count(110.0)
    everything = index.nearest(45.0, 42.0, voltage_kv=110.0, k=count + 50)
    assert len(everything) == count
    assert everything == reference.nearest(45.0, 42.0, voltage_kv=110.0, k=count + 50, prune=False)
    assert [c.distance_m for c in everything] == sorted(c.distance_m for c in everything)
    few = index.nearest(45.0, 42.0, voltage_kv=110.0, min_free_kw=395.0, k=50)
    assert 0 < len(few) < 50
    assert all(c.free_kw >= 395.0 for c in few)
    empty = GridIndex([], [], [], [], [], version=0)
    assert len(empty) == 0
    assert empty.nearest(45.0, 42.0, voltage_kv=0.4) == []
    assert empty.nearest_any(45.0, 42.0, voltage_kv=0.4) is None
    assert empty.voltages == ()


def test_voltage_matches_exactly_after_rounding(demo):
    index, _ = demo
    assert index.nearest(45.0, 42.0, voltage_kv=10, k=1) == index.nearest(45.0, 42.0, voltage_kv=10.0, k=1)
    assert index.nearest(45.0, 42.0, voltage_kv=0.1 * 4, k=1)[0].voltage_kv == 0.4  # 0.4000000000000001
    assert index.nearest(45.0, 42.0, voltage_kv=decimal.Decimal("0.4"), k=1)[0].voltage_kv == 0.4
    assert index.nearest(45.0, 42.0, voltage_kv=0.41, k=1) == []  # no range matching
    assert index.nearest(45.0, 42.0, voltage_kv=11.0, k=1) == []
    assert all(c.voltage_kv == 35.0 for c in index.nearest(45.0, 42.0, voltage_kv=35, k=20))


def test_voltage_noise_at_build_time_gives_one_class():
    index = GridIndex([1, 2, 3], [45.0, 45.01, 45.02], [42.0] * 3, [0.4, 0.1 * 4, 10], [1.0, 2.0, 3.0])
    assert index.voltages == (0.4, 10.0)
    assert index.count(0.4) == 2
    assert [c.asset_id for c in index.nearest(45.0, 42.0, voltage_kv=0.4, k=5)] == [1, 2]


def test_nearest_any_and_shortfall(synthetic):
    index, reference = synthetic
    lat, lon = 44.64, 42.78
    closest = index.nearest_any(lat, lon, voltage_kv=0.4)
    assert closest == reference.nearest(lat, lon, voltage_kv=0.4, min_free_kw=-math.inf, k=1, prune=False)[0]
    required = closest.free_kw + 1.0
    report = index.explain_shortfall(lat, lon, voltage_kv=0.4, required_kw=required, max_distance_m=300.0)
    assert report.nearest_any == closest
    assert report.shortfall_kw == pytest.approx(1.0)
    assert report.nearest_sufficient == index.nearest(lat, lon, voltage_kv=0.4, min_free_kw=required, k=1)[0]
    assert report.nearest_sufficient.distance_m > closest.distance_m
    around = index.within(lat, lon, voltage_kv=0.4, radius_m=300.0)
    if around:
        assert report.best_within.free_kw == max(c.free_kw for c in around)
        assert report.shortfall_within_kw == max(0.0, required - report.best_within.free_kw)
    else:
        assert report.best_within is None and report.shortfall_within_kw is None
    assert report.sufficient_within == (report.nearest_sufficient.distance_m <= 300.0)

    enough = index.explain_shortfall(lat, lon, voltage_kv=0.4, required_kw=0.0)
    assert enough.nearest_sufficient == closest
    assert enough.shortfall_kw == 0.0
    assert enough.best_within is None and enough.sufficient_within is None

    impossible = index.explain_shortfall(lat, lon, voltage_kv=0.4, required_kw=1e6, max_distance_m=5000.0)
    assert impossible.nearest_sufficient is None
    assert impossible.sufficient_within is False
    assert impossible.best_within is not None
    assert impossible.shortfall_within_kw == pytest.approx(1e6 - impossible.best_within.free_kw)

    absent = index.explain_shortfall(lat, lon, voltage_kv=6.0, required_kw=15.0, max_distance_m=500)
    assert absent.nearest_any is None and absent.nearest_sufficient is None
    assert absent.shortfall_kw is None and absent.sufficient_within is False


def test_from_rows_and_candidate_fields():
    rows = [(1, 45.0, 42.0, 10, 50), (2, 45.1, 42.1, 10.0, decimal.Decimal("12.5")), (2, 45.1, 42.1, 0.4, 7)]
    index = GridIndex.from_rows(rows, version=("assets", 7))
    assert index.version == ("assets", 7)
    assert index.voltages == (0.4, 10.0)
    (first,) = index.nearest(45.1, 42.1, voltage_kv=10, min_free_kw=12.5, k=1)
    assert isinstance(first, Candidate)
    assert (first.asset_id, first.voltage_kv, first.distance_m, first.free_kw) == (2, 10.0, 0.0, 12.5)
    assert (first.lat, first.lon) == (45.1, 42.1)
    assert type(first.asset_id) is int and type(first.distance_m) is float
    assert len(GridIndex.from_rows([])) == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lat": math.nan}, "lat"),
        ({"lat": math.inf}, "lat"),
        ({"lat": 90.0001}, "lat"),
        ({"lat": -91}, "lat"),
        ({"lat": "45.0"}, "lat"),
        ({"lat": None}, "lat"),
        ({"lat": True}, "lat"),
        ({"lon": -math.inf}, "lon"),
        ({"lon": 180.5}, "lon"),
        ({"lon": decimal.Decimal("NaN")}, "lon"),
        ({"k": 0}, "k"),
        ({"k": -3}, "k"),
        ({"k": 2.0}, "k"),
        ({"k": True}, "k"),
        ({"min_free_kw": math.nan}, "min_free_kw"),
        ({"min_free_kw": math.inf}, "min_free_kw"),
        ({"voltage_kv": 0}, "voltage_kv"),
        ({"voltage_kv": -10}, "voltage_kv"),
        ({"voltage_kv": math.nan}, "voltage_kv"),
        ({"voltage_kv": "10"}, "voltage_kv"),
    ],
)
def test_invalid_queries_are_rejected(demo, kwargs, field):
    index, _ = demo
    arguments = {"lat": 45.0, "lon": 42.0, "voltage_kv": 10.0, "min_free_kw": 0.0, "k": 5} | kwargs
    with pytest.raises(ValueError, match=field):
        index.nearest(
            arguments.pop("lat"),
            arguments.pop("lon"),
            **arguments,
        )


def test_valid_edge_inputs_are_accepted(demo):
    index, _ = demo
    assert index.nearest(90, 180, voltage_kv=10, k=np.int64(2))
    assert index.nearest(np.float32(45.0), -180.0, voltage_kv=np.float64(10.0), min_free_kw=-5, k=1)
    assert index.nearest(decimal.Decimal("45.0"), decimal.Decimal("42.0"), voltage_kv=10, k=1)
    with pytest.raises(ValueError, match="lat"):
        index.within(math.nan, 42.0, voltage_kv=10, radius_m=1)
    with pytest.raises(ValueError, match="lon"):
        index.explain_shortfall(45.0, math.inf, voltage_kv=10, required_kw=1)
    with pytest.raises(ValueError, match="radius_m"):
        index.within(45.0, 42.0, voltage_kv=10, radius_m=-1)
    with pytest.raises(ValueError, match="required_kw"):
        index.explain_shortfall(45.0, 42.0, voltage_kv=10, required_kw=math.nan)


def test_invalid_builds_are_rejected():
    good = ([1, 2], [45.0, 45.1], [42.0, 42.1], [10.0, 10.0], [5.0, 6.0])
    GridIndex(*good)
    bad_cases = [
        ([1, 2], [45.0], [42.0, 42.1], [10.0, 10.0], [5.0, 6.0]),  # lengths differ
        ([1, 1], [45.0, 45.1], [42.0, 42.1], [10.0, 10.0], [5.0, 6.0]),  # same asset twice at 10 kV
        ([1, 2], [45.0, math.nan], [42.0, 42.1], [10.0, 10.0], [5.0, 6.0]),
        ([1, 2], [45.0, 95.0], [42.0, 42.1], [10.0, 10.0], [5.0, 6.0]),
        ([1, 2], [45.0, 45.1], [42.0, 200.0], [10.0, 10.0], [5.0, 6.0]),
        ([1, 2], [45.0, 45.1], [42.0, 42.1], [10.0, 0.0], [5.0, 6.0]),
        ([1, 2], [45.0, 45.1], [42.0, 42.1], [10.0, 10.0], [5.0, math.inf]),
        ([1.5, 2], [45.0, 45.1], [42.0, 42.1], [10.0, 10.0], [5.0, 6.0]),  # ids must be integers
        ([1, 2], [45.0, -45.0], [42.0, -138.0], [10.0, 10.0], [5.0, 6.0]),  # far beyond the service area
    ]
    for case in bad_cases:
        with pytest.raises(ValueError):
            GridIndex(*case)
    GridIndex([1, 1], [45.0, 45.0], [42.0, 42.0], [10.0, 0.4], [5.0, 6.0])  # one asset, two levels
    with pytest.raises(TypeError):
        GridIndex(*good, version=["unhashable"])
