"""The streamed import: a layer read, cleaned and written a batch at a time, the same layer as a whole read gives."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely

from geodata.importers import stream
from geodata.importers.clean import ImportReport, prepare
from geodata.importers.files import import_file, with_ids
from geodata.importers.limits import Limits
from geodata.importers.output import write_layer
from geodata.importers.readers import read_any
from geodata.layers.index import PRECOMPUTED_BANDS, LayerIndex, band_column
from geodata.layers.store import read_layer
from geodata.problems import UserError
from tests.test_layers import grid_layer


def source(tmp_path, n: int = 1000) -> tuple:
    gdf = grid_layer(n, seed=21).drop(columns="feature_id")
    gdf.loc[7, "geometry"] = shapely.Polygon([(-112.5, 34.1), (-112.4, 34.2), (-112.4, 34.1), (-112.5, 34.2)])  # bowtie
    gdf.loc[11, "geometry"] = None
    path = tmp_path / "src.parquet"
    gdf.to_parquet(path)
    return gdf, path


def test_a_streamed_import_writes_the_layer_a_whole_read_writes(tmp_path, monkeypatch):
    gdf, path = source(tmp_path)
    monkeypatch.setattr(stream, "BATCH_ROWS", 128)  # eight batches, each a row group
    report = import_file(path, tmp_path / "out.parquet", Limits())
    # the whole-layer way: read everything, clean, number, write with every band at once
    read = read_any(path, Limits())
    expected = with_ids(prepare(read.gdf, read.name, False, ImportReport()), "src", read.name)
    write_layer(expected, tmp_path / "expected.parquet")
    got = gpd.read_parquet(tmp_path / "out.parquet")  # valid GeoParquet: geopandas reads it back
    assert pq.ParquetFile(tmp_path / "out.parquet").num_row_groups == 8
    assert got.crs.to_epsg() == 4326 and len(got) == len(expected) == len(gdf) - 1
    assert list(got["feature_id"]) == [f"src-{i + 1}" for i in range(len(got))]  # numbered across batches
    assert list(got["feature_id"]) == list(expected["feature_id"])
    assert list(got["unit_name"]) == list(expected["unit_name"])
    assert list(got.geometry.to_wkb()) == list(expected.geometry.to_wkb()) and got.is_valid.all()
    want = gpd.read_parquet(tmp_path / "expected.parquet")
    for band in PRECOMPUTED_BANDS:
        assert list(got[band_column(band)]) == list(want[band_column(band)])
    assert "bbox" in pq.read_schema(tmp_path / "out.parquet").names
    assert 0 < len(gpd.read_parquet(tmp_path / "out.parquet", bbox=(-112.5, 33.0, -111.0, 34.5))) < len(got)
    lines = report.lines()
    assert lines[0] == "read 1,000 feature(s) from src.parquet (EPSG:4326)"
    assert (
        "repaired 1 invalid geometry (1 Self-intersection)" in lines
        and "dropped 1 feature(s): 1 without geometry" in lines
    )
    assert read_layer(tmp_path / "out.parquet")["feature_id"].tolist() == got["feature_id"].tolist()
    opened = LayerIndex.from_file(tmp_path / "out.parquet")
    assert opened.view((-115, 31, -109, 37), 8).total == len(got)


def test_the_box_and_the_polygon_filter_count_over_every_batch(tmp_path, monkeypatch):
    gdf, path = source(tmp_path)
    monkeypatch.setattr(stream, "BATCH_ROWS", 100)
    bbox = (-112.5, 33.0, -111.0, 34.5)
    report = import_file(path, tmp_path / "out.parquet", Limits(), bbox=bbox)
    inside = gdf[gdf.geometry.notna() & gdf.make_valid().intersects(shapely.box(*bbox))]
    got = gpd.read_parquet(tmp_path / "out.parquet")
    assert len(got) == len(inside) and f"kept {len(inside):,} within W,S,E,N -112.5,33,-111,34.5" in " ".join(
        report.lines()
    )
    with pytest.raises(UserError, match=r"nothing in src\.parquet lies within the box; .* not written"):
        import_file(path, tmp_path / "none.parquet", Limits(), bbox=(10, 10, 11, 11))
    assert not (tmp_path / "none.parquet").exists()
    # points in the first batches and polygons later: kept as a layer of the polygons
    mixed = gdf.copy()
    mixed.loc[:250, "geometry"] = shapely.centroid(mixed.loc[:250].geometry.values)
    mixed.to_parquet(tmp_path / "mixed.parquet")
    import_file(tmp_path / "mixed.parquet", tmp_path / "poly.parquet", Limits(), polygons_only=True)
    assert (
        len(gpd.read_parquet(tmp_path / "poly.parquet")) == len(gdf) - 251
    )  # row 11 (no geometry) is among the first 251
    points = gdf.assign(geometry=shapely.centroid(gdf.geometry.values))
    points.to_parquet(tmp_path / "points.parquet")
    with pytest.raises(UserError, match=r"holds no polygons \(999 Point\); land parcels must be polygons"):
        import_file(tmp_path / "points.parquet", tmp_path / "p.parquet", Limits(), polygons_only=True)
    assert not (tmp_path / "p.parquet").exists()


def test_batches_are_read_as_they_are_written_never_the_whole_layer_first(tmp_path):
    """What bounds the memory: a batch is cleaned and handed on before the next is read."""
    _, path = source(tmp_path, 600)
    pulled = []

    with stream.open_source(path, Limits(), crs=None, bbox=None, layer=None, member=None, batch_rows=100) as src:
        original = src.batches

        def counted():
            for k, batch in enumerate(original):
                pulled.append(k)
                yield batch

        src.batches = counted()
        out = stream.layer_batches(src, ImportReport(), polygons_only=False, bbox=None, prefix="src")
        first = next(out)
        assert pulled == [0] and first.num_rows == 99  # row 11 has no geometry
        rest = list(out)
    assert pulled == list(range(6)) and sum(t.num_rows for t in rest) == 600 - 100
    assert np.array_equal(first.column("feature_id").to_pylist()[:2], ["src-1", "src-2"])


@pytest.mark.parametrize("kind", ["gpkg", "geojson", "zip"])
def test_files_gdal_reads_are_streamed_and_give_the_same_layer(tmp_path, monkeypatch, kind):
    import zipfile

    gdf, _ = source(tmp_path, 700)
    gdf = gdf.to_crs("EPSG:5070")  # reprojected batch by batch
    path = tmp_path / f"src.{'gpkg' if kind == 'zip' else kind}"
    (gdf.to_crs(4326) if kind == "geojson" else gdf).to_file(path)
    if kind == "zip":
        with zipfile.ZipFile(tmp_path / "src.zip", "w") as z:
            z.write(path, "inner/src.gpkg")
        path = tmp_path / "src.zip"
    monkeypatch.setattr(stream, "BATCH_ROWS", 100)
    pulled = []
    real = stream.gdal_batches

    def counted(*args, **kwargs):
        with real(*args, **kwargs) as (name, crs, batches):
            yield name, crs, (pulled.append(len(b[1])) or b for b in batches)

    from contextlib import contextmanager

    monkeypatch.setattr(stream, "gdal_batches", contextmanager(counted))
    report = import_file(path, tmp_path / "out.parquet", Limits())
    assert pulled == [100] * 7  # GDAL handed the features over in batches
    read = read_any(path, Limits())
    expected = with_ids(prepare(read.gdf, read.name, False, ImportReport()), "src", read.name)
    got = gpd.read_parquet(tmp_path / "out.parquet")
    assert list(got["feature_id"]) == list(expected["feature_id"]) and len(got) == 699
    assert list(got["unit_name"]) == list(expected["unit_name"])
    assert got.geometry.geom_equals_exact(expected.geometry, 1e-9).all()
    assert report.lines()[0].startswith("read 700 feature(s) from src.")
