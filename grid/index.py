"""Nearest-connection-point index: projected KD-trees, distances decided on the WGS84 ellipsoid.

A pure module (numpy, scipy, pyproj; no Django). The Django side builds a :class:`GridIndex` from
the asset register once per version of the asset data and asks it, per application, for the
nearest connection points of the required voltage class with enough free capacity.

How a lookup works
==================

1. Every entry (one per asset and voltage level) is projected once, at build time, into ONE local
   metric CRS centred on the service area: the ellipsoidal azimuthal equidistant projection
   ``+proj=aeqd +lat_0=<lat0> +lon_0=<lon0> +datum=WGS84 +units=m`` (the service area, Stavropol
   Krai, straddles UTM zones 37 and 38, so a UTM zone is not used).
2. One ``scipy.spatial.cKDTree`` per voltage class holds the projected points.
3. A query projects its point with the same pre-built ``Transformer``, asks the tree of its voltage
   class for a few more candidates than needed, drops those without enough free capacity and
   computes the exact geodesic distance on WGS84 (``pyproj.Geod(ellps="WGS84").inv``, Karney's
   algorithm, nanometre accuracy) of the rest: for the usual handful of candidates by scalar
   ``Geod.inv`` calls (pyproj's scalar fast path costs ~0.6 us a point, less than the argument
   conversions of one array call), for more in one vectorised call; both run the same C routine and
   give bit-identical results. Every distance returned and every ordering decision is a geodesic
   distance; the projection only proposes candidates.
4. The query stops as soon as no entry the tree has not returned can beat (or tie with) the k-th
   accepted candidate; otherwise it asks for more (see "Why the result is exact").

Why the result is exact
=======================

Let F be the projection, P the query point and Q any entry, d_g(P, Q) the geodesic distance on the
ellipsoid and d_p(P, Q) = |F(P) - F(Q)| the Euclidean distance of the projected points.

*Scale bound.* Let sigma(p) be the largest principal scale factor of F at a point p (the semi-major
axis of Tissot's indicatrix: the most F can stretch an infinitesimal length there). Take the
geodesic gamma from P to Q. Its image F(gamma) is a plane curve from F(P) to F(Q) of length at
most ``sup sigma`` along gamma times the length of gamma, and a straight segment is never longer
than a curve with the same ends, so::

    d_p(P, Q) <= sigma* * d_g(P, Q),   sigma* = sup of sigma over a region that contains gamma.

*Region.* The azimuthal equidistant projection keeps distances from its centre C exactly
(``hypot(x, y)`` is the geodesic distance from C; the tests check this to the millimetre), its
radial scale is 1 and its azimuthal scale s / m12(s) >= 1 grows with the distance s from C. A
geodesic disc about C of radius rho (a few thousand km at most here, far below the convexity
radius of the ellipsoid, ~10,000 km) is geodesically convex, so gamma stays within
``rho = max(s(P), s(Q))`` of C and ``sigma* <= S(rho)``, the largest scale found at distance
<= rho from C.

*Computing S(rho).* At build time the scale is sampled with PROJ's own Tissot factors
(``pyproj.Proj.get_factors(...).tissot_semimajor``) on rings around C every 10 km of radius and
every 5 deg of azimuth up to ``FAST_PATH_MAX_RHO_M``; the table keeps, for each ring, the maximum
over that ring and all rings inside it, and a lookup for rho takes the first ring at or beyond
rho. Because the scale grows with the distance from C, that is an upper bound of the scale
anywhere in the disc. The result is then multiplied by ``1 + SAFETY_MARGIN`` (1e-4), which is
larger than all it has to absorb: the numerical differentiation error of PROJ's factors (~1e-8),
the variation of the scale with azimuth on the ellipsoid between two samples 5 deg apart (over a
whole ring it is 1.4e-7 at 250 km and 7e-5 at 2,000 km; between neighbouring samples far less)
and floating-point rounding of the distances (~1e-12 relative). For the
Stavropol bounding box (corners ~250 km from the centre) S is about 1.00026 (0.026 %), so the
bound costs almost nothing; the tests also check d_p <= sigma* * d_g on random pairs directly.
The build stores ``sigma0 = S(rho0) * (1 + SAFETY_MARGIN)`` for rho0 = the largest distance from
C of any entry or corner of the service area; a query farther out than rho0 looks up its own
S(s(P)).

*Stopping rule.* The tree returns the K entries nearest to F(P) in the plane (``eps=0``: exact),
the farthest of them at projected distance R. Every entry not returned has d_p >= R, hence
d_g >= R / sigma*. If the k-th accepted candidate (sorted by geodesic distance, then asset id) has
geodesic distance D_k with ``D_k * sigma* < R`` (strict), no unseen entry can come before it or tie
with it, and the answer equals an exhaustive geodesic search with the same filters. Otherwise K
grows (x4); past ``MAX_TREE_K`` candidates (a capacity filter that very few entries pass) the
search switches to a masked scan of the entries that pass the filter, ordered by projected
distance with ``argpartition``, under the same stopping rule; and if it has seen every entry that
passes the filter, the result is exact trivially. Queries farther than ``FAST_PATH_MAX_RHO_M``
from the centre (nowhere near the service area) and voltage classes with at most
``SMALL_CLASS`` entries are answered by computing the geodesic distance to every entry of the
class.

Semantics
=========

* Voltage class: an entry matches when its nominal voltage in kV equals ``voltage_kv`` exactly,
  after both are rounded to 1e-6 kV (to absorb float noise such as 0.4 vs 0.39999999999999997).
  There is no "at least this voltage" or range matching: 6 kV and 10 kV are different classes. A
  voltage with no entry gives an empty result, not an error.
* Free capacity: an entry passes when ``free_kw >= min_free_kw``. Free capacity may be changed in
  place with :meth:`GridIndex.update_free_kw` (the geometry never changes; a new asset or a moved
  asset means a new build and a new ``version``).
* Ordering: by geodesic distance, ties broken by ascending asset id.
* Thread safety: lookups only read (pyproj's Transformer keeps one PROJ object per thread, Geod
  is stateless); ``update_free_kw`` writes one float, so concurrent lookups see either the old or
  the new value of that entry.
"""

