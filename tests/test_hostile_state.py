"""Hostile state and arguments: broken shortlist stores, files planted in the data folders, output paths
that are not files, numbers that are not finite, catalogs built to forge or hide problems.

Each case is refused in one line with a non-zero exit and leaves what the user had as it was, or is
accepted and read back right.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from geodata.layers.store import LayerStore, read_layer
from geodata.problems import UserError
from geodata.shortlists.store import APPLICATION_ID, SCHEMA, ShortlistStore

from . import hostile
from .conftest import ROOT
from .test_hostile_files import one_line_refusal
from .test_hostile_upload import PANEL

OK_GEOJSON = hostile.fc(hostile.polygon(hostile.SQUARE))


def ok_file(d):
    p = d / "ok.geojson"
    p.write_text(OK_GEOJSON)
    return p


def snapshot(folder):
    """Every file in `folder` with its bytes' digest: what must not change."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir" for p in sorted(folder.iterdir())
    }


# ------------------------------------------------------------------ the shortlist store


def _sqlite(path, *statements):
    con = sqlite3.connect(path)
    for s in statements:
        con.execute(s)
    con.commit()
    con.close()


def _own_store(home):
    ShortlistStore(home).create("Mine")
    return home / "shortlists.sqlite"


def _damaged(home):
    path = _own_store(home)
    data = bytearray(path.read_bytes())
    data[4096 : 4096 + 64] = b"\xff" * 64  # the first table page: garbage
    path.write_bytes(bytes(data))
    return path


def _truncated(home):
    path = _own_store(home)
    path.write_bytes(path.read_bytes()[:3000])
    return path


STORES = {
    "zero-length": (lambda h: (h / "shortlists.sqlite").write_bytes(b""), "is empty (0 bytes)"),
    "another-programs-app-id": (
        lambda h: _sqlite(h / "shortlists.sqlite", "PRAGMA application_id = 1234", "CREATE TABLE notes (t)"),
        "belongs to another program",
    ),
    "another-programs-tables": (
        lambda h: _sqlite(h / "shortlists.sqlite", "CREATE TABLE notes (t)", "INSERT INTO notes VALUES ('x')"),
        "not a shortlist store (tables: notes)",
    ),
    "some-of-our-tables": (
        lambda h: _sqlite(h / "shortlists.sqlite", "CREATE TABLE shortlists (id)", "CREATE TABLE meta (k)"),
        "not a shortlist store (tables: meta, shortlists)",
    ),
    "sqlite-without-tables": (
        lambda h: _sqlite(h / "shortlists.sqlite", "PRAGMA user_version = 7"),
        "not a shortlist store (tables: none)",
    ),
    "text-file": (lambda h: (h / "shortlists.sqlite").write_text("my notes\n"), "is not an SQLite database"),
    "random-bytes": (lambda h: (h / "shortlists.sqlite").write_bytes(os.urandom(4096)), "is not an SQLite database"),
    "header-only": (lambda h: (h / "shortlists.sqlite").write_bytes(b"SQLite format 3\x00"), "not an SQLite database"),
    "truncated": (_truncated, "shortlists.sqlite"),
    "damaged-page": (_damaged, "shortlists.sqlite"),
    "a-folder": (lambda h: (h / "shortlists.sqlite").mkdir(), "is not a regular file"),
}


@pytest.mark.parametrize("case", list(STORES))
@pytest.mark.parametrize("command", [("shortlist", "list"), ("shortlist", "create", "New")])
def test_a_store_that_is_not_ours_or_is_damaged_is_reported_and_left_byte_for_byte(cli, tmp_path, case, command):
    home = tmp_path / "home"
    home.mkdir()
    make, words = STORES[case]
    make(home)
    before = snapshot(home)
    code, out, err = cli(*command, "--home", str(home))
    line = one_line_refusal(code, out, err, words)
    assert "left as it is" in line or case in ("truncated", "damaged-page"), line
    assert snapshot(home) == before, "the store (and the folder) are exactly as they were"


