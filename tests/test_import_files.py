"""`import file`: every accepted format read through GDAL, every bad input refused, nothing written."""

from __future__ import annotations

import json
import os
import zipfile

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, Polygon

from geodata.cli.wording import cli_message
from geodata.importers.files import import_file
from geodata.importers.limits import Limits
from geodata.problems import ChoiceNeeded, CrsNeeded, LimitExceeded, UserError

BBOX = (-112.8, 33.65, -111.95, 34.35)


def parcels() -> gpd.GeoDataFrame:
    """Irregular parcels north of Phoenix (one self-intersecting), stored in EPSG:5070."""
    shapes = [
        Polygon([(-112.30, 33.80), (-112.22, 33.79), (-112.20, 33.86), (-112.26, 33.90), (-112.31, 33.86)]),
        Polygon([(-112.10, 34.00), (-112.02, 34.01), (-112.03, 34.08), (-112.09, 34.07)]),
        Polygon([(-112.50, 34.10), (-112.40, 34.20), (-112.40, 34.10), (-112.50, 34.20)]),  # bowtie
    ]
    gdf = gpd.GeoDataFrame(
        {
            "name": ["Table Mesa block", "Black Canyon block", "Castle Hot Springs block"],
            "owner": ["BLM", "BLM", "State Trust"],
            "acres": [1800.5, 2100.0, 950.0],
        },
        geometry=shapes,
        crs="EPSG:4326",
    )
    return gdf.to_crs("EPSG:5070")


def write(gdf, path, driver, **kw):
    pyogrio.write_dataframe(gdf, path, driver=driver, **kw)
    return path


def zip_folder(paths, archive):
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths:
            zf.write(p, p.name)
    return archive


@pytest.fixture
def src(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    return d


@pytest.fixture
def out(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    return d


def read_out(path):
    return gpd.read_parquet(path) if path.suffix == ".parquet" else gpd.read_file(path)


def text_file(name: str, content: str | bytes):
    """A builder that writes `content` to `name` in the source folder and returns its path."""

    def build(d):
        path = d / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    return build


def make(kind: str, d):
    g = parcels()
    if kind in ("kml", "kmz"):  # LIBKML will not write an invalid polygon
        g = g[g.is_valid]
    if kind == "geojson":
        return write(g.to_crs(4326), d / "p.geojson", "GeoJSON")
    if kind == "gpkg":
        return write(g, d / "p.gpkg", "GPKG", layer="parcels")
    if kind == "shapefile-zip":
        write(g, d / "p.shp", "ESRI Shapefile")
        return zip_folder([d / f"p.{e}" for e in ("shp", "shx", "dbf", "prj", "cpg")], d / "p.zip")
    if kind == "kml":
        return write(g.to_crs(4326), d / "p.kml", "LIBKML")
    if kind == "kmz":
        write(g.to_crs(4326), d / "doc.kml", "LIBKML")
        return zip_folder([d / "doc.kml"], d / "p.kmz")
    if kind == "fgb":
        return write(g, d / "p.fgb", "FlatGeobuf")
    if kind == "parquet":
        g.to_parquet(d / "p.parquet")
        return d / "p.parquet"
    if kind == "gdb":
        return write(g, d / "p.gdb", "OpenFileGDB", layer="parcels")
    if kind == "csv-wkt":
        w = g.to_crs(4326)
        rows = "".join(f'"{n}","{geom.wkt}"\n' for n, geom in zip(w["name"], w.geometry, strict=True))
        (d / "p.csv").write_text("name,wkt\n" + rows)
        return d / "p.csv"
    raise KeyError(kind)


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "shapefile-zip", "kml", "kmz", "fgb", "parquet", "gdb", "csv-wkt"])
def test_each_format_imports_to_wgs84_with_repairs_reported(src, out, kind):
    path = make(kind, src)
    target = out / "parcels.parquet"
    report = import_file(path, target, Limits(), crs="EPSG:4326" if kind == "csv-wkt" else None, polygons_only=True)
    back = read_out(target)
    n = 2 if kind in ("kml", "kmz") else 3
    assert back.crs.to_epsg() == 4326 and len(back) == n
    assert back.geometry.is_valid.all()
    assert sorted(back["feature_id"]) == [f"p-{i + 1}" for i in range(n)]
    expected = parcels().to_crs(4326).set_index("name")
    names = back["Name" if kind in ("kml", "kmz") else "name"]
    assert sorted(names) == sorted(expected.index[:n])  # FlatGeobuf's index may reorder features
    for name, got in zip(names, back.geometry, strict=True):
        want = expected.geometry[name]
        if want.is_valid:
            assert got.symmetric_difference(want).area < 1e-6 * want.area
    if n == 3:
        assert report.repaired and "repaired 1 invalid geometry" in " ".join(report.lines())


