"""Exports round-trip through geopandas/GDAL in every format; CSV is formula-safe."""

from __future__ import annotations

import csv
import io
import warnings

import geopandas as gpd
import pytest
from shapely.geometry import shape

from geodata.catalog.filters import Filters, apply_filters
from geodata.catalog.load import LAYERS, load_catalog
from geodata.export import formats as exporters
from geodata.export.csvsafe import neutralise

FORMATS = exporters.EXPORT_FORMATS


def read_back(path, fmt: str, layer: str) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == "csv":
            opts = (
                {"GEOM_POSSIBLE_NAMES": "wkt"}
                if layer == "sites"
                else {"X_POSSIBLE_NAMES": "lon", "Y_POSSIBLE_NAMES": "lat"}
            )
            return gpd.read_file(path, KEEP_GEOM_COLUMNS="NO", **opts)
        return gpd.read_file(path)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(catalog, tmp_path, layer, fmt):
    df = catalog.layer(layer)
    frame = exporters.export_frame(catalog, df)
    path = exporters.write(frame, fmt, tmp_path / f"{layer}.{fmt}", layer)
    back = read_back(path, fmt, layer)
    name_col = "Name" if fmt == "kml" else "name"
    assert list(back["id"]) == list(df["id"])
    assert list(back[name_col]) == [neutralise(n) if fmt == "csv" else n for n in df["name"]]
    for col in ("phase", "status", "as_of", "sources_text"):
        assert list(back[col].fillna("")) == list(frame[col].fillna("")), col
    for orig, got in zip(df.geometry, back.geometry, strict=True):
        if orig is None:
            assert got is None or got.is_empty
            continue
        if fmt == "csv" and layer != "sites":
            assert got.distance(orig) < 1e-5
        else:
            assert got.symmetric_difference(orig).area <= 1e-6 * max(orig.area, 1e-9) + 1e-12, (layer, fmt)


def test_exports_carry_required_columns_first(catalog):
    for layer in LAYERS:
        frame = exporters.export_frame(catalog, catalog.layer(layer))
        assert list(frame.columns[:5]) == ["id", "name", "phase", "status", "as_of"]
        assert "sources_text" in frame.columns
        for text, ids in zip(frame["sources_text"], catalog.layer(layer)["sources"], strict=True):
            for sid in ids:
                assert f"[{sid}] {catalog.sources[sid].publisher}" in text


def test_csv_neutralises_formulas_in_text_cells_only(catalog_copy, tmp_path):
    rid = catalog_copy.rows("investments.csv")[0]["id"]
    catalog_copy.edit_row(
        "investments.csv",
        rid,
        name='=HYPERLINK("http://evil.example","click")',
        description="+cmd|' /C calc'!A0",
        investor="@SUM(1+1)",
        note="-2+3",
    )
    catalog = load_catalog(catalog_copy.dir)
    data = exporters.render(exporters.export_frame(catalog, catalog.investments), "csv", "investments")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    row = next(r for r in rows if r["id"] == rid)
    assert row["name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["description"] == "'+cmd|' /C calc'!A0"
    assert row["investor"] == "'@SUM(1+1)"
    assert row["note"] == "'-2+3"
    # numbers stay numbers, negative longitudes included
    for r in rows:
        if r["lon"]:
            assert float(r["lon"]) < 0 and not r["lon"].startswith("'")
    for r in rows:
        for key, value in r.items():
            if key not in ("lon", "lat", "amount_usd_low", "amount_usd_high", "amount_usd"):
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (key, value)


def test_csv_neutralises_tab_cr_and_nul_leading_cells(catalog):
    """The loader trims whitespace, so these can only reach the writer from other callers."""
    frame = exporters.export_frame(catalog, catalog.facilities.head(3))
    frame["name"] = ["\tTab", "\rCR", "\0NUL"]
    rows = list(csv.DictReader(io.StringIO(exporters.render(frame, "csv", "f").decode("utf-8"), newline="")))
    assert [r["name"] for r in rows] == ["'\tTab", "'\rCR", "'\0NUL"]


def test_kml_description_is_escaped_html(catalog_copy, tmp_path):
    rid = catalog_copy.rows("facilities.csv")[0]["id"]
    catalog_copy.edit_row("facilities.csv", rid, description="<img src=x onerror=alert(1)>")
    catalog = load_catalog(catalog_copy.dir)
    path = exporters.write(exporters.export_frame(catalog, catalog.facilities), "kml", tmp_path / "f.kml", "facilities")
    text = path.read_text(encoding="utf-8")
    assert "<img src=x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    back = read_back(path, "kml", "facilities")
    desc = back.loc[back["id"] == rid, "description"].item()
    assert "&lt;img" in desc and "<b>Sources:</b>" in desc  # Google Earth shows the tag as text


def test_gpkg_holds_multipolygons_for_sites(catalog, tmp_path):
    path = exporters.write(exporters.export_frame(catalog, catalog.sites), "gpkg", tmp_path / "s.gpkg", "sites")
    back = read_back(path, "gpkg", "sites")
    assert set(back.geometry.dropna().geom_type) == {"MultiPolygon"}


def test_failed_write_leaves_existing_file_untouched(catalog, tmp_path):
    target = tmp_path / "sites.gpkg"
    target.write_text("keep me")
    frame = exporters.export_frame(catalog, catalog.sites)

    def interrupted(_tmp):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        exporters.write(frame, "gpkg", target, "sites", after=interrupted)
    assert target.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["sites.gpkg"], "no temporary file left behind"


def test_filtered_export_contains_only_matches(catalog, tmp_path):
    f = Filters(phase=("phase-1",))
    df = apply_filters(catalog, "investments", f)
    path = exporters.write(exporters.export_frame(catalog, df), "geojson", tmp_path / "p1.geojson", "investments")
    back = read_back(path, "geojson", "investments")
    assert set(back["phase"]) == {"phase-1"} and len(back) == len(df)
    assert shape(back.geometry.dropna().iloc[0].__geo_interface__).is_valid
