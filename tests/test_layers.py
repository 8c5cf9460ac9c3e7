"""Imported layers: the store, the view index, and parcels on shortlists."""

from __future__ import annotations

import html
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box, shape

from geodata.layers.index import LayerIndex, _band, _decimals
from geodata.layers.parcels import parcel_sites, split_site_id
from geodata.layers.store import LayerStore, read_layer
from geodata.problems import UserError


def grid_layer(n: int = 400, seed: int = 3) -> gpd.GeoDataFrame:
    """Irregular 24-vertex parcels of varied size scattered over Arizona."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, 25)[:-1]
    polys = []
    for x, y in zip(rng.uniform(-114, -109.5, n), rng.uniform(31.5, 36.5, n), strict=True):
        r = rng.uniform(0.002, 0.05) * (0.6 + 0.8 * rng.random(24))
        polys.append(shapely.Polygon(np.column_stack([x + r * np.cos(angles), y + r * np.sin(angles)])))
    return gpd.GeoDataFrame(
        {
            "feature_id": [f"p{i}" for i in range(n)],
            "unit_name": [f"Unit {i}" for i in range(n)],
            "manager": ["BLM"] * n,
        },
        geometry=polys,
        crs="EPSG:4326",
    )


def stored(backend, gdf: gpd.GeoDataFrame, name: str = "az", value=str):
    """The layer saved through the backend's store (as an import does) and opened as the map opens it."""
    from geodata.importers.output import write_layer

    store = backend.layers()
    saved, _ = store.save(name, lambda path: write_layer(gdf, path))
    return store.open_index(store.get(saved), value=value)


def features(view) -> list[dict]:
    return json.loads(view.geojson)["features"]


def test_view_returns_exactly_the_features_in_the_box(backend):
    gdf = grid_layer()
    idx = stored(backend, gdf)
    bounds = (-112.5, 33.0, -111.0, 34.5)
    view = idx.view(bounds, 9)
    expected = set(gdf[gdf.intersects(box(*bounds))]["feature_id"])
    got = {f["properties"]["id"].split(":", 1)[1] for f in features(view)}
    assert got == expected and view.shown == view.total == len(expected) > 0


def test_cap_keeps_the_largest_and_counts_the_rest(backend):
    gdf = grid_layer()
    idx = stored(backend, gdf)
    view = idx.view((-115, 31, -109, 37), 6, cap=50)
    assert view.shown == 50 and view.total == len(gdf)
    kept = {f["properties"]["id"].split(":", 1)[1] for f in features(view)}
    # in the layer's own units (degrees²): what is drawn first is the biggest on screen
    largest = set(gdf.assign(a=shapely.area(gdf.geometry.values)).nlargest(50, "a")["feature_id"])
    assert kept == largest


def test_geometry_detail_follows_the_zoom(backend):
    gdf = grid_layer(60)
    idx = stored(backend, gdf)
    bounds = (-115, 31, -109, 37)

    def vertices(zoom):
        return sum(len(shape(f["geometry"]).exterior.coords) for f in features(idx.view(bounds, zoom)))

    def max_decimals(zoom):
        text = json.dumps([f["geometry"] for f in features(idx.view(bounds, zoom))])
        return max(len(d) for d in __import__("re").findall(r"\.(\d+)", text))

    assert vertices(4) < vertices(10) <= vertices(14)
    assert max_decimals(4) <= 3 and max_decimals(14) <= 5
    for zoom in (4, 8, 12):  # a simplified parcel stays within one screen pixel (plus rounding) of the original
        pixel = 360.0 / (256 * 2 ** _band(zoom))
        tolerance = pixel + 10.0 ** -_decimals(_band(zoom))
        for f in features(idx.view(bounds, zoom)):
            fid = f["properties"]["id"].split(":", 1)[1]
            original = gdf.loc[gdf["feature_id"] == fid].geometry.item()
            assert shapely.hausdorff_distance(shape(f["geometry"]), original) <= tolerance


