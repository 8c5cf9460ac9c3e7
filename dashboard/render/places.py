"""What the place search box offers, offline: the catalog's records, the states and GeoNames places.

Pure: the catalog frames and the shipped tables in, (label -> where) out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dashboard.render.view import zoom_for
from geodata.catalog.usmap import STATES_FILE

CITY_MIN_POPULATION = 15_000
LAYER_WORD = {"sites": "Site", "investments": "Investment", "facilities": "Facility"}


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    zoom: int
    record_id: str | None = None  # a catalog record: opening the place selects it


def _centre(geom) -> tuple[float, float]:
    c = geom if geom.geom_type == "Point" else geom.representative_point()
    return c.y, c.x


def search_index(frames: dict, cities: list[dict]) -> dict[str, Place]:
    """Labels as the box shows them, records first, then states, then places by population."""
    from shapely.geometry import shape

    out: dict[str, Place] = {}
    for layer, word in LAYER_WORD.items():
        df = frames[layer]
        for rid, name, geom in zip(df["id"], df["name"], df.geometry, strict=True):
            if geom is None or geom.is_empty:
                continue
            lat, lon = _centre(geom)
            zoom = 10 if geom.geom_type == "Point" else zoom_for(geom)
            out.setdefault(f"{word}: {name}", Place(lat, lon, zoom, rid))
    doc = json.loads(STATES_FILE.read_text(encoding="utf-8"))
    for f in sorted(doc["features"], key=lambda f: f["properties"]["name"]):
        g = shape(f["geometry"])
        minx, miny, maxx, maxy = g.bounds
        out[f"State: {f['properties']['name']}"] = Place((miny + maxy) / 2, (minx + maxx) / 2, zoom_for(g))
    for c in sorted(cities, key=lambda c: -c["population"]):
        if c["population"] < CITY_MIN_POPULATION:
            continue
        out.setdefault(f"Place: {c['name']}, {c['admin1code']}", Place(c["latitude"], c["longitude"], 11))
    return out