from __future__ import annotations

import bisect
import decimal
import math
import numbers
from collections.abc import Hashable, Iterable, Sequence
from typing import NamedTuple

import numpy as np
from pyproj import Geod, Proj, Transformer
from scipy.spatial import cKDTree

__all__ = [
    "DEFAULT_CENTRE",
    "SERVICE_AREA_BBOX",
    "Candidate",
    "GridIndex",
    "Shortfall",
]

#: Service area (Stavropol Krai and the edges of its neighbours): lat_min, lon_min, lat_max, lon_max.
SERVICE_AREA_BBOX: tuple[float, float, float, float] = (43.6, 40.8, 46.3, 45.8)
#: Centre of the projection (lat, lon): the centre of the service-area bounding box.
DEFAULT_CENTRE: tuple[float, float] = (
    (SERVICE_AREA_BBOX[0] + SERVICE_AREA_BBOX[2]) / 2,
    (SERVICE_AREA_BBOX[1] + SERVICE_AREA_BBOX[3]) / 2,
)

#: Relative margin added to the sampled scale bound (see the module docstring).
SAFETY_MARGIN = 1e-4
#: The KD-tree path is used for query points up to this distance from the projection centre.
FAST_PATH_MAX_RHO_M = 2_000_000.0
#: Radial and azimuthal sampling steps of the scale table.
_RING_STEP_M = 10_000.0
_AZIMUTH_STEP_DEG = 5.0
#: Extra candidates asked of the tree on the first round (k + OVERSAMPLE).
OVERSAMPLE = 3
#: Past this many tree candidates the search switches to a masked scan of the eligible entries.
MAX_TREE_K = 4096
#: Up to this many candidates, distances are computed by scalar Geod.inv calls (less overhead).
_SCALAR_GEODESIC_MAX = 24
#: Classes with at most this many entries are searched exhaustively.
SMALL_CLASS = 64
#: Voltages are compared after rounding to this many decimals of a kV.
_VOLTAGE_DECIMALS = 6

