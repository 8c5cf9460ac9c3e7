"""Derive the real outlines shipped in the catalog from public federal data, with the editing commands.

    python tools/derive_outlines.py --data ../shared/data [--catalog DIR]

Reads the USGS INL boundary and the Forest Service administrative forests from DATA (never at run time
of the app), repairs and simplifies them, checks their areas (INL within 1% of 890 sq mi; each forest
within 1% of its GIS_ACRES) and writes them into the catalog as authoritative, cited outlines. Running it
again rewrites the same outlines; the sources are added only once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata import geometry as geo  # noqa: E402
from geodata.catalog import edit  # noqa: E402
from geodata.catalog.write import read_raw  # noqa: E402
from geodata.problems import UserError  # noqa: E402

INL_FILE = "inl_boundary/inl_boundary.geojson"
FOREST_FILE = "usfs_forests/usfs_administrative_forests_s08.geojson"
INL_SQ_MI = 890
ACRES_PER_SQ_MI = 640
# About 100 m: finer than the map shows at the zooms where a whole forest or the INL site is in view.
SIMPLIFY_DEG = 0.001
DECIMALS = 5
FORESTS = {"tonto-national-forest": "Tonto National Forest", "prescott-national-forest": "Prescott National Forest"}

SOURCES = {
    "usgs-inldata-inl-boundary": {
        "publisher": "U.S. Geological Survey, INL Project Office (R package inldata 1.2.5)",
        "title": "Idaho National Laboratory site boundary (dataset inl)",
        "date": "2024-07-30",
        "url": "https://code.usgs.gov/inl/inldata",
        "note": "CC0 / public domain. Digitized from 7.5-minute quadrangles; 'approximately 890 square miles'. "
        "Date is the CRAN publication of inldata 1.2.5. Converted from USGS-INL Albers (NAD83) to WGS84.",
    },
    "usfs-edw-administrative-forest": {
        "publisher": "USDA Forest Service (Enterprise Data Warehouse)",
        "title": "Administrative Forest Boundaries (S_USA.AdministrativeForest), simplified",
        "date": "2025-12",
        "url": "https://data.fs.usda.gov/geodata/edw",
        "note": "Public domain (US federal work). Taken from a simplified public copy "
        "(GitHub ugitidflow/us-forests-pwa, "
        "data/Full_State_forests_s08.json, added 2025-12-28); date is that of the copy. GIS_ACRES is the "
        "Forest Service's own area of each forest.",
    },
}


def _round(geom):
    return shapely.set_precision(geom, 10**-DECIMALS)


def prepare(geom) -> shapely.Geometry:
    """Repaired, simplified, rounded and still valid."""
    geom = shapely.make_valid(geom)
    geom = shapely.make_valid(_round(geom.simplify(SIMPLIFY_DEG, preserve_topology=True)))
    if geom.geom_type == "GeometryCollection":  # make_valid may leave slivers of lines
        geom = shapely.unary_union([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    return geom


def inl_outline(data: Path) -> shapely.Geometry:
    gdf = gpd.read_file(data / INL_FILE).to_crs(4326)
    geom = prepare(gdf.geometry.union_all())
    sq_mi = geo.acres(geom) / ACRES_PER_SQ_MI
    if abs(sq_mi / INL_SQ_MI - 1) > 0.01:
        raise SystemExit(f"INL outline is {sq_mi:,.1f} sq mi, more than 1% off {INL_SQ_MI}")
    return geom


def forest_outlines(data: Path) -> dict[str, tuple[shapely.Geometry, float]]:
    gdf = gpd.read_file(data / FOREST_FILE).to_crs(4326)
    out = {}
    for rid, name in FORESTS.items():
        row = gdf[gdf["FORESTNAME"] == name]
        if len(row) != 1:
            raise SystemExit(f"{name}: expected one shape in {FOREST_FILE}, found {len(row)}")
        geom = prepare(row.geometry.iloc[0])
        gis_acres = float(row["GIS_ACRES"].iloc[0])
        if abs(geo.acres(geom) / gis_acres - 1) > 0.01:
            raise SystemExit(f"{name}: {geo.acres(geom):,.0f} ac is more than 1% off GIS_ACRES {gis_acres:,.0f}")
        out[rid] = (geom, gis_acres)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, type=Path, help="folder holding inl_boundary/ and usfs_forests/")
    ap.add_argument("--catalog", type=Path, default=ROOT / "geodata" / "data" / "catalog")
    args = ap.parse_args(argv)

    have = {r["id"] for r in read_raw(args.catalog).tables["sources"].rows}
    for sid, fields in SOURCES.items():
        if sid not in have:
            edit.add_source(args.catalog, sid, **fields)

    inl = inl_outline(args.data)
    sq_mi = geo.acres(inl) / ACRES_PER_SQ_MI
    edit.edit_record(
        args.catalog,
        "idaho-national-laboratory",
        {
            "geometry_quality": "authoritative",
            "coord_method": "imported",
            "geometry_note": f"USGS INL site boundary (inldata 1.2.5), simplified to ~100 m; {sq_mi:,.1f} sq mi "
            "measured in EPSG:5070 (USGS: about 890 sq mi).",
            "area_note": "The outline is the whole INL site (~890 sq mi, about 571,000 ac); reported_acres is the "
            "~44,000 ac DOE identified for data centers (the request for applications offers about 100,000 ac).",
        },
        ["usgs-inldata-inl-boundary"],
        geometry=geo.geometry_json(inl),
    )
    print(f"idaho-national-laboratory: USGS outline, {sq_mi:,.1f} sq mi")

    for rid, (geom, gis_acres) in forest_outlines(args.data).items():
        edit.edit_record(
            args.catalog,
            rid,
            {
                "reported_acres": f"{gis_acres:.0f}",
                "reported_area_text": f"{gis_acres:,.0f} ac (Forest Service GIS_ACRES of the administrative "
                "boundary, which includes non-federal inholdings)",
                "geometry_quality": "authoritative",
                "coord_method": "imported",
                "geometry_note": "Forest Service administrative forest boundary (EDW), from a simplified public copy, "
                "repaired (make_valid) and simplified to ~100 m; inholdings are not cut out.",
            },
            ["usfs-edw-administrative-forest"],
            geometry=geo.geometry_json(geom),
        )
        print(f"{rid}: Forest Service outline, {geo.acres(geom):,.0f} ac (GIS_ACRES {gis_acres:,.0f})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UserError as exc:
        sys.exit(f"error: {exc}")