def test_a_store_made_before_the_application_id_is_still_ours(cli, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    _sqlite(home / "shortlists.sqlite", *SCHEMA.strip().split(";\n")[:-1], "PRAGMA journal_mode=WAL")
    code, _out, err = cli("shortlist", "create", "Old", "--home", str(home))
    assert code == 0, err
    con = sqlite3.connect(home / "shortlists.sqlite")
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    con.close()


def test_the_app_reports_a_refused_store_in_one_line_and_leaves_it(monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "shortlists.sqlite").write_bytes(b"")
    monkeypatch.setenv("GEODATA_HOME", str(home))
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90)
    at.session_state["atlas_tab"] = "Shortlist"  # where the shortlists are (only the open tab runs)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(e.value for e in at.error).replace("\\", "")
    assert "shortlists.sqlite is empty (0 bytes)" in text and "left as it is" in text, text
    assert "Something went wrong" not in text
    assert (home / "shortlists.sqlite").read_bytes() == b""


def test_a_store_of_a_later_version_with_more_tables_is_still_ours(cli, tmp_path):
    home = tmp_path / "home"
    ShortlistStore(home).create("Kept")
    _sqlite(home / "shortlists.sqlite", "CREATE TABLE a_later_feature (t)")
    code, out, err = cli("shortlist", "list", "--home", str(home))
    assert code == 0 and "Kept" in out, err


def test_a_new_store_carries_our_application_id_and_is_never_seen_empty(tmp_path):
    home = tmp_path / "home"
    ShortlistStore(home)
    head = (home / "shortlists.sqlite").read_bytes()[:100]
    assert int.from_bytes(head[68:72], "big") == APPLICATION_ID
    assert sorted(p.name for p in home.iterdir() if p.name.startswith(".shortlists-")) == []


# ------------------------------------------------------------------ files planted in the data folders


def _planted(name, build):
    def plant(layers):
        p = build(layers)
        if p.name != name:
            p.rename(layers / name)
        return layers / name

    return plant


PLANTED = {
    "vrt-named-geojson": (_planted("x.geojson", hostile.text("x.geojson", hostile.VRT)), "a GDAL VRT file"),
    "vrt-named-parquet": (_planted("y.parquet", hostile.text("y.parquet", hostile.VRT)), "a GDAL VRT file"),
    "csv-named-geojson": (_planted("c.geojson", hostile.text("c.geojson", "lon,lat\n1,2\n")), "not what its name says"),
    "png-named-fgb": (_planted("p.fgb", hostile.text("p.fgb", hostile.MAGIC["png"][0])), "a PNG image"),
    "kml-named-geojson": (
        _planted("k.geojson", hostile.text("k.geojson", "<kml xmlns='http://www.opengis.net/kml/2.2'/>")),
        "not what its name says",
    ),
    "empty-parquet": (_planted("e.parquet", hostile.text("e.parquet", b"")), "is empty"),
    "sqlite-named-gpkg": (_planted("s.gpkg", hostile.plain_sqlite("s.gpkg")), "not a GeoPackage"),
}
BROKEN = {
    "parquet-without-crs": (hostile.parquet("nocrs.parquet", geo=hostile._drop_crs), "no coordinate reference system"),
    "parquet-corrupt": (hostile.truncated(hostile.parquet("cut.parquet"), 0.6), "corrupt or truncated Parquet"),
    "parquet-not-geo": (hostile.plain_parquet, "without GeoParquet metadata"),
    "gpkg-view": (hostile.gpkg_with_view("view.gpkg", recursive=True), "is an SQL view"),
    "fgb-truncated": (hostile.truncated(hostile.gdal_file("t.fgb", "FlatGeobuf"), 0.6), "corrupt or truncated"),
    "geojson-bad-ring": (
        hostile.text("ring.geojson", hostile.fc(hostile.polygon([[[0, 0], [1, 0]]]))),
        "its geometry cannot be built",
    ),
    "geojson-metres": (
        hostile.text("m.geojson", hostile.fc({"type": "Point", "coordinates": [500000, 3700000]})),
        "out of range",
    ),
}


@pytest.mark.parametrize("case", list(PLANTED))
def test_a_planted_file_of_the_wrong_kind_is_not_listed_and_says_why(tmp_path, case):
    layers = tmp_path / "home" / "layers"
    layers.mkdir(parents=True)
    build, words = PLANTED[case]
    path = build(layers)
    store = LayerStore(tmp_path / "home")
    assert store.list() == []
    [why] = store.refused()
    assert words in why and "\n" not in why, why
    with pytest.raises(UserError) as err:
        read_layer(path)
    assert words in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_layer_file_is_refused_in_one_line_when_read(tmp_path, case):
    layers = tmp_path / "home" / "layers"
    layers.mkdir(parents=True)
    build, words = BROKEN[case]
    path = build(layers)
    with pytest.raises(UserError) as err:
        read_layer(path)
    text = str(err.value)
    assert text.startswith(f"the layer file {path} cannot be shown: ") and words in text, text
    assert text.endswith("; delete it or import it again") and "\n" not in text


