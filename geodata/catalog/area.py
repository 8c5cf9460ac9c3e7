"""An area of interest: a box or a drawn polygon, small enough to travel in a link.

Written as plain numbers so a link stays short and readable: four numbers are
a box, W,S,E,N; six or more (an even count) are the corners of a polygon,
lon,lat,lon,lat,... Coordinates are rounded to 4 decimals (about 11 m), which
keeps a drawn shape's size to well under 1 % for any area worth drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import shapely
from shapely.geometry import Polygon, box

from geodata.geometry import acres

DECIMALS = 4
MAX_CORNERS = 60  # about 1,000 characters in a link
SQ_KM_PER_ACRE = 0.0040468564224


@dataclass(frozen=True)
class Area:
    corners: tuple[tuple[float, float], ...]  # lon, lat; the ring without its closing point
    is_box: bool = False

    @cached_property
    def polygon(self) -> Polygon:
        return Polygon(self.corners)

    @property
    def text(self) -> str:
        if self.is_box:
            w, s, e, n = self.polygon.bounds
            return ",".join(_num(v) for v in (w, s, e, n))
        return ",".join(_num(v) for xy in self.corners for v in xy)

    @property
    def acres(self) -> float:
        return float(acres(self.polygon) or 0.0)

    def show(self) -> str:
        size = f"{self.acres:,.0f} acres, {self.acres * SQ_KM_PER_ACRE:,.1f} km²"
        if self.is_box:
            return f"the box W,S,E,N {self.text} ({size})"
        return f"a drawn area of {len(self.corners)} corners ({size})"


def _num(v: float) -> str:
    return f"{round(v, DECIMALS):.{DECIMALS}f}".rstrip("0").rstrip(".")


def from_bbox(w: float, s: float, e: float, n: float) -> Area:
    return parse_area(",".join(_num(v) for v in (w, s, e, n)))


def fitted(geom):
    """A polygon simplified just enough to have at most MAX_CORNERS corners (a county outline, say)."""
    tolerance = 1e-4
    while geom.geom_type == "Polygon" and len(geom.exterior.coords) - 1 > MAX_CORNERS:
        geom = geom.simplify(tolerance, preserve_topology=True)
        tolerance *= 1.5
    return geom


def from_geometry(geom) -> Area:
    """The area of a drawn or read polygon (one polygon; its holes are not kept)."""
    if geom is None or geom.is_empty:
        raise ValueError("the area is empty: draw or give a polygon with some size")
    if geom.geom_type == "MultiPolygon":
        parts = list(geom.geoms)
        if len(parts) > 1:
            raise ValueError(f"the area has {len(parts)} separate polygons; use one")
        geom = parts[0]
    if geom.geom_type != "Polygon":
        raise ValueError(f"the area is a {geom.geom_type}, not a polygon")
    w, _, e, _ = geom.bounds
    if w < -180 or e > 180:  # a map panned across 180° gives longitudes beyond it
        raise ValueError("the area crosses the antimeridian: draw it on one side of 180°")
    ring = list(geom.exterior.coords)[:-1]
    return parse_area(",".join(_num(v) for xy in ring for v in xy[:2]))


def parse_area(text: str) -> Area:
    """An Area from `W,S,E,N` or `lon,lat,lon,lat,...`; ValueError saying what is wrong."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{text[:60]!r} is not numbers: give W,S,E,N or lon,lat pairs of a polygon") from None
    if any(not math.isfinite(v) for v in values):
        raise ValueError("the area holds a number that is not finite")
    if len(values) == 4:
        w, s, e, n = values
        _check_range([(w, s), (e, n)])
        if w - e > 180:  # 170 to -170: the short way round crosses 180°
            raise ValueError("the box crosses the antimeridian (W is east of E): draw it on one side of 180°")
        if not (w < e and s < n):
            raise ValueError("the box is empty: W must be less than E and S less than N")
        corners = ((w, s), (e, s), (e, n), (w, n))
        return Area(tuple((round(x, DECIMALS), round(y, DECIMALS)) for x, y in corners), is_box=True)
    if len(values) < 6 or len(values) % 2:
        raise ValueError(f"{len(values)} numbers: give W,S,E,N (4) or lon,lat pairs of at least 3 corners")
    corners = [(round(values[i], DECIMALS), round(values[i + 1], DECIMALS)) for i in range(0, len(values), 2)]
    if corners[0] == corners[-1]:
        corners = corners[:-1]
    corners = list(dict.fromkeys(corners))
    if len(corners) > MAX_CORNERS:
        raise ValueError(
            f"the area has {len(corners)} corners, more than the {MAX_CORNERS} a link can hold: draw it with fewer"
        )
    _check_range(corners)
    lons = [x for x, _ in corners]
    if max(lons) - min(lons) > 180:
        raise ValueError("the area crosses the antimeridian: draw it on one side of 180°")
    poly = Polygon(corners) if len(corners) >= 3 else Polygon()
    if poly.is_empty or shapely.make_valid(poly).area == 0:
        raise ValueError("the area is empty: it needs at least 3 corners that are not on one line")
    if not poly.is_valid:
        raise ValueError("the area's edges cross each other: draw it again without crossing lines")
    box_like = box(*poly.bounds)
    is_box = len(corners) == 4 and shapely.equals_exact(shapely.normalize(poly), shapely.normalize(box_like), 1e-9)
    return Area(tuple(corners), is_box=is_box)


def _check_range(points) -> None:
    for x, y in points:
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise ValueError(f"{x:g},{y:g} is outside -180..180 longitude, -90..90 latitude (lon,lat order)")
