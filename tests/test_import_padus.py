"""`import padus` on PAD-US 4.1-shaped data in each published format, read through GDAL/pyarrow.

The fixture follows the 4.1 schema (USGS's PAD-US 4.1 data dictionary) and CRS (USA Contiguous Albers,
USGS version, ESRI:102039): federal, state and private land in AZ, NM and UT.
"""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Polygon

from geodata.importers.limits import Limits
from geodata.importers.padus import import_padus
from geodata.problems import ChoiceNeeded, UserError

ROWS = [
    # Unit_Nm, Mang_Type, Mang_Name, Des_Tp, State_Nm, Pub_Access, GAP_Sts, ring (lon/lat)
    (
        "Hassayampa Field Office",
        "FED",
        "BLM",
        "PUB",
        "AZ",
        "OA",
        "3",
        [(-112.60, 33.80), (-112.40, 33.78), (-112.38, 33.95), (-112.55, 34.00)],
    ),
    (
        "Agua Fria National Monument",
        "FED",
        "BLM",
        "NM",
        "AZ",
        "OA",
        "2",
        [(-112.15, 34.05), (-111.98, 34.05), (-111.99, 34.30), (-112.14, 34.28)],
    ),
    (
        "Tonto National Forest",
        "FED",
        "USFS",
        "NF",
        "AZ",
        "OA",
        "3",
        [(-111.90, 33.70), (-111.60, 33.70), (-111.60, 34.20), (-111.90, 34.20)],
    ),
    (
        "State Trust Land",
        "STAT",
        "SLB",
        "SOTH",
        "AZ",
        "XA",
        "4",
        [(-112.25, 33.70), (-112.10, 33.70), (-112.10, 33.80), (-112.25, 33.80)],
    ),
    (
        "Los Alamos National Laboratory",
        "FED",
        "DOE",
        "MIL",
        "NM",
        "XA",
        "4",
        [(-106.35, 35.82), (-106.22, 35.82), (-106.22, 35.92), (-106.35, 35.92)],
    ),
    (
        "Dugway Proving Ground",
        "FED",
        "DOD",
        "MIL",
        "UT",
        "XA",
        "4",
        [(-113.2, 40.1), (-112.8, 40.1), (-112.8, 40.3), (-113.2, 40.3)],
    ),
    (
        "Private ranch",
        "PVT",
        "PVT",
        "UNK",
        "AZ",
        "XA",
        "4",
        [(-112.0, 33.9), (-111.95, 33.9), (-111.95, 33.95), (-112.0, 33.95)],
    ),
    (
        "Table Mesa (self-intersecting)",
        "FED",
        "BLM",
        "REC",
        "AZ",
        "OA",
        "3",
        [(-112.22, 33.92), (-112.08, 34.06), (-112.08, 33.92), (-112.22, 34.06)],
    ),
]


def padus_frame() -> gpd.GeoDataFrame:
    data = {
        k: []
        for k in (
            "Category",
            "Own_Type",
            "Own_Name",
            "Mang_Type",
            "Mang_Name",
            "Des_Tp",
            "Unit_Nm",
            "Loc_Nm",
            "State_Nm",
            "GIS_Acres",
            "Pub_Access",
            "GAP_Sts",
        )
    }
    geoms = []
    for unit, mtype, mname, des, state, access, gap, ring in ROWS:
        for k, v in (
            ("Category", "Fee"),
            ("Own_Type", mtype),
            ("Own_Name", mname),
            ("Mang_Type", mtype),
            ("Mang_Name", mname),
            ("Des_Tp", des),
            ("Unit_Nm", unit),
            ("Loc_Nm", unit),
            ("State_Nm", state),
            ("GIS_Acres", 1000),
            ("Pub_Access", access),
            ("GAP_Sts", gap),
        ):
            data[k].append(v)
        geoms.append(Polygon(ring))
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326").to_crs("ESRI:102039")


def build(fmt: str, d):
    g = padus_frame()
    if fmt == "gdb":
        path = d / "PADUS4_1_StateAZ.gdb"
        pyogrio.write_dataframe(g, path, driver="OpenFileGDB", layer="PADUS4_1Fee_State_AZ")
        pyogrio.write_dataframe(
            g.head(2), path, driver="OpenFileGDB", layer="PADUS4_1Designation_State_AZ", append=True
        )
        return path
    if fmt == "gdb-zip":
        gdb = build("gdb", d)
        archive = d / "PADUS4_1_State_AZ_GDB_KMZ.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in gdb.iterdir():
                zf.write(f, f"{gdb.name}/{f.name}")
        return archive
    if fmt == "gpkg":
        path = d / "padus.gpkg"
        pyogrio.write_dataframe(g, path, driver="GPKG", layer="PADUS4_1Fee")
        return path
    if fmt == "shp-zip":
        pyogrio.write_dataframe(g, d / "PADUS4_1Fee.shp", driver="ESRI Shapefile")
        archive = d / "padus_shp.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                zf.write(d / f"PADUS4_1Fee.{ext}", f"PADUS4_1Fee.{ext}")
        return archive
    if fmt == "geojson":
        path = d / "padus.geojson"
        pyogrio.write_dataframe(g.to_crs(4326), path, driver="GeoJSON")
        return path
    if fmt == "parquet":  # like source.coop's per-state GeoParquet: CRS84 with a bbox covering
        path = d / "data.parquet"
        g.to_crs("OGC:CRS84").to_parquet(path, write_covering_bbox=True)
        return path
    raise KeyError(fmt)