def test_csv_lon_lat_points(src, out):
    (src / "pts.csv").write_text("site,lon,lat\nA,-112.1,33.9\nB,-111.5,34.2\n")
    import_file(src / "pts.csv", out / "pts.geojson", Limits())
    back = read_out(out / "pts.geojson")
    assert list(back.geometry) == [Point(-112.1, 33.9), Point(-111.5, 34.2)] and list(back["site"]) == ["A", "B"]


def test_bbox_keeps_and_clips(src, out):
    path = make("gpkg", src)
    box = (-112.28, 33.7, -111.9, 34.1)
    report = import_file(path, out / "c.gpkg", Limits(), bbox=box)
    back = read_out(out / "c.gpkg")
    minx, _miny, _maxx, maxy = back.total_bounds
    assert len(back) == 2 and minx >= box[0] - 1e-9 and maxy <= box[3] + 1e-9
    assert any("clipped" in line for line in report.lines())


# ------------------------------------------------------------------ bad input


def shapefile_zip(src, members, name="p.zip"):
    g = parcels()
    write(g, src / "p.shp", "ESRI Shapefile")
    return zip_folder([src / f"p.{e}" for e in members], src / name)


def raw_zip(src, entries, name="x.zip", compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(src / name, "w", compression) as zf:
        for arcname, data in entries:
            zf.writestr(arcname, data)
    return src / name


VRT = (
    '<OGRVRTDataSource><OGRVRTLayer name="p"><SrcDataSource>/etc/passwd</SrcDataSource>'
    "</OGRVRTLayer></OGRVRTDataSource>"
)
GML = '<?xml version="1.0"?><gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml"/>'
XXE = (
    '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&xxe;</name></Document></kml>'
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&lol2;</name></Document></kml>'
)
METRES = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [412000.0, 3750000.0]}}
        ],
    }
)

BAD = {
    "png disguised as geojson": (text_file("map.geojson", b"\x89PNG\r\n\x1a\n" + b"0" * 100), "looks like a PNG image"),
    "vrt disguised as geojson": (text_file("x.geojson", VRT), "GDAL VRT file"),
    "gml is outside the allow-list": (text_file("x.gml", GML), "XML or HTML document that is not KML"),
    "sqlite that is not a geopackage": (lambda s: _sqlite(s / "x.gpkg"), "SQLite database that is not a GeoPackage"),
    "truncated geojson": (
        text_file("t.geojson", '{"type":"FeatureCollection","features":[{"ty'),
        "corrupt or truncated",
    ),
    "truncated geopackage": (lambda s: _truncate(make("gpkg", s)), "corrupt or truncated"),
    "truncated zip": (lambda s: _truncate(make("shapefile-zip", s)), "corrupt or truncated zip"),
    "empty file": (text_file("e.geojson", b""), "is empty (0 bytes)"),
    "no features": (text_file("n.geojson", '{"type":"FeatureCollection","features":[]}'), "has no features"),
    "shapefile without prj": (lambda s: shapefile_zip(s, ("shp", "shx", "dbf")), "no coordinate reference system"),
    "csv wkt without crs": (text_file("w.csv", 'name,wkt\na,"POINT (1 2)"\n'), "never guesses"),
    "shapefile without shx and dbf": (lambda s: shapefile_zip(s, ("shp", "prj")), "comes without p.shx and p.dbf"),
    "projected metres labelled as degrees": (text_file("m.geojson", METRES), "coordinates out of range"),
    "zip slip": (
        lambda s: raw_zip(s, [("../evil.geojson", '{"type":"FeatureCollection","features":[]}')]),
        "would be written outside its folder",
    ),
    "zip absolute path": (lambda s: raw_zip(s, [("/tmp/evil.geojson", "{}")]), "would be written outside its folder"),
    "zip bomb by ratio": (lambda s: raw_zip(s, [("bomb.geojson", b"0" * (30 * 2**20))]), "possible zip bomb"),
    "nested archive": (lambda s: raw_zip(s, [("inner.zip", b"PK\x03\x04" + b"x" * 20)]), "contains another archive"),
    "kml with external entity": (text_file("x.kml", XXE), "declares a DOCTYPE or entities"),
    "kml billion laughs": (text_file("b.kml", LAUGHS), "declares a DOCTYPE or entities"),
    "csv without location columns": (text_file("c.csv", "a,b\n1,2\n"), "no location columns"),
    "csv with a non-number latitude": (
        text_file("c.csv", "lon,lat\n-112,33\n-111,north\n"),
        "row 3, column 'lat': 'north' is not a number",
    ),
}