def test_a_vrt_in_the_layers_folder_reads_nothing_through_the_cli(cli, tmp_path):
    """The reported scenario: a VRT named x.geojson in layers/, then a parcel id of it on a shortlist."""
    home = tmp_path / "home"
    (home / "layers").mkdir(parents=True)
    (home / "layers" / "x.geojson").write_text(hostile.VRT)
    assert cli("shortlist", "create", "S", "--home", str(home))[0] == 0
    code, out, err = cli("shortlist", "add", "S", "x:x-1", "--home", str(home))
    one_line_refusal(code, out, err, "x:x-1")
    assert "root:" not in err


def test_a_broken_layer_on_a_shortlist_is_one_line_in_the_cli(cli, tmp_path):
    home = tmp_path / "home"
    layers = home / "layers"
    layers.mkdir(parents=True)
    hostile.parcels().to_parquet(layers / "mine.parquet")
    assert cli("shortlist", "create", "S", "--home", str(home))[0] == 0
    (layers / "mine.parquet").write_bytes((layers / "mine.parquet").read_bytes()[:300])
    code, out, err = cli("shortlist", "add", "S", "mine:mine-1", "--home", str(home))
    one_line_refusal(code, out, err, "cannot be shown")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (lambda p: p.write_bytes(b"PAR1" + b"\0" * 40), "corrupt or truncated Parquet"),
        (lambda p: p.write_text(hostile.VRT), "a GDAL VRT file"),
        (lambda p: hostile.parcels().to_parquet(p) or _drop_crs_in_place(p), "no coordinate reference system"),
    ],
    ids=["corrupt", "vrt", "no-crs"],
)
def test_a_broken_reference_layer_is_one_line_in_score(cli, tmp_path, content, words):
    home = tmp_path / "home"
    (home / "reference").mkdir(parents=True)
    content(home / "reference" / "interstates.parquet")
    code, out, err = cli("score", "--home", str(home))
    line = one_line_refusal(code, out, err, words)
    assert line.startswith("the reference layer ") and "interstates.parquet" in line


def _drop_crs_in_place(path):
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = dict(table.schema.metadata)
    geo = json.loads(meta[b"geo"])
    geo["columns"]["geometry"].pop("crs", None)
    meta[b"geo"] = json.dumps(geo).encode()
    pq.write_table(table.replace_schema_metadata(meta), path)