_GEOD = Geod(ellps="WGS84")


class Candidate(NamedTuple):
    """One connection point found for a query."""

    asset_id: int
    voltage_kv: float
    distance_m: float  # geodesic distance on WGS84 from the query point
    free_kw: float
    lat: float
    lon: float


class Shortfall(NamedTuple):
    """What the index can say when the capacity needed is not available close enough.

    ``nearest_sufficient``: the nearest point of the class with ``free_kw >= required_kw`` (any
    distance), or None when no point has enough. ``nearest_any``: the nearest point of the class
    regardless of capacity (None when the class is empty). ``shortfall_kw``: how much the nearest
    point lacks, ``max(0, required_kw - nearest_any.free_kw)`` (None without a point).
    When ``max_distance_m`` is given: ``best_within`` is the point within that geodesic distance with
    the most free capacity (ties: nearer, then lower asset id) or None, ``shortfall_within_kw`` what
    it lacks (None without a point), and ``sufficient_within`` whether ``nearest_sufficient`` lies
    within the distance (None when no distance was given).
    """

    required_kw: float
    max_distance_m: float | None
    nearest_sufficient: Candidate | None
    nearest_any: Candidate | None
    shortfall_kw: float | None
    best_within: Candidate | None
    shortfall_within_kw: float | None
    sufficient_within: bool | None


# Input validation (cheap on the hot path: exact float/int types skip the isinstance checks).


def _number(value, name: str) -> float:
    kind = type(value)
    if (kind is not float and kind is not int) and (
        isinstance(value, bool) or not isinstance(value, (numbers.Real, decimal.Decimal))
    ):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (OverflowError, ValueError, decimal.InvalidOperation) as exc:  # e.g. Decimal('sNaN')
        raise ValueError(f"{name} must be a finite number, got {value!r}") from exc


def _latitude(value) -> float:
    lat = _number(value, "lat")
    if not -90.0 <= lat <= 90.0:  # also rejects NaN and infinities
        raise ValueError(f"lat must be a finite number in [-90, 90], got {value!r}")
    return lat


def _longitude(value) -> float:
    lon = _number(value, "lon")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"lon must be a finite number in [-180, 180], got {value!r}")
    return lon


def _non_negative(value, name: str) -> float:
    number = _number(value, name)
    if not 0.0 <= number < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return number


def _count(value) -> int:
    if type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError(f"k must be an integer >= 1, got {value!r}")
        value = int(value)
    if value < 1:
        raise ValueError(f"k must be an integer >= 1, got {value!r}")
    return value


def _voltage_key(value) -> float:
    voltage = _number(value, "voltage_kv")
    if not 0.0 < voltage < math.inf:
        raise ValueError(f"voltage_kv must be a finite number > 0, got {value!r}")
    return round(voltage, _VOLTAGE_DECIMALS)


def aeqd_definition(centre: tuple[float, float]) -> str:
    """PROJ string of the azimuthal equidistant projection centred at (lat, lon) on WGS84."""
    lat0, lon0 = centre
    return f"+proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +datum=WGS84 +units=m +no_defs"