def _sqlite(path):
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    return path


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_and_nothing_is_written(src, out, case):
    build, words = BAD[case]
    path = build(src)
    with pytest.raises(UserError) as err:
        import_file(path, out / "result.parquet", Limits())
    message = str(err.value)
    assert words in message, message
    assert "\n" not in message and "Traceback" not in message
    assert list(out.iterdir()) == [], "nothing may be written"


def test_points_refused_where_polygons_are_needed(src, out):
    (src / "pts.csv").write_text("lon,lat\n-112.1,33.9\n")
    with pytest.raises(UserError, match=r"holds no polygons .*1 Point.*land parcels must be polygons"):
        import_file(src / "pts.csv", out / "x.parquet", Limits(), polygons_only=True)
    assert list(out.iterdir()) == []


def test_size_limit_is_configurable(src, out, monkeypatch):
    path = make("gpkg", src)
    with pytest.raises(LimitExceeded, match="more than the limit of 0 MB; raise the limit") as err:
        import_file(path, out / "x.parquet", Limits().with_max_mb(0.0001))
    assert err.value.what == "max_file_bytes" and err.value.actual == path.stat().st_size
    monkeypatch.setenv("GEODATA_MAX_IMPORT_MB", "0.0001")
    with pytest.raises(LimitExceeded) as err:
        import_file(path, out / "x.parquet", Limits.from_env())
    assert err.value.limit == int(0.0001 * 2**20)
    assert cli_message(err.value).endswith("raise it with --max-mb or GEODATA_MAX_IMPORT_MB")
    assert list(out.iterdir()) == []


def test_zip_total_and_member_limits(src, out, monkeypatch):
    incompressible = os.urandom(2 * 2**20)
    path = raw_zip(src, [("big.bin", incompressible)], "big.zip")
    monkeypatch.setenv("GEODATA_MAX_ZIP_MB", "1")
    with pytest.raises(LimitExceeded, match="would unpack to 2 MB, more than the limit of 1 MB") as err:
        import_file(path, out / "x.parquet", Limits.from_env())
    assert err.value.what == "max_zip_total_bytes" and "GEODATA_MAX_ZIP_MB" in cli_message(err.value)
    monkeypatch.delenv("GEODATA_MAX_ZIP_MB")
    many = raw_zip(src, [(f"f{i}.txt", "x") for i in range(12)], "many.zip")
    with pytest.raises(UserError, match="has 12 members, more than the limit of 5"):
        import_file(many, out / "x.parquet", Limits(max_zip_members=5))
    assert list(out.iterdir()) == []


def test_feature_limit(src, out):
    with pytest.raises(LimitExceeded, match="has 3 features, more than the limit of 2") as err:
        import_file(make("gpkg", src), out / "x.parquet", Limits(max_features=2))
    assert (err.value.what, err.value.limit, err.value.actual) == ("max_features", 2, 3)
    assert cli_message(err.value).endswith("raise it with GEODATA_MAX_IMPORT_FEATURES")


def test_bad_output_name_fails_before_reading(src, out):
    with pytest.raises(UserError, match=r"cannot tell the output format from 'x\.txt'"):
        import_file(make("gpkg", src), out / "x.txt", Limits())


