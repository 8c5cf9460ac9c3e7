"""A corpus of hostile and malformed input files, generated into a folder (nothing large is committed).

Each Case builds one file (or folder) and says what must happen to it: refused with a sentence
holding `words`, or accepted and read back right (`check`). The CLI tests and the upload tests
run the same cases, so both front ends are held to the same sentence.
"""

from __future__ import annotations

import json
import math
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
from pyproj import Transformer
from shapely.geometry import box

SQUARE = [[[-112.5, 33.5], [-112.4, 33.5], [-112.4, 33.6], [-112.5, 33.6], [-112.5, 33.5]]]
VRT = (
    '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
    "<GeometryType>wkbNone</GeometryType></OGRVRTLayer></OGRVRTDataSource>"
)
RASTER_VRT = '<VRTDataset rasterXSize="1" rasterYSize="1"><VRTRasterBand band="1"/></VRTDataset>'
MAGIC = {
    "png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "a PNG image"),
    "jpeg": (b"\xff\xd8\xff\xe0" + b"\0" * 64, "a JPEG image"),
    "gif": (b"GIF89a" + b"\0" * 64, "a GIF image"),
    "pdf": (b"%PDF-1.7\n" + b"\0" * 64, "a PDF document"),
    "tiff": (b"II*\x00" + b"\0" * 64, "a TIFF/GeoTIFF raster"),
    "gzip": (b"\x1f\x8b\x08\x00" + b"\0" * 64, "a gzip file"),
    "rar": (b"Rar!\x1a\x07\x00" + b"\0" * 64, "a RAR archive"),
    "7z": (b"7z\xbc\xaf\x27\x1c" + b"\0" * 64, "a 7-Zip archive"),
    "elf": (b"\x7fELF\x02\x01\x01" + b"\0" * 64, "a program"),
    "exe": (b"MZ\x90\x00" + b"\0" * 64, "a Windows program"),
    "rtf": (b"{\\rtf1\\ansi hello}", "an RTF document"),
    "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "an old Office document"),
}


@dataclass
class Case:
    id: str
    build: Callable[[Path], Path]
    words: str | None = None  # a refusal holds these words; None: accepted
    check: Callable[[gpd.GeoDataFrame], None] | None = None
    args: tuple[str, ...] = ()
    upload: bool = True  # the app's upload box takes it (a single file of an accepted type)
    tags: set[str] = field(default_factory=set)


# ------------------------------------------------------------------ writers


def text(name: str, body: str | bytes) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        p = d / name
        p.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
        return p

    return build


def fc(*geoms, props=None) -> str:
    feats = [
        {"type": "Feature", "properties": dict(props or {"name": f"f{i}"}), "geometry": g} for i, g in enumerate(geoms)
    ]
    return json.dumps({"type": "FeatureCollection", "features": feats}, allow_nan=True)


def polygon(rings) -> dict:
    return {"type": "Polygon", "coordinates": rings}


def parcels(n: int = 2, crs="EPSG:4326") -> gpd.GeoDataFrame:
    geoms = [box(-112.5 + i * 0.1, 33.5, -112.45 + i * 0.1, 33.55) for i in range(n)]
    return gpd.GeoDataFrame({"name": [f"p{i}" for i in range(n)]}, geometry=geoms, crs="EPSG:4326").to_crs(crs)


def gdal_file(name: str, driver: str, frame=None, **kw) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        p = d / name
        pyogrio.write_dataframe(parcels() if frame is None else frame(), p, driver=driver, **kw)
        return p

    return build


def truncated(build: Callable[[Path], Path], keep: float | int) -> Callable[[Path], Path]:
    def cut(d: Path) -> Path:
        p = build(d)
        data = p.read_bytes()
        n = keep if isinstance(keep, int) else int(len(data) * keep)
        p.write_bytes(data[:n])
        return p

    return cut


def parquet(name: str, frame=None, geo=None) -> Callable[[Path], Path]:
    """GeoParquet; `geo` edits the geo metadata (a function of the parsed dict, or bytes to store)."""

    def build(d: Path) -> Path:
        import pyarrow.parquet as pq

        p = d / name
        (parcels() if frame is None else frame()).to_parquet(p)
        if geo is not None:
            table = pq.read_table(p)
            meta = dict(table.schema.metadata)
            if callable(geo):
                doc = json.loads(meta[b"geo"])
                geo(doc)
                meta[b"geo"] = json.dumps(doc).encode()
            else:
                meta[b"geo"] = geo
            pq.write_table(table.replace_schema_metadata(meta), p)
        return p

    return build


