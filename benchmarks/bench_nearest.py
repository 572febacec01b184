"""Nearest connection point: in-process GridIndex vs exhaustive geodesic search vs PostGIS KNN.

    .venv/bin/python benchmarks/bench_nearest.py            # 1,000,000 assets, 10,000 queries
    .venv/bin/python benchmarks/bench_nearest.py --quick    # 100,000 assets, 1,000 queries

Synthetic assets uniform in latitude/longitude over the service-area bbox (lat 43.6-46.3,
lon 40.8-45.8), two voltage classes (0.4 and 10 kV, half each), free capacity uniform 0-400 kW,
fixed seed. The lookup: "the 5 nearest 0.4 kV points with >= 15 kW free, with exact (geodesic)
distances", one query at a time, timed with time.perf_counter_ns around each call.

Measured and printed:
* index build time (wall clock, perf_counter) and memory: the tracemalloc peak during a build
  (allocations through Python's and numpy's allocators: the arrays; NOT the KD-tree nodes that
  scipy allocates in C++) and the RSS delta of the process across a build (everything retained,
  nodes included; read from /proc/self/statm after gc);
* lookup latency p50/p90/p99/max over the queries (after a warm-up);
* the same queries against an exhaustive geodesic search (benchmarks.exhaustive.ExhaustiveSearch:
  considers every asset, skips only those with a provable lower bound above the k-th distance) and
  the plain brute force (geodesic distance to every 0.4 kV asset with >= 15 kW) on a sample; the
  results must be identical to the index's for every query (exit status 1 otherwise);
* PostGIS KNN on the local PostgreSQL (BENCH_PG_DSN, default host=127.0.0.1 port=5432
  user=postgres): database bench_nearest, the same projection registered as SRID 990001, COPY
  (binary) of the assets, a GiST index, and a prepared statement executed by psycopg 3 one query at
  a time (prepare=True, round trip included); its geodesic distances (ST_Distance on geography)
  and its choice of points are compared with the index. If PostGIS is not available the bench
  says why and carries on.
"""

from __future__ import annotations

import argparse
import gc
import os
import struct
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from pyproj import Geod, Transformer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.exhaustive import ExhaustiveSearch
from grid.index import SERVICE_AREA_BBOX, GridIndex

SEED = 20260101
VOLTAGE, MIN_FREE, K = 0.4, 15.0, 5  # the PostGIS statements below spell K = 5 and PG_SRID literally
PG_DSN = os.environ.get("BENCH_PG_DSN", "host=127.0.0.1 port=5432 user=postgres connect_timeout=5")
PG_DB = "bench_nearest"
PG_SRID = 990001
GEOD = Geod(ellps="WGS84")

TARGETS = {
    "p50_us": 60.0,
    "p99_us": 200.0,
    "build_s": 3.0,
    "memory_mb": 200.0,
    "speedup_p50": 3.0,
}


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def percentiles(samples_ns) -> dict[str, float]:
    us = np.asarray(samples_ns, dtype=np.float64) / 1000.0
    p50, p90, p99 = np.percentile(us, [50, 90, 99])
    return {"p50": p50, "p90": p90, "p99": p99, "max": float(us.max()), "mean": float(us.mean())}


def make_assets(n: int, rng: np.random.Generator):
    lat_min, lon_min, lat_max, lon_max = SERVICE_AREA_BBOX
    asset_id = rng.permutation(np.arange(1, n + 1, dtype=np.int64))
    lat = rng.uniform(lat_min, lat_max, n)
    lon = rng.uniform(lon_min, lon_max, n)
    voltage_kv = np.where(rng.random(n) < 0.5, 0.4, 10.0)
    free_kw = rng.uniform(0.0, 400.0, n)
    return asset_id, lat, lon, voltage_kv, free_kw


