"""A small static map as inline SVG: state outlines and numbered sites.

Used by the HTML brief, which must render offline: no tiles, no scripts, no
external files. Drawn in EPSG:5070 (CONUS Albers), so shapes keep their
proportions.
"""

from __future__ import annotations

import html

import geopandas as gpd
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geodata.catalog.usmap import load_us_map
from geodata.geometry import EQUAL_AREA, WGS84

MIN_SPAN_M = 150_000


def _path(geom: BaseGeometry, tx) -> str:
    parts = []
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            pts = [tx(x, y) for x, y in ring.coords]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + " Z")
    return " ".join(parts)


def svg_map(
    geoms: list[BaseGeometry | None],
    labels: list[str],
    titles: list[str],
    colours: list[str],
    width: int = 720,
    height: int = 440,
) -> str:
    """SVG of the given WGS84 geometries, each marked with its label (e.g. a rank)."""
    located = [(g, lab, t, c) for g, lab, t, c in zip(geoms, labels, titles, colours, strict=True) if g is not None]
    if not located:
        return '<p class="nomap">None of these sites has a mapped location.</p>'
    sites = gpd.GeoSeries([g for g, *_ in located], crs=WGS84).to_crs(EQUAL_AREA)
    minx, miny, maxx, maxy = sites.total_bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    span = max(maxx - minx, (maxy - miny) * width / height, MIN_SPAN_M) * 1.25
    half_w, half_h = span / 2, span / 2 * height / width
    extent = box(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    scale = width / span

    def tx(x: float, y: float) -> tuple[float, float]:
        return (x - (cx - half_w)) * scale, ((cy + half_h) - y) * scale

    states = gpd.GeoSeries(list(load_us_map().states.values()), crs=WGS84).to_crs(EQUAL_AREA)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="Map of the shortlisted sites" style="background:#eef3f7">'
    ]
    for s in states:
        clipped = s.intersection(extent)
        if not clipped.is_empty:
            out.append(f'<path d="{_path(clipped, tx)}" fill="#ffffff" stroke="#9aa5b1" stroke-width="0.8"/>')
    for g, (_, label, title, colour) in zip(sites, located, strict=True):
        if g.geom_type in ("Polygon", "MultiPolygon"):
            out.append(
                f'<path d="{_path(g, tx)}" fill="{colour}" fill-opacity="0.35" stroke="{colour}" '
                f'stroke-width="1.5"><title>{html.escape(title)}</title></path>'
            )
        p = g.representative_point() if g.geom_type != "Point" else g
        x, y = tx(p.x, p.y)
        out.append(
            f"<g><title>{html.escape(title)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="{colour}" stroke="#fff" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" font-weight="700" '
            f'fill="#fff" font-family="sans-serif">{html.escape(label)}</text></g>'
        )
    km = span / 1000
    out.append(
        f'<text x="8" y="{height - 8}" font-size="11" fill="#555" font-family="sans-serif">'
        f"{km:,.0f} km across · EPSG:5070 · Census 2017 state outlines</text></svg>"
    )
    return "".join(out)