def test_properties_go_through_the_escaping_hook(backend):
    gdf = grid_layer(5)
    gdf.loc[0, "unit_name"] = "<img src=x onerror=alert(1)>"
    idx = stored(backend, gdf, value=lambda v: html.escape(str(v)))
    text = idx.view(idx.bounds(), 10).geojson
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_store_lists_names_and_refuses_duplicates(tmp_path):
    store = LayerStore(tmp_path)
    assert store.list() == []
    target = store.target("AZ federal land")
    assert target.name == "az-federal-land.parquet"
    grid_layer(3).to_parquet(target)
    assert [i.name for i in store.list()] == ["az-federal-land"]
    with pytest.raises(UserError, match="a layer named 'az-federal-land' already exists"):
        store.target("az federal land")
    with pytest.raises(UserError, match="cannot name a layer"):
        store.target("!!!")
    store.delete("az-federal-land")
    assert store.list() == []


def test_store_lists_files_a_user_copied_in_and_names_those_it_cannot_show(tmp_path):
    store = LayerStore(tmp_path)
    store.dir.mkdir()
    for name in ("PADUS4_1 AZ (fee).parquet", "bad:name.parquet", "notes.txt"):
        grid_layer(3).to_parquet(store.dir / name)
    assert [i.name for i in store.list()] == ["PADUS4_1 AZ (fee)"]
    assert store.ignored() == ["bad:name.parquet"]


def test_both_backends_answer_a_view_alike(backend):
    gdf = grid_layer(300)
    idx = stored(backend, gdf, value=lambda v: html.escape(str(v)))
    reference = LayerIndex(gdf, "az", value=lambda v: html.escape(str(v)))
    for bounds, zoom, cap in (((-113, 32, -110, 35), 7, 40), ((-112.2, 33.2, -111.4, 34.0), 11, 8000)):
        got, want = idx.view(bounds, zoom, cap), reference.view(bounds, zoom, cap)
        assert (got.shown, got.total) == (want.shown, want.total)
        by_id = {f["properties"]["id"]: f for f in features(want)}
        for f in features(got):  # same ids, same tooltip properties, geometry within rounding
            assert f["properties"] == by_id[f["properties"]["id"]]["properties"]
            assert (
                shapely.hausdorff_distance(shape(f["geometry"]), shape(by_id[f["properties"]["id"]]["geometry"])) < 1e-3
            )
    assert len(idx) == len(gdf)


def test_layer_store_names_saves_refuses_duplicates_and_deletes(backend):
    from geodata.importers.output import write_layer

    store = backend.layers()
    assert store.list() == []
    saved, _ = store.save("AZ federal land", lambda path: write_layer(grid_layer(3), path))
    assert saved == "az-federal-land" and [i.name for i in store.list()] == ["az-federal-land"]
    with pytest.raises(UserError, match="a layer named 'az-federal-land' already exists"):
        store.save("az federal land", lambda path: write_layer(grid_layer(3), path))
    with pytest.raises(UserError, match="cannot name a layer"):
        store.save("!!!", lambda path: write_layer(grid_layer(3), path))
    got = store.features(store.get("az-federal-land"), ["p1", "p2"])
    assert sorted(got["feature_id"]) == ["p1", "p2"] and set(got["unit_name"]) == {"Unit 1", "Unit 2"}
    store.delete("az-federal-land")
    assert store.list() == []


def test_an_import_that_fails_midway_leaves_nothing(backend):
    store = backend.layers()

    def broken(path):
        grid_layer(3).to_parquet(path)  # no per-zoom columns and then a failure: as if the import were killed
        raise UserError("interrupted")

    with pytest.raises(UserError, match="interrupted"):
        store.save("half", broken)
    assert store.list() == []


