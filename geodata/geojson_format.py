"""Write GeoJSON FeatureCollections in a stable, diff-friendly layout.

One feature per block, properties one per line, each ring of coordinates on
a single line: editing a name changes one line, redrawing an outline changes
one line per ring.
"""

from __future__ import annotations

import json
from pathlib import Path


def _coords(value, depth: int) -> str:
    # depth 0 is a position; ring-level arrays (depth 1) go on one line.
    if depth <= 1:
        return json.dumps(value, separators=(",", ":"))
    inner = ",\n".join("        " + _coords(v, depth - 1) for v in value)
    return "[\n" + inner + "\n      ]"


_DEPTH = {"Point": 0, "LineString": 1, "Polygon": 2, "MultiPoint": 1, "MultiLineString": 2, "MultiPolygon": 3}


def _geometry(geom: dict | None) -> str:
    if geom is None:
        return "null"
    depth = _DEPTH[geom["type"]]
    coords = geom["coordinates"]
    if geom["type"] == "MultiPolygon":
        # polygons -> rings: one ring per line, polygons separated.
        polys = ",\n".join(
            "      [" + ", ".join(json.dumps(r, separators=(",", ":")) for r in poly) + "]" for poly in coords
        )
        body = "[\n" + polys + "\n    ]"
    elif depth >= 2:
        body = "[\n" + ",\n".join("      " + json.dumps(r, separators=(",", ":")) for r in coords) + "\n    ]"
    else:
        body = json.dumps(coords, separators=(",", ":"))
    return f'{{"type": "{geom["type"]}", "coordinates": {body}}}'


def dumps_feature_collection(features: list[dict], name: str | None = None) -> str:
    parts = []
    for f in features:
        props = (
            "{\n"
            + ",\n".join(
                f"     {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                for k, v in (f.get("properties") or {}).items()
            )
            + "\n   }"
        )
        geometry = _geometry(f.get("geometry")).replace("\n", "\n  ")
        parts.append(f'  {{"type": "Feature",\n   "properties": {props},\n   "geometry": {geometry}}}')
    head = '{"type": "FeatureCollection",\n'
    if name:
        head += f' "name": {json.dumps(name)},\n'
    return head + ' "features": [\n' + ",\n".join(parts) + "\n ]\n}\n"


def write_feature_collection(path: str | Path, features: list[dict], name: str | None = None) -> None:
    text = dumps_feature_collection(features, name)
    json.loads(text)  # never write a file we could not read back
    Path(path).write_text(text, encoding="utf-8")