def test_cli_file_import_and_one_line_errors(cli, src, out):
    path = make("shapefile-zip", src)
    code, stdout, err = cli("import", "file", str(path), "-o", str(out / "p.gpkg"), "--polygons")
    assert code == 0, err
    assert stdout.splitlines()[0].startswith("read 3 feature(s) from p.zip:p.shp")
    assert "wrote 3 feature(s)" in stdout
    code, stdout, err = cli("import", "file", str(src / "nope.geojson"), "-o", str(out / "q.gpkg"))
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1 and "does not exist" in err
    code, stdout, err = cli("import", "file", str(path), "-o", str(out / "q.gpkg"), "--bbox", "1,2,3")
    assert code == 1 and err.startswith("error: --bbox: '1,2,3': give four numbers W,S,E,N") and err.count("\n") == 1
    code, stdout, err = cli("import", "file", str(path), "-o", str(out / "q.gpkg"), "--no-such-flag")
    assert code == 2 and "unrecognized arguments: --no-such-flag (see --help)" in err and err.count("\n") == 1
    assert not (out / "q.gpkg").exists()


# ------------------------------------------------------------------ choices and CRS, worded per front end


def two_layers(d):
    """A GeoPackage with two layers, as QGIS or ogr2ogr writes it."""
    path = d / "two.gpkg"
    write(parcels(), path, "GPKG", layer="parcels")
    write(parcels().iloc[:1], path, "GPKG", layer="roads", append=True)
    return path


def test_several_layers_are_a_choice_with_the_names_as_data(src, out):
    path = two_layers(src)
    with pytest.raises(ChoiceNeeded) as err:
        import_file(path, out / "x.parquet", Limits())
    exc = err.value
    assert (exc.subject, exc.what, exc.choices, exc.given) == ("two.gpkg", "layer", ("parcels", "roads"), None)
    assert str(exc) == "two.gpkg has 2 layers (parcels, roads); choose one"
    assert list(out.iterdir()) == []
    import_file(path, out / "x.parquet", Limits(), layer=exc.choices[1])
    assert len(read_out(out / "x.parquet")) == 1
    with pytest.raises(ChoiceNeeded) as err:
        import_file(path, out / "y.parquet", Limits(), layer="rivers")
    assert err.value.given == "rivers" and err.value.choices == ("parcels", "roads")


def test_several_datasets_in_a_zip_are_a_choice(src, out):
    geojson = write(parcels().to_crs(4326), src / "a.geojson", "GeoJSON")
    fgb = write(parcels(), src / "b.fgb", "FlatGeobuf")
    archive = zip_folder([geojson, fgb], src / "both.zip")
    with pytest.raises(ChoiceNeeded) as err:
        import_file(archive, out / "x.parquet", Limits())
    assert (err.value.what, sorted(err.value.choices)) == ("member", ["a.geojson", "b.fgb"])
    assert cli_message(err.value).endswith("; pick one with --member")
    import_file(archive, out / "x.parquet", Limits(), member="b.fgb")
    assert len(read_out(out / "x.parquet")) == 3


def test_cli_names_the_layer_flag_for_a_two_layer_geopackage(cli, src, out):
    path = two_layers(src)
    code, stdout, err = cli("import", "file", str(path), "-o", str(out / "x.parquet"))
    assert code == 1 and stdout == ""
    assert err == "error: two.gpkg has 2 layers (parcels, roads); pick one with --layer\n"
    code, stdout, err = cli("import", "file", str(path), "-o", str(out / "x.parquet"), "--layer", "roads")
    assert code == 0, err
    assert "wrote 1 feature(s)" in stdout


def test_a_missing_crs_is_worded_per_front_end(cli, src, out):
    (src / "xy.csv").write_text("name,x,y\na,-1650000,1500000\n")
    with pytest.raises(CrsNeeded) as err:
        import_file(src / "xy.csv", out / "x.parquet", Limits())
    assert err.value.subject == "xy.csv" and err.value.example == "EPSG:5070" and not err.value.wrong
    assert str(err.value) == "xy.csv has 'x'/'y' columns but no CRS; give its CRS (e.g. EPSG:5070)"
    code, _, stderr = cli("import", "file", str(src / "xy.csv"), "-o", str(out / "x.parquet"))
    assert code == 1 and stderr.endswith("but no CRS; pass --crs (e.g. --crs EPSG:5070)\n")
    code, _, stderr = cli("import", "file", str(src / "xy.csv"), "-o", str(out / "x.parquet"), "--crs", "EPSG:5070")
    assert code == 0, stderr