def test_parcel_sites_and_site_ids(backend):
    from geodata.importers.output import write_layer

    store = backend.layers()
    store.save("az", lambda path: write_layer(grid_layer(4), path))
    assert split_site_id("az:p2") == ("az", "p2") and split_site_id("idaho-national-laboratory") is None
    sites = parcel_sites(store, ["az:p2", "idaho-national-laboratory", "az:nope", "gone:p1"])
    assert list(sites["id"]) == ["az:p2"] and sites["name"].item() == "Unit 2"
    assert "imported layer az" in sites["provenance"].item()


def test_read_layer_reprojects_and_adds_ids(tmp_path):
    g = grid_layer(3).drop(columns="feature_id").to_crs("EPSG:5070")
    g.to_file(tmp_path / "x.gpkg")
    back = read_layer(tmp_path / "x.gpkg")
    assert back.crs.to_epsg() == 4326 and list(back["feature_id"]) == ["x-1", "x-2", "x-3"]


def test_shortlist_with_imported_parcels_through_the_cli(cli, tmp_path, monkeypatch, catalog):
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path))
    grid_layer(4).to_parquet(LayerStore(tmp_path).target("az"))
    assert cli("shortlist", "create", "Mixed")[0] == 0
    assert cli("shortlist", "add", "Mixed", "az:p1", "--note", "from PAD-US")[0] == 0
    assert cli("shortlist", "add", "Mixed", catalog.sites.iloc[0]["id"])[0] == 0
    code, _, err = cli("shortlist", "add", "Mixed", "az:nope")
    assert code == 1 and "unknown parcel 'az:nope'" in err
    out_path = tmp_path / "mixed.geojson"
    assert cli("shortlist", "export", "Mixed", "-o", str(out_path))[0] == 0
    back = gpd.read_file(out_path)
    assert list(back["id"]) == ["az:p1", catalog.sites.iloc[0]["id"]]
    assert "imported layer az" in back.loc[0, "sources_text"]
    brief = tmp_path / "mixed.html"
    assert cli("shortlist", "export", "Mixed", "-o", str(brief))[0] == 0
    text = brief.read_text()
    assert "Unit 1" in text and "imported layer az" in text and ">None<" not in text


def test_imported_geoparquet_has_bbox_covering_and_precomputed_bands(tmp_path):
    import pyarrow.parquet as pq

    from geodata.importers.output import write_layer
    from geodata.layers.index import PRECOMPUTED_BANDS, band_column

    gdf = grid_layer(200)
    path = tmp_path / "az.parquet"
    write_layer(gdf, path)
    names = pq.read_schema(path).names
    assert "bbox" in names and all(band_column(b) in names for b in PRECOMPUTED_BANDS)
    back = gpd.read_parquet(path, bbox=(-112.5, 33.0, -111.0, 34.5))  # reads by the covering column
    assert 0 < len(back) < len(gdf)
    stored = LayerIndex(read_layer(path), "az")
    computed = LayerIndex(gdf, "az")
    opened = LayerIndex.from_file(path, "az")  # what the app uses: bands read from the file when first drawn
    assert set(stored._pre) == set(PRECOMPUTED_BANDS) and not computed._pre and not opened._pre
    assert opened._on_disk == set(PRECOMPUTED_BANDS)
    for zoom in (4, 7, 9, 11, 13):
        want = computed.view((-115, 31, -109, 37), zoom).geojson
        assert stored.view((-115, 31, -109, 37), zoom).geojson == want
        assert opened.view((-115, 31, -109, 37), zoom).geojson == want
    assert set(opened._pre) == set(PRECOMPUTED_BANDS)  # each read once, when its zoom was first drawn


