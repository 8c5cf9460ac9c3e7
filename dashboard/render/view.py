"""Map views: the opening view, the zoom for a shape, the box a view shows (Web Mercator maths, no map library)."""

from __future__ import annotations

import math
from dataclasses import dataclass

US_VIEW = (39.5, -98.35, 4)
CONUS_BOX = (-124.8, 24.4, -66.9, 49.4)  # W, S, E, N of the lower 48


@dataclass(frozen=True)
class View:
    lat: float
    lon: float
    zoom: int


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2


def map_pixels(bounds: tuple[float, float, float, float], zoom: float) -> tuple[int, int]:
    """The size in pixels of a map that shows `bounds` (W,S,E,N) at `zoom`: what the browser reported, in pixels."""
    w, s, e, n = bounds
    scale = 256 * 2**zoom
    return round((e - w) / 360 * scale), round((_mercator_y(s) - _mercator_y(n)) * scale)


def fit_zoom(box: tuple[float, float, float, float], size: tuple[int, int], least: int = 3, most: int = 13) -> int:
    """The largest zoom at which `box` fits in a map of `size` pixels, with a margin (Leaflet's fitBounds)."""
    w, s, e, n = box
    room_x, room_y = size[0] * 0.92, size[1] * 0.92
    for z in range(most, least - 1, -1):
        scale = 256 * 2**z
        if (e - w) / 360 * scale <= room_x and (_mercator_y(s) - _mercator_y(n)) * scale <= room_y:
            return z
    return least


def zoom_for(geom, size: tuple[int, int] | None = None) -> int:
    """A zoom level that shows the whole geometry: in a ~600 px map, or in one of `size` pixels when known."""
    if geom is None:
        return US_VIEW[2]
    minx, miny, maxx, maxy = geom.bounds
    span = max(maxx - minx, maxy - miny, 0.01)
    zoom = int(max(4, min(13, math.floor(math.log2(360 / span)) - 1)))
    if size is None:
        return zoom
    # a narrow map (a phone) may need to zoom out further than the ~600 px rule allows
    return min(zoom, fit_zoom((minx, miny, maxx, maxy), size))


def us_zoom(size: tuple[int, int] | None) -> int:
    """The zoom of the "Continental US" view: the opening zoom, or less where the lower 48 would not fit."""
    return US_VIEW[2] if size is None else min(US_VIEW[2], fit_zoom(CONUS_BOX, size))


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