def make_queries(count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    lat_min, lon_min, lat_max, lon_max = SERVICE_AREA_BBOX
    lats = rng.uniform(lat_min, lat_max, count).tolist()
    lons = rng.uniform(lon_min, lon_max, count).tolist()
    return list(zip(lats, lons, strict=True))


def same(a, b) -> bool:
    return [(c.asset_id, c.distance_m) for c in a] == [(c.asset_id, c.distance_m) for c in b]


# PostGIS


def binary_copy_chunks(columns, chunk: int = 200_000):
    """PGCOPY binary stream of (bigint, float8 x6) rows, built with numpy (no per-row Python)."""
    names = ["asset_id", "voltage", "free_kw", "lon", "lat", "x", "y"]
    fields = [("count", ">i2")]
    for name in names:
        fields += [(f"len_{name}", ">i4"), (name, ">i8" if name == "asset_id" else ">f8")]
    dtype = np.dtype(fields)
    yield b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
    n = len(columns[0])
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        block = np.empty(stop - start, dtype=dtype)
        block["count"] = len(names)
        for name, column in zip(names, columns, strict=True):
            block[f"len_{name}"] = 8
            block[name] = column[start:stop]
        yield block.tobytes()
    yield struct.pack(">h", -1)


def run_postgis(index, assets, queries, index_results, report) -> None:
    try:
        import psycopg
    except ImportError as exc:
        print(f"PostGIS: skipped, psycopg is not importable ({exc})")
        return
    asset_id, lat, lon, voltage_kv, free_kw = assets
    try:
        with psycopg.connect(PG_DSN + " dbname=postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            admin.execute(f"CREATE DATABASE {PG_DB}")
        conn = psycopg.connect(PG_DSN + f" dbname={PG_DB}", autocommit=True)
    except Exception as exc:
        print(f"PostGIS: skipped, cannot connect to PostgreSQL with '{PG_DSN}': {exc}")
        return
    try:
        try:
            conn.execute("CREATE EXTENSION postgis")
        except Exception as exc:
            print(
                "PostGIS: skipped, CREATE EXTENSION postgis failed "
                f"(apt-get install -y postgresql-<version>-postgis-3): {str(exc).strip()}"
            )
            return
        postgis_version = conn.execute("SELECT postgis_full_version()").fetchone()[0].split('"')[1]
        server_version = conn.execute("SHOW server_version").fetchone()[0]
        conn.execute(
            "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text, srtext) "
            "VALUES (%s, 'bench', %s, %s, '')",
            (PG_SRID, PG_SRID, index.crs),
        )
        conn.execute(
            f"""CREATE TABLE assets (
                asset_id bigint PRIMARY KEY, voltage double precision NOT NULL,
                free_kw double precision NOT NULL, lon double precision NOT NULL,
                lat double precision NOT NULL, x double precision NOT NULL, y double precision NOT NULL,
                geom geometry(Point, {PG_SRID}) GENERATED ALWAYS AS
                    (ST_SetSRID(ST_MakePoint(x, y), {PG_SRID})) STORED)"""
        )
        started = time.perf_counter()
        transformer = Transformer.from_crs("EPSG:4326", index.crs, always_xy=True)  # the index's CRS
        x, y = transformer.transform(lon, lat)
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY assets (asset_id, voltage, free_kw, lon, lat, x, y) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            for block in binary_copy_chunks((asset_id, voltage_kv, free_kw, lon, lat, x, y)):
                copy.write(block)
        del x, y
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("CREATE INDEX assets_geom_gist ON assets USING gist (geom)")
        conn.execute("VACUUM ANALYZE assets")
        conn.execute("CHECKPOINT")  # no background flush of the load during the timed queries
        index_s = time.perf_counter() - started
        table_mb = conn.execute("SELECT pg_total_relation_size('assets')").fetchone()[0] / 2**20

        # Like for like: projection of the query point in the database, KNN on the projected
        # geometry, geodesic distance (spheroid) of the 5 rows.
        full_sql = """
            SELECT asset_id, ST_Distance(
                       ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography,
                       ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography) AS geodesic_m
            FROM assets
            WHERE voltage = %(v)s AND free_kw >= %(f)s
            ORDER BY geom <-> ST_Transform(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326), 990001)
            LIMIT 5"""
        # Bare KNN: the point projected by the client, no distance computed.
        knn_sql = """
            SELECT asset_id FROM assets
            WHERE voltage = %(v)s AND free_kw >= %(f)s
            ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 990001)
            LIMIT 5"""
        projected = [index.project(qlat, qlon) for qlat, qlon in queries]
        cur = conn.cursor()
        params = {"v": VOLTAGE, "f": MIN_FREE}
        for (qlat, qlon), (x_, y_) in zip(queries[:200], projected[:200], strict=True):  # warm-up
            cur.execute(full_sql, params | {"lat": qlat, "lon": qlon}, prepare=True).fetchall()
            cur.execute(knn_sql, params | {"x": x_, "y": y_}, prepare=True).fetchall()
        full_ns, pg_results = [], []
        for qlat, qlon in queries:
            t0 = time.perf_counter_ns()
            rows = cur.execute(full_sql, params | {"lat": qlat, "lon": qlon}, prepare=True).fetchall()
            full_ns.append(time.perf_counter_ns() - t0)
            pg_results.append(rows)
        knn_ns = []
        for x_, y_ in projected:
            t0 = time.perf_counter_ns()
            cur.execute(knn_sql, params | {"x": x_, "y": y_}, prepare=True).fetchall()
            knn_ns.append(time.perf_counter_ns() - t0)
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                "EXPLAIN " + full_sql, params | {"lat": queries[0][0], "lon": queries[0][1]}
            ).fetchall()
        )
    finally:
        conn.close()

    # Agreement with the index (exact geodesic top-5) and of ST_Distance with pyproj.
    position = np.empty(asset_id.max() + 1, dtype=np.int64)
    position[asset_id] = np.arange(asset_id.size)
    same_order = same_set = 0
    max_diff = 0.0
    for (qlat, qlon), rows, mine in zip(queries, pg_results, index_results, strict=True):
        ids = [row[0] for row in rows]
        at = position[ids]
        geodesic = GEOD.inv(np.full(len(ids), qlon), np.full(len(ids), qlat), lon[at], lat[at])[2]
        max_diff = max(max_diff, float(np.abs(np.array([row[1] for row in rows]) - geodesic).max()))
        mine_ids = [c.asset_id for c in mine]
        same_set += set(ids) == set(mine_ids)
        same_order += ids == mine_ids
    report["postgis"] = {
        "version": f"PostgreSQL {server_version}, PostGIS {postgis_version}",
        "load_s": load_s,
        "index_s": index_s,
        "table_mb": table_mb,
        "full": percentiles(full_ns),
        "knn": percentiles(knn_ns),
        "same_set": same_set,
        "same_order": same_order,
        "max_st_distance_diff_m": max_diff,
        "plan": plan,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 assets and 1,000 queries")
    parser.add_argument("--assets", type=int, default=None)
    parser.add_argument("--queries", type=int, default=None)
    parser.add_argument("--brute-sample", type=int, default=20, help="queries for the plain brute force")
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args(argv)
    n = args.assets or (100_000 if args.quick else 1_000_000)
    count = args.queries or (1_000 if args.quick else 10_000)

    rng = np.random.default_rng(SEED)
    assets = make_assets(n, rng)
    queries = make_queries(count, rng)
    warmup = make_queries(min(500, count), rng)
    print(f"{n:,} assets (0.4 and 10 kV, free 0-400 kW), {count:,} queries; seed {SEED}", flush=True)

    # Build: timed and RSS-measured without tracemalloc, then again under tracemalloc.
    gc.collect()
    rss_before = rss_bytes()
    started = time.perf_counter()
    index = GridIndex(*assets, version=("bench", SEED))
    build_s = time.perf_counter() - started
    gc.collect()
    rss_delta_mb = (rss_bytes() - rss_before) / 2**20
    tracemalloc.start()
    second = GridIndex(*assets, version=("bench", SEED))
    traced_retained_mb = tracemalloc.get_traced_memory()[0] / 2**20
    traced_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    del second
    gc.collect()
    print(f"built in {build_s:.3f} s; distortion bound sigma* = {index.distortion_bound:.7f}", flush=True)

    # Lookups, one at a time.
    nearest = index.nearest
    for qlat, qlon in warmup:
        nearest(qlat, qlon, voltage_kv=VOLTAGE, min_free_kw=MIN_FREE, k=K)
    index_ns, index_results = [], []
    clock = time.perf_counter_ns
    for qlat, qlon in queries:
        t0 = clock()
        result = nearest(qlat, qlon, voltage_kv=VOLTAGE, min_free_kw=MIN_FREE, k=K)
        index_ns.append(clock() - t0)
        index_results.append(result)
    lookup = percentiles(index_ns)

    # Exhaustive geodesic search (pruned by a proven bound, every asset considered), all queries.
    started = time.perf_counter()
    reference = ExhaustiveSearch(*assets)
    reference_build_s = time.perf_counter() - started
    exhaustive_ns, mismatches = [], 0
    for (qlat, qlon), mine in zip(queries, index_results, strict=True):
        t0 = clock()
        theirs = reference.nearest(qlat, qlon, voltage_kv=VOLTAGE, min_free_kw=MIN_FREE, k=K)
        exhaustive_ns.append(clock() - t0)
        mismatches += not same(mine, theirs) or len(mine) != K
    exhaustive = percentiles(exhaustive_ns)
    # Plain brute force: geodesic distance to every 0.4 kV asset with enough capacity.
    brute_ns, brute_mismatches = [], 0
    sample = args.brute_sample
    for (qlat, qlon), mine in zip(queries[:sample], index_results[:sample], strict=True):
        t0 = clock()
        theirs = reference.nearest(qlat, qlon, voltage_kv=VOLTAGE, min_free_kw=MIN_FREE, k=K, prune=False)
        brute_ns.append(clock() - t0)
        brute_mismatches += not same(mine, theirs)
    brute = percentiles(brute_ns)

    report: dict = {}
    if args.no_postgis:
        print("PostGIS: skipped (--no-postgis)")
    else:
        run_postgis(index, assets, queries, index_results, report)

    memory_mb = max(rss_delta_mb, traced_peak_mb)
    rows = [
        ("index build (wall, perf_counter)", f"{build_s:.3f} s", f"<= {TARGETS['build_s']:.0f} s",
         build_s <= TARGETS["build_s"]),
        ("index memory: RSS delta across build (retained)", f"{rss_delta_mb:.1f} MB", "", None),
        ("index memory: tracemalloc peak during build", f"{traced_peak_mb:.1f} MB", "", None),
        ("index memory: tracemalloc retained after build", f"{traced_retained_mb:.1f} MB", "", None),
        ("index memory: max(RSS delta, tracemalloc peak)", f"{memory_mb:.1f} MB",
         f"<= {TARGETS['memory_mb']:.0f} MB", memory_mb <= TARGETS["memory_mb"]),
        ("lookup p50", f"{lookup['p50']:.1f} us", f"<= {TARGETS['p50_us']:.0f} us",
         lookup["p50"] <= TARGETS["p50_us"]),
        ("lookup p90", f"{lookup['p90']:.1f} us", "", None),
        ("lookup p99", f"{lookup['p99']:.1f} us", f"<= {TARGETS['p99_us']:.0f} us",
         lookup["p99"] <= TARGETS["p99_us"]),
        ("lookup max / mean", f"{lookup['max']:.0f} / {lookup['mean']:.1f} us", "", None),
        (f"exhaustive search, pruned (build {reference_build_s:.2f} s) p50 / p99",
         f"{exhaustive['p50']:.0f} / {exhaustive['p99']:.0f} us", "", None),
        (f"  identical results on {count:,} queries", f"{count - mismatches:,} / {count:,}", "all",
         mismatches == 0),
        (f"plain brute force on {sample} queries p50 / max", f"{brute['p50'] / 1000:.1f} / "
         f"{brute['max'] / 1000:.1f} ms", "", None),
        (f"  identical results on {sample} queries", f"{sample - brute_mismatches} / {sample}", "all",
         brute_mismatches == 0),
    ]  # fmt: skip
    postgis = report.get("postgis")
    if postgis:
        speedup = postgis["full"]["p50"] / lookup["p50"]
        rows += [
            ("PostGIS: COPY load / GiST + VACUUM ANALYZE", f"{postgis['load_s']:.1f} / "
             f"{postgis['index_s']:.1f} s", "", None),
            ("PostGIS: table + index size", f"{postgis['table_mb']:.0f} MB", "", None),
            ("PostGIS KNN + ST_Transform + ST_Distance p50 / p99", f"{postgis['full']['p50']:.1f} / "
             f"{postgis['full']['p99']:.1f} us", "", None),
            ("PostGIS bare KNN (client-projected point) p50 / p99", f"{postgis['knn']['p50']:.1f} / "
             f"{postgis['knn']['p99']:.1f} us", "", None),
            ("index faster than PostGIS at p50", f"{speedup:.1f}x", f">= {TARGETS['speedup_p50']:.0f}x",
             speedup >= TARGETS["speedup_p50"]),
            ("  PostGIS same 5 points (set / order)", f"{postgis['same_set']:,} / "
             f"{postgis['same_order']:,} of {count:,}", "", None),
            ("  max |ST_Distance(geography) - pyproj Geod|",
             f"{postgis['max_st_distance_diff_m']:.1e} m", "", None),
        ]  # fmt: skip
    width = max(len(row[0]) for row in rows) + 2
    print()
    print(f"{'figure':<{width}}{'measured':>22}  {'target':>10}  ok")
    print("-" * (width + 40))
    for label, value, target, ok in rows:
        flag = "" if ok is None else ("yes" if ok else "NO")
        print(f"{label:<{width}}{value:>22}  {target:>10}  {flag}")
    if postgis:
        print(f"\n{postgis['version']}; plan of the PostGIS query:\n{postgis['plan']}")
    print(
        "\nTimer: time.perf_counter_ns around each call, one query at a time, GC enabled, after "
        f"{len(warmup)} warm-up queries.\nMemory: RSS = /proc/self/statm resident delta across the "
        "first build (after gc; includes the scipy KD-tree nodes); tracemalloc = second build "
        "(numpy/Python allocations only, not the C++ tree nodes)."
    )
    if mismatches or brute_mismatches:
        print(f"ERROR: {mismatches + brute_mismatches} results differ from the exhaustive search")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