def _scale_table(proj_definition: str, centre: tuple[float, float]) -> tuple[list[float], list[float]]:
    """Rings (radius m) and an upper bound of the largest principal scale within each radius.

    ``bounds[j]`` is the maximum sampled Tissot semi-major axis over rings 0..j; a point at distance
    rho from the centre is bounded by ``bounds[j]`` for the first ``radii[j] >= rho``.
    """
    lat0, lon0 = centre
    radii = np.arange(0.0, FAST_PATH_MAX_RHO_M + 2 * _RING_STEP_M, _RING_STEP_M)
    azimuths = np.arange(0.0, 360.0, _AZIMUTH_STEP_DEG)
    rr, aa = np.meshgrid(radii, azimuths, indexing="ij")
    lons, lats, _ = _GEOD.fwd(np.full(rr.size, lon0), np.full(rr.size, lat0), aa.ravel(), rr.ravel())
    factors = Proj(proj_definition).get_factors(lons, lats)
    semimajor = np.asarray(factors.tissot_semimajor, dtype=np.float64).reshape(rr.shape)
    if not np.all(np.isfinite(semimajor)):
        raise RuntimeError("could not compute the scale factors of the projection")
    per_ring = semimajor.max(axis=1)
    per_ring[0] = max(per_ring[0], 1.0)
    bounds = np.maximum.accumulate(per_ring)
    return radii.tolist(), bounds.tolist()


class _VoltageClass:
    """The entries of one voltage class, in input order, and their tree."""

    __slots__ = ("aid", "aid_order", "aid_sorted", "free", "kv", "lat", "lon", "n", "tree", "xy")

    def __init__(self, kv, aid, lat, lon, free, xy, leafsize):
        self.kv = kv
        self.aid = aid
        self.lat = lat
        self.lon = lon
        self.free = free
        self.xy = xy
        self.n = len(aid)
        self.aid_order = np.argsort(aid, kind="stable")
        self.aid_sorted = aid[self.aid_order]
        duplicate = np.flatnonzero(self.aid_sorted[1:] == self.aid_sorted[:-1])
        if duplicate.size:
            raise ValueError(
                f"asset_id {int(self.aid_sorted[duplicate[0]])} appears twice at {kv} kV: "
                "one entry per (asset, voltage level)"
            )
        self.tree = cKDTree(xy, leafsize=leafsize, balanced_tree=False, compact_nodes=False)

    def position(self, asset_id: int) -> int:
        at = int(np.searchsorted(self.aid_sorted, asset_id))
        if at >= self.n or self.aid_sorted[at] != asset_id:
            raise KeyError((asset_id, self.kv))
        return int(self.aid_order[at])


def _as_column(values, name: str, dtype) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if dtype is np.int64:
        if array.size and not (np.issubdtype(array.dtype, np.integer) or array.dtype == object):
            raise ValueError(f"{name} must hold integers")
        return np.asarray(array, dtype=np.int64)
    return np.asarray(array, dtype=np.float64)