def _drop_crs(doc):
    doc["columns"]["geometry"].pop("crs", None)


def _null_crs(doc):
    doc["columns"]["geometry"]["crs"] = None


def plain_parquet(d: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = d / "plain.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), p)
    return p


def gpkg_with_view(name: str, recursive: bool) -> Callable[[Path], Path]:
    """A GeoPackage whose only layer is an SQL view (a recursive one never ends)."""

    def build(d: Path) -> Path:
        p = d / name
        pyogrio.write_dataframe(parcels(), p, driver="GPKG", layer="base")
        con = sqlite3.connect(p)
        if recursive:
            body = (
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
                "SELECT b.fid AS fid, b.geom AS geom, r.n AS n FROM base b, r"
            )
        else:
            body = "SELECT fid, geom, name FROM base"
        con.execute(f"CREATE VIEW v AS {body}")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = 'base'")
        con.execute("UPDATE gpkg_geometry_columns SET table_name = 'v' WHERE table_name = 'base'")
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('v', 'features', 'v', 4326)"
        )
        con.commit()
        con.close()
        return p

    return build


def plain_sqlite(name: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        p = d / name
        con = sqlite3.connect(p)
        con.execute("CREATE TABLE t (a)")
        con.commit()
        con.close()
        return p

    return build


def zipped(name: str, entries: list[tuple[str, bytes | str]], compression=zipfile.ZIP_DEFLATED) -> Callable:
    def build(d: Path) -> Path:
        p = d / name
        with zipfile.ZipFile(p, "w", compression) as zf:
            for member, data in entries:
                zf.writestr(member, data)
        return p

    return build


def shapefile_zip(members: tuple[str, ...], name="p.zip") -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        folder = d / "shp"
        folder.mkdir()
        pyogrio.write_dataframe(parcels(), folder / "p.shp", driver="ESRI Shapefile")
        p = d / name
        with zipfile.ZipFile(p, "w") as zf:
            for ext in members:
                zf.write(folder / f"p.{ext}", f"p.{ext}")
        return p

    return build


def symlink_zip(d: Path) -> Path:
    p = d / "link.zip"
    with zipfile.ZipFile(p, "w") as zf:
        info = zipfile.ZipInfo("evil.geojson")
        info.external_attr = (0o120777 << 16) | 0
        zf.writestr(info, "/etc/passwd")
    return p


def special(path: str) -> Callable[[Path], Path]:
    return lambda d: Path(path)


def fifo(d: Path) -> Path:
    import os

    p = d / "pipe.geojson"
    os.mkfifo(p)
    return p


def broken_link(d: Path) -> Path:
    p = d / "gone.geojson"
    p.symlink_to(d / "nowhere.geojson")
    return p


def folder(d: Path) -> Path:
    p = d / "folder.gdb"
    p.mkdir()
    (p / "readme.txt").write_text("not a geodatabase")
    return p


def in_utm(lon: float, lat: float, epsg: int) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True).transform(lon, lat)


def antimeridian_parcel(d: Path) -> Path:
    """A 1 km square parcel in UTM zone 1N (EPSG:32601), its centre on 180° at 52°N."""
    x, y = in_utm(180.0, 52.0, 32601)
    frame = gpd.GeoDataFrame({"name": ["straddles"]}, geometry=[box(x - 500, y - 500, x + 500, y + 500)], crs=32601)
    p = d / "aleutian.parquet"
    frame.to_parquet(p)
    return p


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# ------------------------------------------------------------------ checks of accepted files


def names_are(*names):
    def check(gdf):
        assert list(gdf["name"]) == list(names), list(gdf["name"])

    return check


def close_to(lon: float, lat: float, tol: float = 1e-4):
    def check(gdf):
        c = gdf.geometry.iloc[0].centroid
        assert abs(c.x - lon) < tol and abs(c.y - lat) < tol, (c.x, c.y)

    return check


def parcels_back(gdf):
    assert len(gdf) == 2 and gdf.crs.to_epsg() == 4326
    gdf = gdf.sort_values("name")  # FlatGeobuf's spatial index may reorder features
    assert list(gdf["name"]) == ["p0", "p1"]
    assert abs(gdf.geometry.iloc[0].bounds[0] - -112.5) < 1e-6, gdf.geometry.iloc[0].bounds


