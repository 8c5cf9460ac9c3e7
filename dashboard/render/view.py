"""Map views: the opening view, the zoom for a shape, the box a view shows (Web Mercator maths, no map library)."""

from __future__ import annotations

import math
from dataclasses import dataclass

US_VIEW = (39.5, -98.35, 4)


@dataclass(frozen=True)
class View:
    lat: float
    lon: float
    zoom: int


def zoom_for(geom) -> int:
    """A zoom level that shows the whole geometry in a ~600 px map."""
    if geom is None:
        return US_VIEW[2]
    minx, miny, maxx, maxy = geom.bounds
    span = max(maxx - minx, maxy - miny, 0.01)
    return int(max(4, min(13, math.floor(math.log2(360 / span)) - 1)))


def view_bounds(
    lat: float, lon: float, zoom: int, width_px: int = 900, height_px: int = 620
) -> tuple[float, float, float, float]:
    """The W,S,E,N a Web Mercator map of this size shows around (lat, lon) at `zoom`."""
    scale = 256 * 2**zoom
    x = (lon + 180) / 360 * scale
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * scale

    def lonlat(px: float, py: float) -> tuple[float, float]:
        lo = px / scale * 360 - 180
        la = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / scale))))
        return lo, la

    w, n = lonlat(x - width_px / 2, y - height_px / 2)
    e, s = lonlat(x + width_px / 2, y + height_px / 2)
    return max(w, -180), max(s, -85), min(e, 180), min(n, 85)