class GridIndex:
    """Nearest connection points by voltage class and free capacity, exact geodesic distances.

    Build it from parallel one-dimensional arrays, one element per (asset, voltage level):
    ``asset_id`` (int64), ``lat``/``lon`` (WGS84 degrees), ``voltage_kv`` (nominal voltage in kV,
    e.g. 0.4, 6, 10, 20, 35, 110) and ``free_kw`` (free capacity, any finite float). ``version`` is
    any hashable value (e.g. the asset data version) that the caller compares to decide when to
    rebuild. ``centre`` (lat, lon) is the centre of the projection; the default is the centre of
    the Stavropol service area. See the module docstring for the method and its exactness proof.
    """

    def __init__(
        self,
        asset_id,
        lat,
        lon,
        voltage_kv,
        free_kw,
        *,
        version: Hashable = None,
        centre: tuple[float, float] = DEFAULT_CENTRE,
        service_area: tuple[float, float, float, float] = SERVICE_AREA_BBOX,
        leafsize: int = 16,
    ) -> None:
        hash(version)  # TypeError for an unhashable version
        centre = (_latitude(centre[0]), _longitude(centre[1]))
        asset_id = _as_column(asset_id, "asset_id", np.int64)
        lat = _as_column(lat, "lat", np.float64)
        lon = _as_column(lon, "lon", np.float64)
        voltage_kv = _as_column(voltage_kv, "voltage_kv", np.float64)
        free_kw = _as_column(free_kw, "free_kw", np.float64)
        n = len(asset_id)
        if not all(len(column) == n for column in (lat, lon, voltage_kv, free_kw)):
            raise ValueError("asset_id, lat, lon, voltage_kv and free_kw must have the same length")
        if not np.all((lat >= -90.0) & (lat <= 90.0)):
            raise ValueError("lat must be finite and within [-90, 90]")
        if not np.all((lon >= -180.0) & (lon <= 180.0)):
            raise ValueError("lon must be finite and within [-180, 180]")
        if not np.all((voltage_kv > 0.0) & (voltage_kv < math.inf)):
            raise ValueError("voltage_kv must be finite and > 0")
        if not np.all(np.isfinite(free_kw)):
            raise ValueError("free_kw must be finite")

        self.version = version
        self.centre = centre
        self.crs = aeqd_definition(centre)
        self._transformer = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._transform = self._transformer.transform
        self._inv = _GEOD.inv
        self._radii, self._bounds = _scale_table(self.crs, centre)

        # Group the entries by voltage class, then project each class (smaller temporaries). The
        # class key is computed by the same function a query uses (Python's round, see _voltage_key);
        # rounding is monotonic, so entries of one class are contiguous once sorted by raw voltage.
        groups: list[tuple[float, np.ndarray | slice]] = []
        if n:
            order = np.argsort(voltage_kv, kind="stable")
            sorted_volts = voltage_kv[order]
            starts = np.flatnonzero(np.r_[True, sorted_volts[1:] != sorted_volts[:-1]]).tolist()
            keys = [round(volts, _VOLTAGE_DECIMALS) for volts in sorted_volts[starts].tolist()]
            bounds = [starts[i] for i in range(len(starts)) if i == 0 or keys[i] != keys[i - 1]]
            for start, end in zip(bounds, [*bounds[1:], n], strict=True):
                kv = round(float(sorted_volts[start]), _VOLTAGE_DECIMALS)
                # one class: keep the input order, the copies below are the only ones
                rows = slice(None) if end - start == n else order[start:end]
                groups.append((kv, rows))
            del order, sorted_volts

        projected = []
        rho_entries = 0.0
        for kv, rows in groups:
            class_lat = lat[rows].copy() if isinstance(rows, slice) else lat[rows]
            class_lon = lon[rows].copy() if isinstance(rows, slice) else lon[rows]
            x, y = self._transformer.transform(class_lon, class_lat)
            xy = np.column_stack((x, y))
            del x, y
            if not np.all(np.isfinite(xy)):
                raise ValueError("some points cannot be projected (antipode of the projection centre?)")
            rho_entries = max(rho_entries, float(np.sqrt(np.einsum("ij,ij->i", xy, xy)).max()))
            projected.append((kv, rows, class_lat, class_lon, xy))
        lat_min, lon_min, lat_max, lon_max = service_area
        corners = self._transformer.transform(
            np.array([lon_min, lon_max, lon_min, lon_max]), np.array([lat_min, lat_min, lat_max, lat_max])
        )
        rho_area = float(np.hypot(*corners).max())
        self._rho0 = max(rho_entries, rho_area)
        if self._rho0 > FAST_PATH_MAX_RHO_M:
            raise ValueError(
                f"entries lie up to {self._rho0 / 1000:.0f} km from the projection centre; the index "
                f"supports {FAST_PATH_MAX_RHO_M / 1000:.0f} km: choose a centre inside the service area"
            )
        #: Proven bound of projected / geodesic distance for queries within rho0 of the centre.
        self.distortion_bound = self._scale_bound(self._rho0)

        self._classes: dict[float, _VoltageClass] = {}
        for kv, rows, class_lat, class_lon, xy in projected:
            single = isinstance(rows, slice)
            self._classes[kv] = _VoltageClass(
                kv,
                asset_id[rows].copy() if single else asset_id[rows],
                class_lat,
                class_lon,
                free_kw[rows].copy() if single else free_kw[rows],
                xy,
                leafsize,
            )
        del projected
        self._size = n

    # -- construction helpers ---------------------------------------------------------------

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence], **kwargs) -> GridIndex:
        """Build from (asset_id, lat, lon, voltage_kv, free_kw) rows, e.g. a queryset's values_list."""
        columns = list(zip(*rows, strict=True))
        if not columns:
            columns = [(), (), (), (), ()]
        if len(columns) != 5:
            raise ValueError("rows must be (asset_id, lat, lon, voltage_kv, free_kw)")
        asset_id, lat, lon, voltage_kv, free_kw = columns
        return cls(
            np.array(asset_id, dtype=np.int64),
            np.array([float(value) for value in lat]),
            np.array([float(value) for value in lon]),
            np.array([float(value) for value in voltage_kv]),
            np.array([float(value) for value in free_kw]),
            **kwargs,
        )

    # -- introspection ----------------------------------------------------------------------

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return f"<GridIndex version={self.version!r} entries={self._size} voltages={self.voltages}>"

    @property
    def voltages(self) -> tuple[float, ...]:
        """The voltage classes present, in kV, ascending."""
        return tuple(sorted(self._classes))

    def count(self, voltage_kv) -> int:
        """Number of entries of a voltage class (0 when absent)."""
        cls = self._classes.get(_voltage_key(voltage_kv))
        return cls.n if cls is not None else 0

    def free_kw(self, asset_id: int, voltage_kv) -> float:
        """Current free capacity of an entry; KeyError when there is no such entry."""
        cls = self._classes.get(_voltage_key(voltage_kv))
        if cls is None:
            raise KeyError((asset_id, voltage_kv))
        return float(cls.free[cls.position(int(asset_id))])

    def project(self, lat, lon) -> tuple[float, float]:
        """Projected (x, y) in metres of a WGS84 point (for display and tests)."""
        return self._transform(_longitude(lon), _latitude(lat))

    def _scale_bound(self, rho: float) -> float:
        ring = bisect.bisect_left(self._radii, rho)
        return self._bounds[ring] * (1.0 + SAFETY_MARGIN)

    # -- updates ----------------------------------------------------------------------------

    def update_free_kw(self, asset_id: int, voltage_kv, free_kw) -> None:
        """Set the free capacity of one entry in place (no rebuild). KeyError when absent."""
        value = _number(free_kw, "free_kw")
        if not math.isfinite(value):
            raise ValueError(f"free_kw must be a finite number, got {free_kw!r}")
        if isinstance(asset_id, bool) or not isinstance(asset_id, numbers.Integral):
            raise ValueError(f"asset_id must be an integer, got {asset_id!r}")
        cls = self._classes.get(_voltage_key(voltage_kv))
        if cls is None:
            raise KeyError((asset_id, voltage_kv))
        cls.free[cls.position(int(asset_id))] = value

    # -- queries ----------------------------------------------------------------------------

    def nearest(self, lat, lon, *, voltage_kv, min_free_kw=0.0, k: int = 5) -> list[Candidate]:
        """The k nearest entries of the voltage class with ``free_kw >= min_free_kw``.

        Sorted by geodesic distance, ties by asset id; fewer than k when fewer pass the filter in
        the whole index; empty for a voltage with no entry. The result is the same as computing the
        geodesic distance to every entry with the same filters. ValueError for invalid input.
        """
        lat = _latitude(lat)
        lon = _longitude(lon)
        k = _count(k)
        min_free = _number(min_free_kw, "min_free_kw")
        if not min_free < math.inf:  # NaN, +inf; a negative threshold simply filters nothing
            raise ValueError(f"min_free_kw must be a finite number, got {min_free_kw!r}")
        cls = self._classes.get(_voltage_key(voltage_kv))
        if cls is None:
            return []
        return self._nearest(cls, lat, lon, min_free, k)

    def nearest_any(self, lat, lon, *, voltage_kv) -> Candidate | None:
        """The nearest entry of the voltage class regardless of free capacity (None when none)."""
        lat = _latitude(lat)
        lon = _longitude(lon)
        cls = self._classes.get(_voltage_key(voltage_kv))
        if cls is None:
            return None
        found = self._nearest(cls, lat, lon, -math.inf, 1)
        return found[0] if found else None

    def within(self, lat, lon, *, voltage_kv, radius_m, min_free_kw=-math.inf) -> list[Candidate]:
        """Every entry of the class within ``radius_m`` geodesic metres (inclusive) that passes
        ``free_kw >= min_free_kw`` (default: no capacity filter), sorted like :meth:`nearest`.

        Exact by the same bound: an entry with d_g <= r has d_p <= sigma* * d_g <= sigma* * r, so a
        ball query of radius sigma* * r in the plane sees all of them.
        """
        lat = _latitude(lat)
        lon = _longitude(lon)
        radius = _non_negative(radius_m, "radius_m")
        min_free = _number(min_free_kw, "min_free_kw")
        if math.isnan(min_free) or min_free == math.inf:
            raise ValueError(f"min_free_kw must be a finite number, got {min_free_kw!r}")
        cls = self._classes.get(_voltage_key(voltage_kv))
        if cls is None:
            return []
        x, y = self._transform(lon, lat)
        rho = math.hypot(x, y)
        if rho <= FAST_PATH_MAX_RHO_M:
            sigma = self.distortion_bound if rho <= self._rho0 else self._scale_bound(rho)
            rows = np.asarray(cls.tree.query_ball_point((x, y), radius * sigma), dtype=np.intp)
        else:
            rows = np.arange(cls.n)
        rows = rows[cls.free[rows] >= min_free]
        if rows.size == 0:
            return []
        distances = self._geodesic(lat, lon, cls, rows)
        keep = distances <= radius
        rows, distances = rows[keep], distances[keep]
        return self._candidates(cls, rows, distances, np.lexsort((cls.aid[rows], distances)))

    def explain_shortfall(self, lat, lon, *, voltage_kv, required_kw, max_distance_m=None) -> Shortfall:
        """Nearest point with enough capacity, nearest at all, and what is missing (see Shortfall)."""
        lat = _latitude(lat)
        lon = _longitude(lon)
        required = _non_negative(required_kw, "required_kw")
        limit = None if max_distance_m is None else _non_negative(max_distance_m, "max_distance_m")
        cls = self._classes.get(_voltage_key(voltage_kv))
        if cls is None:
            return Shortfall(required, limit, None, None, None, None, None, None if limit is None else False)
        sufficient = self._nearest(cls, lat, lon, required, 1)
        nearest_sufficient = sufficient[0] if sufficient else None
        closest = self._nearest(cls, lat, lon, -math.inf, 1)
        nearest_any = closest[0] if closest else None
        shortfall = None if nearest_any is None else max(0.0, required - nearest_any.free_kw)
        best_within = shortfall_within = sufficient_within = None
        if limit is not None:
            around = self.within(lat, lon, voltage_kv=cls.kv, radius_m=limit)
            if around:
                # most free capacity first; among equals the nearest, then the lowest asset id
                best_within = min(around, key=lambda c: (-c.free_kw, c.distance_m, c.asset_id))
                shortfall_within = max(0.0, required - best_within.free_kw)
            sufficient_within = nearest_sufficient is not None and nearest_sufficient.distance_m <= limit
        return Shortfall(
            required,
            limit,
            nearest_sufficient,
            nearest_any,
            shortfall,
            best_within,
            shortfall_within,
            sufficient_within,
        )

    # -- the search -------------------------------------------------------------------------

    def _geodesic(self, lat: float, lon: float, cls: _VoltageClass, rows: np.ndarray) -> np.ndarray:
        m = rows.size
        return self._inv(np.full(m, lon), np.full(m, lat), cls.lon[rows], cls.lat[rows])[2]

    def _candidates(self, cls, rows, distances, order) -> list[Candidate]:
        rows = rows[order]
        kv = cls.kv
        return [
            Candidate(a, kv, d, f, la, lo)
            for a, d, f, la, lo in zip(
                cls.aid[rows].tolist(),
                distances[order].tolist(),
                cls.free[rows].tolist(),
                cls.lat[rows].tolist(),
                cls.lon[rows].tolist(),
                strict=True,
            )
        ]

    def _nearest(
        self, cls: _VoltageClass, lat: float, lon: float, min_free: float, k: int
    ) -> list[Candidate]:
        n = cls.n
        x, y = self._transform(lon, lat)
        rho = math.hypot(x, y)
        if n <= SMALL_CLASS or not rho <= FAST_PATH_MAX_RHO_M:  # `not <=` also catches NaN/inf
            return self._exhaustive(cls, lat, lon, min_free, k)
        sigma = self.distortion_bound if rho <= self._rho0 else self._scale_bound(rho)
        free = cls.free
        query_point = np.array((x, y))
        want = min(n, k + OVERSAMPLE)
        while want <= MAX_TREE_K:
            projected, rows = cls.tree.query(query_point, k=want)
            rows = rows[free[rows] >= min_free]
            seen_all = want == n
            if rows.size >= k or seen_all:
                if rows.size <= _SCALAR_GEODESIC_MAX:
                    # a few candidates: scalar Geod.inv calls and a tuple sort beat numpy's overheads
                    inv = self._inv
                    lats = cls.lat[rows].tolist()
                    lons = cls.lon[rows].tolist()
                    found = sorted(
                        zip(
                            [inv(lon, lat, lo, la)[2] for lo, la in zip(lons, lats, strict=True)],
                            cls.aid[rows].tolist(),  # unique within a class: ties end here
                            cls.free[rows].tolist(),
                            lats,
                            lons,
                            strict=True,
                        )
                    )[:k]
                    # Unseen entries are >= projected[-1] away in the plane, hence >= projected[-1] /
                    # sigma on the ellipsoid: strictly farther than the k-th accepted one if this holds.
                    if seen_all or found[-1][0] * sigma < projected[-1]:
                        kv = cls.kv
                        return [Candidate(a, kv, d, f, la, lo) for d, a, f, la, lo in found]
                else:
                    distances = self._geodesic(lat, lon, cls, rows)
                    order = np.lexsort((cls.aid[rows], distances))[:k]
                    if seen_all or distances[order[-1]] * sigma < projected[-1]:  # same rule
                        return self._candidates(cls, rows, distances, order)
            if seen_all:
                return []
            want = min(n, want * 4)
        return self._masked_scan(cls, lat, lon, x, y, sigma, min_free, k)

    def _masked_scan(self, cls, lat, lon, x, y, sigma, min_free, k) -> list[Candidate]:
        """Few entries pass the capacity filter: order the eligible ones by projected distance."""
        eligible = np.flatnonzero(cls.free >= min_free)
        total = eligible.size
        if total == 0:
            return []
        dx = cls.xy[eligible, 0] - x
        dy = cls.xy[eligible, 1] - y
        squared = dx * dx + dy * dy
        take = min(total, 4 * k + 32)
        while True:
            if take >= total:
                rows = eligible
                distances = self._geodesic(lat, lon, cls, rows)
                order = np.lexsort((cls.aid[rows], distances))[:k]
                return self._candidates(cls, rows, distances, order)
            part = np.argpartition(squared, take)
            rows = eligible[part[:take]]
            horizon = math.sqrt(squared[part[take]])  # nearest unseen eligible entry, projected
            distances = self._geodesic(lat, lon, cls, rows)
            order = np.lexsort((cls.aid[rows], distances))[:k]
            if distances[order[-1]] * sigma < horizon:
                return self._candidates(cls, rows, distances, order)
            take *= 4

    def _exhaustive(self, cls, lat, lon, min_free, k) -> list[Candidate]:
        rows = np.flatnonzero(cls.free >= min_free)
        if rows.size == 0:
            return []
        distances = self._geodesic(lat, lon, cls, rows)
        order = np.lexsort((cls.aid[rows], distances))[:k]
        return self._candidates(cls, rows, distances, order)