def test_the_app_names_a_broken_layer_and_draws_the_rest(monkeypatch, tmp_path):
    home = tmp_path / "home"
    layers = home / "layers"
    layers.mkdir(parents=True)
    hostile.parcels().to_parquet(layers / "good.parquet")
    (layers / "bad.geojson").write_text(hostile.VRT)
    hostile.truncated(hostile.parquet("cut.parquet"), 0.6)(layers)
    monkeypatch.setenv("GEODATA_HOME", str(home))
    at = AppTest.from_string(
        "import streamlit as st\n" + PANEL + "st.write([i.name for i in layers_panel.visible()])\n"
    )
    at.run(timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    [warning] = at.warning
    text = warning.value.replace("\\", "")  # markdown escapes
    assert "bad.geojson" in text and "a GDAL VRT file" in text
    assert "cut.parquet" in text and "corrupt or truncated Parquet" in text
    assert "good" in " ".join(m.value for m in at.markdown) or any("good" in str(j.value) for j in at.json)


# ------------------------------------------------------------------ outputs


def _char_device(d):
    node = d / "copy-of-null.parquet"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    return node


def _fifo(d):
    node = d / "pipe.parquet"
    os.mkfifo(node)
    return node


OUTPUTS = {
    "char-device": (_char_device, "is not a regular file"),
    "fifo": (_fifo, "is not a regular file"),
    "folder": (lambda d: (d / "dir.parquet").mkdir() or d / "dir.parquet", "it is a folder"),
    "missing-folder": (lambda d: d / "nope" / "x.parquet", "does not exist"),
    "unknown-extension": (lambda d: d / "x.txt", "cannot tell the output format"),
    "proc": (lambda d: __import__("pathlib").Path("/proc/geodata-test.parquet"), "cannot write /proc/geodata-test"),
    "proc-self": (lambda d: __import__("pathlib").Path("/proc/self/geodata.parquet"), "cannot write"),
    "broken-link": (lambda d: (d / "l.parquet").symlink_to(d / "nowhere" / "x") or d / "l.parquet", "cannot write"),
}


@pytest.mark.parametrize("case", list(OUTPUTS))
def test_an_output_that_is_not_a_file_is_refused_and_left_as_it_was(cli, tmp_path, case):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    make, words = OUTPUTS[case]
    target = make(out)
    kind = os.lstat(target).st_mode if os.path.lexists(target) else None
    before = snapshot(out) if case not in ("char-device", "fifo") else sorted(p.name for p in out.iterdir())
    code, stdout, err = cli("import", "file", str(ok_file(src)), "-o", str(target))
    one_line_refusal(code, stdout, err, words)
    if kind is not None:
        assert os.lstat(target).st_mode == kind, "the device, pipe or link is still what it was"
    after = snapshot(out) if case not in ("char-device", "fifo") else sorted(p.name for p in out.iterdir())
    assert after == before


def test_export_over_a_device_node_is_refused(cli, tmp_path):
    node = _char_device(tmp_path)
    code, out, err = cli("export", "sites", "--format", "csv", "-o", str(node.with_suffix(".csv")))
    assert code == 0  # a new path: written
    csv_node = tmp_path / "dev.csv"
    os.mknod(csv_node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    code, out, err = cli("export", "sites", "--format", "csv", "-o", str(csv_node))
    one_line_refusal(code, out, err, "is not a regular file")
    assert stat.S_ISCHR(os.lstat(csv_node).st_mode)


def test_the_documented_import_into_a_fresh_data_folder_works(cli, tmp_path, monkeypatch):
    home = tmp_path / "fresh-home"
    monkeypatch.setenv("GEODATA_HOME", str(home))
    code, _out, err = cli("import", "file", str(ok_file(tmp_path)), "-o", str(home / "layers" / "mine.parquet"))
    assert code == 0, err
    [info] = LayerStore(home).list()
    assert info.name == "mine" and len(read_layer(info.path)) == 1


def test_an_existing_output_file_is_replaced_whole(cli, tmp_path):
    target = tmp_path / "x.parquet"
    target.write_bytes(b"old")
    code, _out, err = cli("import", "file", str(ok_file(tmp_path)), "-o", str(target))
    assert code == 0, err
    assert len(gpd.read_parquet(target)) == 1 and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# ------------------------------------------------------------------ numbers that are not finite


NUMBERS = [
    (("import", "file", "{ok}", "-o", "{out}", "--max-mb", "nan"), "is not a finite number"),
    (("import", "file", "{ok}", "-o", "{out}", "--max-mb", "inf"), "is not a finite number"),
    (("import", "file", "{ok}", "-o", "{out}", "--max-mb", "-inf"), "expected one argument"),
    (("import", "file", "{ok}", "-o", "{out}", "--max-mb", "1e309"), "is not a finite number"),
    (("import", "file", "{ok}", "-o", "{out}", "--max-mb", "lots"), "is not a number"),
    (("import", "transmission", "{ok}", "--min-kv", "nan"), "is not a finite number"),
    (("import", "power-plants", "{ok}", "--min-mw", "inf"), "is not a finite number"),
    (("approx-polygon", "-112", "33", "inf"), "is not a finite number"),
    (("approx-polygon", "-112", "33", "nan"), "is not a finite number"),
    (("approx-polygon", "-112", "33", "1e300"), "at most 1,000,000,000"),
    (("approx-polygon", "-112", "33", "0"), "greater than 0"),
    (("approx-polygon", "-112", "33", "-5"), "greater than 0"),
    (("approx-polygon", "nan", "33"), "is not a finite number"),
    (("approx-polygon", "-112", "1e999"), "is not a finite number"),
    (("list", "investments", "--min-amount", "1e309"), "more than any amount"),
    (("list", "investments", "--min-amount", "inf"), "--min-amount"),
    (("list", "investments", "--min-amount", "nan"), "--min-amount"),
    (("list", "investments", "--min-amount", "2000T"), "more than any amount"),
]


@pytest.mark.parametrize(("args", "words"), NUMBERS, ids=[" ".join(a[:1] + a[-2:]) for a, _ in NUMBERS])
def test_numbers_that_are_not_finite_are_refused(cli, tmp_path, args, words):
    ok = ok_file(tmp_path)
    out = tmp_path / "o.parquet"
    code, stdout, err = cli(*(a.format(ok=ok, out=out) for a in args))
    assert code in (1, 2), (code, err)
    assert err.count("\n") == 1 and err.startswith("error: ") and words in err, err
    assert stdout == "" and "Infinity" not in stdout and not out.exists()


def test_a_large_acreage_within_the_bound_prints_finite_json(cli):
    code, out, err = cli("approx-polygon", "-112", "33", "1e9")
    assert code == 0, err
    assert "Infinity" not in out and "NaN" not in out
    json.loads(out)


@pytest.mark.parametrize("value", ["inf", "nan", "1e309", "-1"])
def test_a_limit_setting_that_is_not_a_finite_positive_number_is_one_line(cli, tmp_path, monkeypatch, value):
    monkeypatch.setenv("GEODATA_MAX_IMPORT_MB", value)
    code, out, err = cli("import", "file", str(ok_file(tmp_path)), "-o", str(tmp_path / "o.parquet"))
    one_line_refusal(code, out, err, "GEODATA_MAX_IMPORT_MB")
    assert not (tmp_path / "o.parquet").exists()


# ------------------------------------------------------------------ catalogs built to forge or hide problems


def test_a_newline_in_a_record_id_cannot_forge_a_problem_line(cli, catalog_copy):
    forged = "x\nsites.geojson: fake-site (feature 9): name: forged problem"
    doc = catalog_copy.sites()
    doc["features"][0]["properties"]["id"] = forged
    catalog_copy.write_sites(doc)
    code, out, err = cli("validate", "--catalog", str(catalog_copy.dir))
    assert code == 1
    lines = out.splitlines()
    assert not any(line.startswith("sites.geojson: fake-site") for line in lines), lines
    assert int(err.split()[0]) == len(lines), (err, lines)
    assert any("x\\nsites.geojson: fake-site" in line for line in lines)


def test_a_row_with_three_problems_reports_all_three(cli, catalog_copy):
    rows = catalog_copy.rows("facilities.csv")
    row = next(r for r in rows if r["lon"])
    row.update(phase="bogus", lon="10", sources="no-such-source")
    catalog_copy.write_rows("facilities.csv", rows)
    code, out, _err = cli("validate", "--catalog", str(catalog_copy.dir))
    assert code == 1
    mine = [line for line in out.splitlines() if line.startswith(f"facilities.csv: {row['id']} ")]
    fields = sorted(line.split(": ")[2] for line in mine)
    assert fields == ["geometry", "phase", "sources"], out
    assert not [line for line in out.splitlines() if f"unknown facility {row['id']!r}" in line], out


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda c: (c.dir / "sites.geojson").write_text("[" * 100_000 + "]" * 100_000), "nested too deeply"),
        (lambda c: c.edit_site(c.sites()["features"][0]["properties"]["id"], reported_acres="inf"), "finite"),
        (lambda c: c.edit_site(c.sites()["features"][0]["properties"]["id"], reported_acres="NaN"), "finite"),
        (lambda c: c.edit_row("investments.csv", c.rows("investments.csv")[0]["id"], amount_usd_low="1e999"), "finite"),
    ],
    ids=["deep-nesting", "acres-inf", "acres-nan", "amount-overflow"],
)
def test_a_catalog_value_that_breaks_a_reader_is_a_problem_line(cli, catalog_copy, edit, words, monkeypatch):
    edit(catalog_copy)
    code, out, err = cli("validate", "--catalog", str(catalog_copy.dir))
    assert code == 1 and words in out, (out, err)
    assert all(line.count(": ") >= 3 for line in out.splitlines()), out
    monkeypatch.setenv("GEODATA_CATALOG", str(catalog_copy.dir))
    code, out, err = cli("list", "sites")
    one_line_refusal(code, out, err, "the catalog is invalid")


def test_every_store_case_left_the_original_store_usable_after_moving_it_aside(cli, tmp_path):
    """The message's advice works: move the file aside, and a new store starts."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "shortlists.sqlite").write_bytes(b"")
    assert cli("shortlist", "list", "--home", str(home))[0] == 1
    shutil.move(home / "shortlists.sqlite", tmp_path / "aside.sqlite")
    code, _out, err = cli("shortlist", "create", "Fresh", "--home", str(home))
    assert code == 0, err
