"""Geometry helpers: equal-area acreage, approximate site outlines, rounding.

Coordinates are WGS84 (EPSG:4326) on disk; areas are measured in the CONUS
Albers equal-area projection (EPSG:5070) and distances in a projected CRS,
never in degrees.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
EQUAL_AREA = "EPSG:5070"
SQ_METRES_PER_ACRE = 4046.8564224

# A circle this size stands in for a site whose area was never reported.
NOMINAL_RADIUS_M = 1000.0

_to_albers = Transformer.from_crs(WGS84, EQUAL_AREA, always_xy=True)
_from_albers = Transformer.from_crs(EQUAL_AREA, WGS84, always_xy=True)


def reproject(geom: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    """`geom` through a pyproj Transformer (one call for all its vertices)."""

    def coords(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, coords)


def to_equal_area(geom: BaseGeometry) -> BaseGeometry:
    return reproject(geom, _to_albers)


def acres(geom: BaseGeometry | None) -> float | None:
    """Area of a WGS84 geometry in acres, measured in EPSG:5070."""
    if geom is None or geom.is_empty:
        return None
    return to_equal_area(geom).area / SQ_METRES_PER_ACRE


def approx_circle(lon: float, lat: float, area_acres: float | None, vertices: int = 64) -> Polygon:
    """A circle around (lon, lat) whose equal-area size is `area_acres`.

    With no reported area, the circle has a nominal 1 km radius so the site
    still shows as a shape; the record must say so in its geometry note.
    """
    if area_acres is not None and area_acres <= 0:
        raise ValueError(f"area must be positive, got {area_acres}")
    radius = math.sqrt(area_acres * SQ_METRES_PER_ACRE / math.pi) if area_acres is not None else NOMINAL_RADIUS_M
    x, y = _to_albers.transform(lon, lat)
    circle = Point(x, y).buffer(radius, quad_segs=max(vertices // 4, 4))
    return round_geometry(reproject(circle, _from_albers), 5)


def round_geometry(geom: BaseGeometry, decimals: int) -> BaseGeometry:
    """Round coordinates to `decimals` places (5 decimals is about 1 m)."""
    return shapely.set_precision(geom, 10 ** (-decimals), mode="pointwise")


def geometry_json(geom: BaseGeometry) -> dict:
    """GeoJSON geometry dict with plain lists (json.dumps-able)."""
    return _listify(mapping(geom))


def _listify(obj):
    if isinstance(obj, (list, tuple)):
        return [_listify(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _listify(v) for k, v in obj.items()}
    return obj


def representative_lonlat(geom: BaseGeometry) -> tuple[float, float]:
    """A point guaranteed to lie on the geometry, as (lon, lat)."""
    p = geom if geom.geom_type == "Point" else geom.representative_point()
    return (p.x, p.y)
