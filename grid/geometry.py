"""Territory boundaries: WKT polygons in WGS84 lon/lat, checked with shapely."""

from __future__ import annotations

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely import wkt as shapely_wkt
from shapely.geometry.base import BaseGeometry


def parse_boundary(text: str) -> BaseGeometry:
    """Parse and check a WKT boundary: a valid (multi)polygon with lon/lat coordinates."""
    try:
        geometry = shapely_wkt.loads(text)
    except (shapely.errors.GEOSException, ValueError, TypeError) as error:
        raise ValidationError({"boundary_wkt": _("The boundary is not valid WKT.")}, code="wkt") from error
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise ValidationError(
            {"boundary_wkt": _("The boundary must be a polygon or multipolygon.")}, code="wkt"
        )
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError({"boundary_wkt": _("Coordinates must be longitude and latitude.")}, code="wkt")
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return geometry