def small_and_split(gdf):
    """Split at 180° into two parts, each small, the whole about 1 km² (geodesic)."""
    from pyproj import Geod

    g = gdf.geometry.iloc[0]
    assert g.geom_type == "MultiPolygon" and len(g.geoms) == 2, g.wkt[:200]
    for part in g.geoms:
        assert part.bounds[2] - part.bounds[0] < 0.02, part.bounds
    area = abs(Geod(ellps="WGS84").geometry_area_perimeter(g)[0])
    assert 0.97e6 < area < 1.03e6, area


def repaired_bowtie(gdf):
    assert len(gdf) == 1 and gdf.geometry.iloc[0].is_valid


def props_kept(expected: dict):
    def check(gdf):
        for k, v in expected.items():
            assert gdf[k].iloc[0] == v, (k, gdf[k].iloc[0])

    return check


# ------------------------------------------------------------------ the corpus


def _cases() -> list[Case]:
    ok_fc = fc(polygon(SQUARE))
    cases: list[Case] = []
    add = cases.append

    # content that is not what its name says, or no geodata at all (sniffed before GDAL opens it)
    for ext in ("geojson", "json", "gpkg", "kml", "csv", "fgb", "parquet"):
        add(Case(f"vrt-as-{ext}", text(f"x.{ext}", VRT), "a GDAL VRT file"))
    add(Case("raster-vrt-as-geojson", text("r.geojson", RASTER_VRT), "a GDAL VRT file"))
    add(Case("vrt-with-bom-and-blank-lines", text("b.geojson", "\ufeff\n\n  " + VRT), "a GDAL VRT file"))
    for kind, (head, what) in MAGIC.items():
        add(Case(f"{kind}-as-geojson", text(f"{kind}.geojson", head), f"it looks like {what}"))
    add(Case("html-as-kml", text("page.kml", "<!doctype html><html><body>hi</body></html>"), "not KML"))
    add(Case("xml-as-kml", text("doc.kml", "<?xml version='1.0'?><root/>"), "not KML"))
    add(Case("sqlite-as-gpkg", plain_sqlite("db.gpkg"), "an SQLite database that is not a GeoPackage"))
    add(Case("binary-as-csv", text("bin.csv", b"\xff\xfe\xfd\x00\x01garbage"), "binary data of an unknown kind"))
    add(Case("prose-as-csv", text("prose.csv", "just some words\nand more"), "plain text without columns"))
    for ext in ("geojson", "gpkg", "kml", "csv", "fgb", "parquet", "zip", "json"):
        add(Case(f"empty-{ext}", text(f"empty.{ext}", b""), "is empty (0 bytes)"))

    # GeoJSON
    add(
        Case(
            "unclosed-ring",
            text("unclosed.geojson", fc(polygon([[[0, 0], [1, 0], [1, 1], [0, 1]]]))),
            "feature 1: its geometry cannot be built",
        )
    )
    add(
        Case(
            "two-point-ring",
            text("two.geojson", fc(polygon([[[0, 0], [1, 0]]]))),
            "feature 1: its geometry cannot be built",
        )
    )
    add(
        Case(
            "three-point-ring",
            text("three.geojson", fc(polygon([[[0, 0], [1, 0], [0, 0]]]))),
            "no features left to import from three.geojson (repaired 1 invalid geometry",
        )
    )
    add(
        Case(
            "bad-ring-in-third-feature",
            text(
                "third.geojson",
                fc(polygon(SQUARE), polygon(SQUARE), polygon([[[0, 0], [1, 0], [1, 1]]])),
            ),
            "feature 3: its geometry cannot be built",
        )
    )
    add(
        Case(
            "nan-coordinate",
            text("nan.geojson", fc({"type": "Point", "coordinates": [math.nan, 33.5]})),
            "no features left to import from nan.geojson (dropped 1 feature(s): 1 without geometry)",
        )
    )
    add(
        Case(
            "nan-in-polygon",
            text("nanpoly.geojson", fc(polygon([[[-112.5, 33.5], [math.nan, 33.5], [-112.4, 33.6], [-112.5, 33.5]]]))),
            "NaN or infinite coordinate",
        )
    )
    add(
        Case(
            "infinity-literal",
            text("inf.geojson", fc({"type": "Point", "coordinates": [math.inf, 33.5]})),
            "inf.geojson",
        )
    )
    add(
        Case(
            "overflowing-number",
            text("big.geojson", ok_fc.replace("-112.5", "1e999", 1)),
            "could not be read",
        )
    )
    add(Case("deep-nesting", text("deep.geojson", deep_json(200_000)), "could not be read"))
    add(Case("truncated-geojson", text("cut.geojson", ok_fc[: len(ok_fc) // 2]), "could not be read"))
    add(Case("json-not-geojson", text("list.geojson", "[1, 2, 3]"), "could not be read"))
    legacy = json.loads(ok_fc)
    for label, crs_name in (
        ("unknown-code", "urn:ogc:def:crs:EPSG::999999"),
        ("made-up-name", "EPSG:not-a-code"),
        ("empty-name", ""),
    ):
        doc = {**legacy, "crs": {"type": "name", "properties": {"name": crs_name}}}
        add(Case(f"legacy-crs-{label}", text(f"legacy-{label}.geojson", json.dumps(doc)), "names the CRS"))
    x, y = in_utm(-112.0, 33.5, 32612)
    utm_doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32612"}},
        "features": [
            {"type": "Feature", "properties": {"name": "utm"}, "geometry": {"type": "Point", "coordinates": [x, y]}}
        ],
    }
    add(Case("legacy-crs-known", text("utm.geojson", json.dumps(utm_doc)), None, close_to(-112.0, 33.5)))
    add(
        Case(
            "legacy-crs-unknown-given",
            text(
                "legacy-given.geojson", json.dumps({**utm_doc, "crs": {"type": "name", "properties": {"name": "X:1"}}})
            ),
            None,
            close_to(-112.0, 33.5),
            args=("--crs", "EPSG:32612"),
            upload=False,
        )
    )
    add(
        Case(
            "metres-as-degrees",
            text("metres.geojson", fc({"type": "Point", "coordinates": [500000, 3700000]})),
            "out of range",
        )
    )
    add(Case("latitude-91", text("lat91.geojson", fc({"type": "Point", "coordinates": [-112, 91]})), "out of range"))
    add(Case("no-features", text("none.geojson", '{"type":"FeatureCollection","features":[]}'), "has no features"))
    add(Case("only-null-geometry", text("nulls.geojson", fc(None, None)), "no features left"))
    add(
        Case(
            "bowtie-repaired",
            text("bowtie.geojson", fc(polygon([[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]))),
            None,
            repaired_bowtie,
        )
    )
    hostile_props = {"name": "<script>alert(1)</script>", "note": "line one\nline two\x1b[31m", "=cmd": "=1+1"}
    add(
        Case(
            "hostile-properties",
            text("props.geojson", fc(polygon(SQUARE), props=hostile_props)),
            None,
            props_kept(hostile_props),
        )
    )
    add(Case("geojson-with-bom", text("bom.geojson", "\ufeff" + ok_fc), None, names_are("f0")))
    add(Case("geojson-seq-first-line", text("seq.geojson", "\x1e" + ok_fc), "has no features"))

    # CSV
    add(Case("csv-wide-header", text("wide.csv", ",".join(f"c{i}" for i in range(5000)) + "\n1\n"), "columns"))
    add(Case("csv-endless-header", text("long.csv", "lon,lat," + "x" * (5 * 2**20)), "header line is longer"))
    add(Case("csv-lon-not-number", text("word.csv", "lon,lat\nwest,33.5\n"), "'west' is not a number"))
    add(Case("csv-lon-infinite", text("inf.csv", "lon,lat\ninf,33.5\n"), "NaN or infinite coordinate"))
    add(Case("csv-lon-overflow", text("ovf.csv", "lon,lat\n1e999,33.5\n"), "NaN or infinite coordinate"))
    add(Case("csv-lon-nan-only", text("nan.csv", "lon,lat\nnan,33.5\n"), "row 2, column 'lon': 'nan' is not a number"))
    add(Case("csv-lon-out-of-range", text("far.csv", "lon,lat\n500,33.5\n"), "out of range"))
    add(Case("csv-bad-wkt", text("wkt.csv", "wkt\nPOLYGON((0 0, 1 1\n"), "not WKT", args=("--crs", "EPSG:4326")))
    add(Case("csv-wkt-without-crs", text("wktnocrs.csv", 'wkt\n"POINT (1 1)"\n'), "has a 'wkt' column but no CRS"))
    add(Case("csv-xy-without-crs", text("xy.csv", "x,y\n500000,3700000\n"), "has 'x'/'y' columns but no CRS"))
    add(Case("csv-header-only", text("head.csv", "lon,lat\n"), "has a header but no rows"))
    add(Case("csv-no-location", text("noloc.csv", "name,value\na,1\n"), "has no location columns"))
    add(Case("csv-nul-bytes", text("nul.csv", "lon,lat\n-112\x00,33.5\n"), "nul.csv"))
    add(Case("csv-latin1", text("latin.csv", "name,lon,lat\nJos\xe9,-112,33.5\n".encode("latin-1")), "binary data"))
    add(Case("csv-semicolons", text("semi.csv", "name;lon;lat\nsemi;-112;33.5\n"), None, close_to(-112, 33.5)))
    add(
        Case(
            "csv-formula-kept",
            text("formula.csv", "name,lon,lat\n=HYPERLINK(1),-112,33.5\n"),
            None,
            names_are("=HYPERLINK(1)"),
        )
    )
    add(
        Case(
            "csv-wkt-three-point-ring",
            text("ring.csv", 'wkt\n"POLYGON ((0 0, 1 0, 0 0))"\n'),
            "ring.csv",
            args=("--crs", "EPSG:4326"),
        )
    )

    # GeoPackage
    add(Case("gpkg-view", gpkg_with_view("view.gpkg", recursive=False), "is an SQL view"))
    add(Case("gpkg-recursive-view", gpkg_with_view("loop.gpkg", recursive=True), "is an SQL view", tags={"slow"}))
    add(Case("gpkg-truncated", truncated(gdal_file("t.gpkg", "GPKG"), 0.5), "corrupt"))
    add(Case("gpkg-header-only", truncated(gdal_file("h.gpkg", "GPKG"), 100), "corrupt"))
    add(Case("gpkg-ok", gdal_file("ok.gpkg", "GPKG"), None, parcels_back))
    add(
        Case(
            "gpkg-projected", gdal_file("utm.gpkg", "GPKG", frame=lambda: parcels(crs="EPSG:32612")), None, parcels_back
        )
    )

    # FlatGeobuf
    fgb = gdal_file("t.fgb", "FlatGeobuf")
    for keep in (12, 0.3, 0.6, -40):
        cut = truncated(fgb, keep) if keep > 0 else _cut_tail(fgb, -keep)
        add(Case(f"fgb-truncated-{keep}", cut, "corrupt or truncated"))
    add(Case("fgb-ok", gdal_file("ok.fgb", "FlatGeobuf"), None, parcels_back))

    # GeoParquet
    add(Case("parquet-crs-null", parquet("null.parquet", geo=_null_crs), "no coordinate reference system"))
    add(Case("parquet-crs-absent", parquet("absent.parquet", geo=_drop_crs), "no coordinate reference system"))
    add(
        Case(
            "parquet-crs-absent-given",
            parquet("given.parquet", geo=_drop_crs),
            None,
            parcels_back,
            args=("--crs", "EPSG:4326"),
            upload=False,
        )
    )
    add(Case("parquet-geo-not-json", parquet("junk.parquet", geo=b"{not json"), "damaged GeoParquet metadata"))
    add(Case("parquet-geo-no-primary", parquet("nop.parquet", geo=lambda d: d.pop("primary_column")), "damaged"))
    add(Case("parquet-not-geo", plain_parquet, "without GeoParquet metadata"))
    add(Case("parquet-truncated", truncated(parquet("cut.parquet"), 0.6), "corrupt or truncated Parquet"))
    add(Case("parquet-magic-only", text("magic.parquet", b"PAR1" + b"\0" * 32), "corrupt or truncated Parquet"))
    add(Case("parquet-projected", parquet("utm.parquet", frame=lambda: parcels(crs="EPSG:32612")), None, parcels_back))
    add(Case("parquet-antimeridian", antimeridian_parcel, None, small_and_split))

    # KML
    kml = '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>{}</Document></kml>'
    place = "<Placemark><name>k</name><Point><coordinates>-112,33.5</coordinates></Point></Placemark>"
    add(
        Case(
            "kml-xxe",
            text(
                "xxe.kml", '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]><kml>&x;</kml>'
            ),
            "declares a DOCTYPE",
        )
    )
    lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    add(
        Case(
            "kml-billion-laughs",
            text("lol.kml", f'<?xml version="1.0"?><!DOCTYPE kml [{lol}]><kml>&l9;</kml>'),
            "declares a DOCTYPE",
        )
    )
    add(Case("kml-not-well-formed", text("bad.kml", kml.format(place)[:-20]), "not well-formed XML"))
    add(Case("kml-ok", text("ok.kml", kml.format(place)), None, close_to(-112, 33.5)))
    add(
        Case(
            "kmz-xxe",
            zipped("x.kmz", [("doc.kml", '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]><kml>&x;</kml>')]),
            "declares a DOCTYPE",
        )
    )

    # zip archives
    add(Case("zip-slip", zipped("slip.zip", [("../evil.geojson", ok_fc)]), "would be written outside its folder"))
    add(Case("zip-absolute", zipped("abs.zip", [("/tmp/evil.geojson", ok_fc)]), "would be written outside its folder"))
    add(
        Case(
            "zip-drive-letter", zipped("drive.zip", [("C:/evil.geojson", ok_fc)]), "would be written outside its folder"
        )
    )
    add(Case("zip-bomb", zipped("bomb.zip", [("bomb.geojson", b"0" * (30 * 2**20))]), "possible zip bomb"))
    add(Case("zip-nothing-inside", zipped("none.zip", [("readme.txt", "hello")]), "holds no geodata file we accept"))
    add(Case("zip-two-datasets", zipped("two.zip", [("a.geojson", ok_fc), ("b.geojson", ok_fc)]), "has 2 datasets"))
    add(Case("zip-vrt-inside", zipped("vrt.zip", [("x.geojson", VRT)]), "a GDAL VRT file"))
    add(Case("zip-symlink", symlink_zip, "link"))
    add(Case("zip-truncated", truncated(zipped("cut.zip", [("a.geojson", ok_fc * 50)]), 0.5), "zip"))
    add(Case("shapefile-without-prj", shapefile_zip(("shp", "shx", "dbf")), "no coordinate reference system"))
    add(Case("shapefile-without-dbf", shapefile_zip(("shp", "shx", "prj")), "comes without p.dbf"))
    add(Case("shapefile-ok", shapefile_zip(("shp", "shx", "dbf", "prj")), None, parcels_back))

    # names: whatever a file is called, it imports, and a refusal stays one line
    for label, name in (
        ("shell-substitution", "$(touch pwned).geojson"),
        ("shell-operators", "a;b&c|d>e.geojson"),
        ("backquotes-and-quotes", "`id`'\"q.geojson"),
        ("newline", "two\nlines.geojson"),
        ("tab-and-cr", "tab\tcr\r.geojson"),
        ("escape-sequence", "\x1b[31mred.geojson"),
        ("unicode", "ünïcødé 名前.geojson"),
        ("glob", "*?[a].geojson"),
    ):
        add(Case(f"name-{label}", text(name, ok_fc), None, names_are("f0")))
    add(Case("name-newline-refused", text("bad\nname.geojson", VRT), "a GDAL VRT file"))
    add(Case("name-escape-refused", text("\x1b[2Jclear.csv", "lon,lat\n"), "has a header but no rows"))

    # paths that are not regular files
    add(Case("dev-zero", special("/dev/zero"), "not a regular file", upload=False))
    add(Case("dev-null", special("/dev/null"), "not a regular file", upload=False))
    add(Case("fifo", fifo, "not a regular file", upload=False))
    add(Case("broken-symlink", broken_link, "not a regular file", upload=False))
    add(Case("folder-not-gdb", folder, "a folder that is not a File Geodatabase", upload=False))
    add(Case("missing", special("/nonexistent/x.geojson"), "does not exist", upload=False))
    add(Case("vsi-path", special("/vsicurl/http://127.0.0.1:9/x.geojson"), "does not exist", upload=False))
    return cases


def _cut_tail(build: Callable[[Path], Path], n: int) -> Callable[[Path], Path]:
    def cut(d: Path) -> Path:
        p = build(d)
        p.write_bytes(p.read_bytes()[:-n])
        return p

    return cut


CASES = _cases()
