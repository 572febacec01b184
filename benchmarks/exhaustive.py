"""The reference search the tests and benchmarks check grid.index.GridIndex against: every entry
considered, no projection involved. Not used by the portal itself."""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod

from grid.index import _VOLTAGE_DECIMALS, Candidate

_GEOD = Geod(ellps="WGS84")
# Lower bound of the meridional radius of curvature M(phi) = a(1-e^2)/(1-e^2 sin^2 phi)^1.5 on WGS84:
# its value at the equator. Any curve between two points is at least M_min * |delta phi| long.
_M_MIN = _GEOD.a * (1.0 - _GEOD.es)


class ExhaustiveSearch:
    """Reference search for tests and benchmarks: considers every entry, no projection involved.

    ``nearest(..., prune=False)`` computes the geodesic distance to every entry of the voltage
    class that passes the capacity filter. ``prune=True`` gives the same answer faster by skipping
    only entries whose geodesic distance is provably larger than an upper bound D of the k-th
    distance (D = the largest exact distance of k eligible entries picked near the query):

    * on the ellipsoid ds^2 = M^2 dphi^2 + (N cos phi)^2 dlambda^2 with M >= a(1 - e^2) (the
      meridional radius at the equator) and N >= a, so a curve from the query is at least
      a(1 - e^2) * |delta phi| long: entries outside the latitude window
      |delta phi| <= D / a(1 - e^2) are farther than D;
    * a curve no longer than D stays within latitudes |phi| <= Phi = |phi_query| + D / a(1 - e^2),
      where N cos phi >= a cos Phi, so it is at least a cos(Phi) * |delta lambda| long: entries with
      a cos(Phi) |delta lambda| > D are farther than D.

    Entries are kept sorted by latitude per voltage class; both bounds are evaluated for every
    entry of the window, and the geodesic distance is computed for the rest.
    """

    def __init__(self, asset_id, lat, lon, voltage_kv, free_kw) -> None:
        asset_id = np.asarray(asset_id, dtype=np.int64)
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        keys = np.round(np.asarray(voltage_kv, dtype=np.float64), _VOLTAGE_DECIMALS)
        free_kw = np.asarray(free_kw, dtype=np.float64)
        self._classes = {}
        for kv in np.unique(keys).tolist():
            rows = np.flatnonzero(keys == kv)
            rows = rows[np.argsort(lat[rows], kind="stable")]
            self._classes[kv] = {
                "aid": asset_id[rows].copy(),
                "lat": lat[rows].copy(),
                "lon": lon[rows].copy(),
                "free": free_kw[rows].copy(),
            }

    def update_free_kw(self, asset_id: int, voltage_kv, free_kw: float) -> None:
        entries = self._classes[round(float(voltage_kv), _VOLTAGE_DECIMALS)]
        (at,) = np.flatnonzero(entries["aid"] == asset_id)
        entries["free"][at] = free_kw

    def nearest(self, lat, lon, *, voltage_kv, min_free_kw=0.0, k=5, prune=True) -> list[Candidate]:
        """The k nearest entries with free_kw >= min_free_kw, sorted like GridIndex.nearest."""
        kv = round(float(voltage_kv), _VOLTAGE_DECIMALS)
        entries = self._classes.get(kv)
        if entries is None:
            return []
        lat, lon = float(lat), float(lon)
        lats, lons, free = entries["lat"], entries["lon"], entries["free"]
        n = lats.size
        if not prune:
            rows = np.flatnonzero(free >= min_free_kw)
            return self._top(entries, kv, rows, lat, lon, k)
        # 1. an upper bound D of the k-th distance: k eligible entries near the query, exactly.
        # Grow a lat/lon box around the query until it holds k eligible entries (or everything).
        coslat = max(math.cos(math.radians(lat)), 1e-6)
        half = 0.002
        while True:
            lo = int(np.searchsorted(lats, lat - half, side="left"))
            hi = int(np.searchsorted(lats, lat + half, side="right"))
            rows = lo + np.flatnonzero(free[lo:hi] >= min_free_kw)
            whole = lo == 0 and hi == n
            dlon = np.abs(lons[rows] - lon)
            dlon = np.minimum(dlon, 360.0 - dlon) * coslat
            box = dlon <= half
            if np.count_nonzero(box) >= k or (whole and half * coslat >= 180.0):
                break
            half *= 2
        if rows.size <= k and whole:  # the whole class has no more than k eligible entries
            return self._top(entries, kv, rows, lat, lon, k)
        dlat = lats[rows] - lat
        some = rows[np.argpartition(dlat * dlat + dlon * dlon, k - 1)[:k]]
        upper = float(self._geodesic(entries, some, lat, lon).max())
        # 2. every entry that the two lower bounds cannot exclude, exactly
        limit = upper * (1 + 1e-9) + 1e-9
        half = math.degrees(limit / _M_MIN)
        lo = int(np.searchsorted(lats, lat - half, side="left"))
        hi = int(np.searchsorted(lats, lat + half, side="right"))
        rows = lo + np.flatnonzero(free[lo:hi] >= min_free_kw)
        ceiling = abs(lat) + half
        if ceiling < 90.0:
            dlon = np.abs(lons[rows] - lon)
            dlon = np.radians(np.minimum(dlon, 360.0 - dlon))
            rows = rows[_GEOD.a * math.cos(math.radians(ceiling)) * dlon <= limit]
        return self._top(entries, kv, rows, lat, lon, k)

    @staticmethod
    def _geodesic(entries, rows, lat, lon) -> np.ndarray:
        m = rows.size
        distances = _GEOD.inv(np.full(m, lon), np.full(m, lat), entries["lon"][rows], entries["lat"][rows])[2]
        return np.asarray(distances, dtype=np.float64)

    def _top(self, entries, kv, rows, lat, lon, k) -> list[Candidate]:
        distances = self._geodesic(entries, rows, lat, lon)
        order = np.lexsort((entries["aid"][rows], distances))[:k]
        rows = rows[order]
        return [
            Candidate(a, kv, d, f, la, lo)
            for a, d, f, la, lo in zip(
                entries["aid"][rows].tolist(),
                distances[order].tolist(),
                entries["free"][rows].tolist(),
                entries["lat"][rows].tolist(),
                entries["lon"][rows].tolist(),
                strict=True,
            )
        ]
