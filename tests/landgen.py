"""A generated PAD-US-like land layer west of Phoenix whose candidate tracts are known by construction.

All parcels are rectangles laid out in EPSG:5070 kilometres from an origin a
few km south of I-10 near Tonopah, AZ, so their sizes are exact:

- three tracts that qualify (BLM, at least 500 acres, at least 800 m wide, within 20 km of an interstate):
  a 2x2 grid of 1 km squares (988 ac), two 1.5 x 1.2 km parcels side by side (890 ac), one 1.8 km square (800 ac);
- one too thin: two 4 x 0.5 km BLM strips end to end (988 ac, 500 m wide);
- one cut in two by an exclusion (monument.geojson, a 1.4 km wide band): 4 x 1.1 km (1,087 ac) before the cut,
  two 1.3 x 1.1 km pieces (353 ac each) after;
- one too far from a road: a 2 km square (988 ac) about 29 km from I-8 and farther from any other interstate;
- distractions: Forest Service land touching the grid (not kept, so not merged) and a big Forest Service block,
  a small BLM parcel 200 m from the grid (a separate tract of 158 ac).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
from pyproj import Transformer
from shapely.geometry import box

ORIGIN = (-112.95, 33.39)
FAR_ORIGIN = (-113.6, 33.1)
KEEP = "Mang_Name=BLM"
MIN_ACRES = 500
MIN_WIDTH_M = 800
NEAR = "interstate=20"
# (name, manager, (x0, y0, x1, y1) in km from the origin, far?)
PARCELS = [
    ("Grid NW", "BLM", (0, 1, 1, 2), False),
    ("Grid NE", "BLM", (1, 1, 2, 2), False),
    ("Grid SW", "BLM", (0, 0, 1, 1), False),
    ("Grid SE", "BLM", (1, 0, 2, 1), False),
    ("Pair W", "BLM", (6, 0, 7.5, 1.2), False),
    ("Pair E", "BLM", (7.5, 0, 9, 1.2), False),
    ("Single", "BLM", (12, 0, 13.8, 1.8), False),
    ("Strip W", "BLM", (0, -6, 4, -5.5), False),
    ("Strip E", "BLM", (4, -6, 8, -5.5), False),
    ("Cut W", "BLM", (10, -6, 12, -4.9), False),
    ("Cut E", "BLM", (12, -6, 14, -4.9), False),
    ("Far", "BLM", (0, 0, 2, 2), True),
    ("Forest by the grid", "USFS", (2, 0, 3, 2), False),
    ("Forest block", "USFS", (0, 5, 3, 8), False),
    ("Small near grid", "BLM", (-1.0, 0, -0.2, 0.8), False),
]
MONUMENT = (11.3, -7, 12.7, -4)
QUALIFY = {("Grid NE", "Grid NW", "Grid SE", "Grid SW"), ("Pair E", "Pair W"), ("Single",)}

_to_albers = Transformer.from_crs(4326, 5070, always_xy=True)
_to_wgs = Transformer.from_crs(5070, 4326, always_xy=True)


def _rect(km: tuple[float, float, float, float], origin: tuple[float, float]):
    ox, oy = _to_albers.transform(*origin)
    x0, y0, x1, y1 = km
    albers = box(ox + x0 * 1000, oy + y0 * 1000, ox + x1 * 1000, oy + y1 * 1000)
    return gpd.GeoSeries([albers], crs=5070).segmentize(100).to_crs(4326).iloc[0]


def land() -> gpd.GeoDataFrame:
    rows = []
    for i, (name, manager, km, far) in enumerate(PARCELS):
        geom = _rect(km, FAR_ORIGIN if far else ORIGIN)
        rows.append(
            {
                "OBJECTID": i + 1,
                "Unit_Nm": name,
                "Mang_Name": manager,
                "Des_Tp": "NF" if manager == "USFS" else "PUB",
                "GIS_Acres": round((km[2] - km[0]) * (km[3] - km[1]) * 247.105, 1),
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, crs=4326)


def monument() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"Unit_Nm": ["Generated monument"]}, geometry=[_rect(MONUMENT, ORIGIN)], crs=4326)


def write(folder: Path) -> tuple[Path, Path]:
    """land.geojson and monument.geojson in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, gdf in (("land", land()), ("monument", monument())):
        path = folder / f"{name}.geojson"
        path.write_text(gdf.to_json(drop_id=True), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def names_by_id(land_gdf: gpd.GeoDataFrame) -> dict[str, str]:
    return {str(r.OBJECTID): r.Unit_Nm for r in land_gdf.itertuples()}


if __name__ == "__main__":
    print(json.dumps([p.name for p in write(Path("."))]))