FORMATS = ["gdb", "gdb-zip", "gpkg", "shp-zip", "geojson", "parquet"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_keeps_federal_land_decoded_in_wgs84(tmp_path, fmt):
    path = build(fmt, tmp_path)
    out = tmp_path / "federal.parquet"
    report = import_padus(path, out, Limits())
    back = gpd.read_parquet(out)
    federal = {r[0] for r in ROWS if r[1] == "FED"}
    assert set(back["unit_name"]) == federal
    assert set(back["manager_type"]) == {"FED"}
    assert back.crs.to_epsg() == 4326 and back.geometry.is_valid.all()
    row = back[back["unit_name"] == "Agua Fria National Monument"].iloc[0]
    assert row["manager_name"] == "Bureau of Land Management" and row["designation_name"] == "National Monument"
    assert row["public_access"] == "Open" and row["state"] == "AZ"
    assert row["gap_status"].startswith("2: managed for biodiversity")
    lines = " ".join(report.lines())
    assert f"read {len(ROWS)} feature(s)" in lines and f"kept {len(federal)} federal (Mang_Type FED)" in lines
    assert "repaired 1 invalid geometry" in lines
    expected = padus_frame().to_crs(4326).set_index("Unit_Nm")
    got = back.set_index("unit_name").geometry["Tonto National Forest"]
    assert got.symmetric_difference(expected.geometry["Tonto National Forest"]).area < 1e-9


def test_state_agency_and_bbox_filters(tmp_path):
    path = build("gdb", tmp_path)
    out = tmp_path / "az_blm.gpkg"
    box = (-112.8, 33.65, -111.95, 34.35)
    report = import_padus(path, out, Limits(), states=["AZ"], agencies=["BLM"], bbox=box)
    back = gpd.read_file(out)
    assert set(back["unit_name"]) == {
        "Hassayampa Field Office",
        "Agua Fria National Monument",
        "Table Mesa (self-intersecting)",
    }
    minx, miny, maxx, maxy = back.total_bounds
    assert minx >= box[0] and miny >= box[1] and maxx <= box[2] and maxy <= box[3]
    assert any("in AZ" in f for f in report.filters) and any("managed by BLM" in f for f in report.filters)


def test_geodatabase_layer_choice(tmp_path):
    path = build("gdb", tmp_path)
    import_padus(path, tmp_path / "fee.parquet", Limits())
    assert len(gpd.read_parquet(tmp_path / "fee.parquet")) == sum(r[1] == "FED" for r in ROWS)
    import_padus(path, tmp_path / "desig.parquet", Limits(), layer="PADUS4_1Designation_State_AZ")
    assert len(gpd.read_parquet(tmp_path / "desig.parquet")) == 2
    with pytest.raises(ChoiceNeeded, match=r"has no layer 'Nope' \(layers: PADUS4_1Fee_State_AZ") as err:
        import_padus(path, tmp_path / "x.parquet", Limits(), layer="Nope")
    assert err.value.what == "layer" and err.value.given == "Nope"
    assert "PADUS4_1Designation_State_AZ" in err.value.choices


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"states": ["ZZ"]}, "state: ZZ not a US state code"),
        ({"states": ["WY"]}, "no federal land in"),
        ({"bbox": (-80.0, 30.0, -79.0, 31.0)}, "no features in the box"),
    ],
)
def test_filters_that_match_nothing_write_nothing(tmp_path, kwargs, words):
    path = build("gpkg", tmp_path)
    with pytest.raises(UserError, match=words):
        import_padus(path, tmp_path / "out.parquet", Limits(), **kwargs)
    assert not (tmp_path / "out.parquet").exists()


def test_a_file_that_is_not_padus(tmp_path):
    g = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Polygon([(0, 0), (1, 0), (1, 1)])], crs="EPSG:4326")
    g.to_file(tmp_path / "other.gpkg")
    with pytest.raises(UserError, match=r"is not a PAD-US layer: missing Mang_Type, Mang_Name, Unit_Nm, State_Nm"):
        import_padus(tmp_path / "other.gpkg", tmp_path / "out.parquet", Limits())
    assert not (tmp_path / "out.parquet").exists()


def test_cli_padus(cli, tmp_path):
    path = build("gdb-zip", tmp_path)
    code, out, err = cli(
        "import", "padus", str(path), "-o", str(tmp_path / "p.parquet"), "--state", "AZ,NM", "--agency", "BLM,DOE"
    )
    assert code == 0, err
    assert "kept 6 federal (Mang_Type FED)" in out and "managed by BLM, DOE" in out
    assert set(gpd.read_parquet(tmp_path / "p.parquet")["manager"]) == {"BLM", "DOE"}
    code, out, err = cli("import", "padus", str(path), "-o", str(tmp_path / "q.parquet"), "--agency", "NASA")
    assert code == 1 and err.startswith("error: --agency: 'NASA' is not one of") and err.count("\n") == 1
    code, out, err = cli("import", "padus", str(path), "-o", str(tmp_path / "q.parquet"), "--state", "ZZ")
    assert code == 1 and err == "error: --state: ZZ not a US state code\n"