def _held(value, seen: set) -> tuple[int, list[str]]:
    """(bytes of arrays, kinds of geometry objects) reachable from an index's attributes."""
    import pyarrow as pa

    if id(value) in seen:
        return 0, []
    seen.add(id(value))
    if isinstance(value, shapely.STRtree | shapely.Geometry):
        return 0, [type(value).__name__]
    if isinstance(value, np.ndarray):
        kinds = [type(v).__name__ for v in value.ravel() if isinstance(v, shapely.Geometry)][:1]
        return value.nbytes, kinds
    if isinstance(value, pa.ChunkedArray | pa.Array):
        return value.nbytes, []
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple | set) else []
    total, kinds = 0, []
    for v in items:
        b, k = _held(v, seen)
        total, kinds = total + b, kinds + k
    return total, kinds


def test_an_opened_layer_holds_boxes_and_columns_not_a_geometry_per_parcel(tmp_path):
    """At 1,000,000 parcels a GEOS object and a tree entry per parcel cost gigabytes in the app process:
    the index keeps four box coordinates and an area per feature, and Arrow columns for the rest."""
    from geodata.importers.output import write_layer

    gdf = grid_layer(20_000, seed=5)
    path = tmp_path / "az.parquet"
    write_layer(gdf, path)
    idx = LayerIndex.from_file(path, "az")
    held, kinds = _held(vars(idx), set())
    assert kinds == []
    # 40 bytes of boxes and area, 8 of the properties cache, and the id, label and tooltip text (~30 bytes):
    # what a geometry column would add (~400 bytes a parcel of 24 vertices) is far over this bound
    assert held / len(gdf) < 120, held / len(gdf)
    idx.view((-115, 31, -109, 37), 6, cap=2000)
    held, kinds = _held(vars(idx), set())
    assert kinds == [] and held / len(gdf) < 250, held / len(gdf)  # plus one band's simplified WKB


def test_an_opened_layer_reads_full_geometry_for_the_candidates_only_and_answers_alike(tmp_path):
    from geodata.importers.output import write_layer

    gdf = grid_layer(3_000, seed=11)
    path = tmp_path / "az.parquet"
    write_layer(gdf, path)
    # several row groups, as a large import writes them: candidates are gathered across groups
    pq_table = gpd.read_parquet(path)
    pq_table.to_parquet(path, row_group_size=700, write_covering_bbox=True, index=False)
    import pyarrow.parquet as pq

    assert pq.ParquetFile(path).num_row_groups == 5
    opened, computed = LayerIndex.from_file(path, "az"), LayerIndex(gdf, "az")
    area = shapely.Polygon([(-113, 32), (-110, 33.5), (-112, 35.5)])
    for bounds, zoom, within in (
        ((-113, 32, -110, 35), 14, None),
        ((-114, 31.5, -109.5, 36.5), 9, area),
        ((-112.2, 33.2, -111.4, 34.0), 15, area),
    ):
        got, want = opened.view(bounds, zoom, 400, within), computed.view(bounds, zoom, 400, within)
        assert (got.shown, got.total) == (want.shown, want.total) and got.total > 0
        assert got.geojson == want.geojson
    assert opened._geometry is None and opened.row("p17") == 17 and opened.bounds() == computed.bounds()
    with pytest.raises(KeyError):
        opened.row("nope")


def test_a_parcel_of_an_imported_layer_is_read_alone_not_with_the_whole_layer(tmp_path, monkeypatch):
    from geodata.importers.output import write_layer
    from geodata.layers import store as store_module

    store = LayerStore(tmp_path)
    store.save("az", lambda path: write_layer(grid_layer(50), path))
    grid_layer(5).to_file(store.dir / "other.gpkg")

    def whole(*_):
        raise AssertionError("the whole layer was read for a few parcels")

    monkeypatch.setattr(store_module, "_cached_frame", whole)
    got = store.features(store.get("az"), ["p3", "p41", "nope"])
    assert sorted(got["feature_id"]) == ["p3", "p41"] and got.crs.to_epsg() == 4326
    assert store.features(store.get("az"), []).empty
    with pytest.raises(AssertionError, match="whole layer"):  # a file without text ids is read whole, once
        store.features(store.get("other"), ["other-1"])
