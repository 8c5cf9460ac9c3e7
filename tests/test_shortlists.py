"""Shortlists: storage that loses nothing, exports that round-trip, CLI errors that change nothing."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import warnings

import geopandas as gpd
import pyogrio
import pytest

from geodata.problems import UserError
from geodata.shortlists import export as shortlist_export
from geodata.shortlists.store import ShortlistStore, StaleWrite

from .conftest import ROOT


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("GEODATA_HOME", str(h))
    return h


@pytest.fixture
def store(backend):
    return backend.shortlists()


def candidate_ids(catalog, n: int) -> list[str]:
    sites = catalog.sites
    return list(sites[(sites["role"] == "candidate") & sites.geometry.notna()]["id"][:n])


# ------------------------------------------------------------------ the store


def test_add_move_note_remove_keep_a_dense_order(store):
    sl = store.create("Picks", "phase-1 sites")
    for s in ("a", "b", "c"):
        sl = store.add("picks", s, expected_version=sl.version)
    assert sl.site_ids == ["a", "b", "c"] and [i.rank for i in sl.items] == [1, 2, 3]
    sl = store.move("Picks", "c", 1)
    sl = store.note("Picks", "b", "check water rights")
    sl = store.remove("Picks", "a")
    assert sl.site_ids == ["c", "b"] and sl.items[1].note == "check water rights"
    assert sl.filter_sentence == "phase-1 sites"
    sl = store.add("Picks", "d", position=1)
    assert sl.site_ids == ["d", "c", "b"]


def test_names_are_unique_ignoring_case_and_spaces(store):
    store.create("AZ  parcels")
    with pytest.raises(UserError, match="already exists"):
        store.create("az parcels")
    assert store.names() == ["AZ parcels"]


def test_stale_write_is_refused_and_changes_nothing(backend):
    a, b = backend.shortlists(), backend.shortlists()  # two sessions, one store
    seen = a.create("Shared")
    seen = a.add("Shared", "x", expected_version=seen.version)
    b.note("Shared", "x", "written by B")  # B saves first
    with pytest.raises(StaleWrite, match="changed elsewhere"):
        a.apply_edits("Shared", [("x", "A's note")], expected_version=seen.version)
    with pytest.raises(StaleWrite):
        a.rename("Shared", "Mine", expected_version=seen.version)
    with pytest.raises(StaleWrite):
        a.delete("Shared", expected_version=seen.version)
    now = b.get("Shared")
    assert now.name == "Shared" and now.items[0].note == "written by B"


def test_apply_edits_is_one_change(store):
    sl = store.create("E")
    for s in ("a", "b", "c"):
        sl = store.add("E", s)
    sl = store.apply_edits("E", [("c", "first"), ("a", "")], expected_version=sl.version)
    assert sl.site_ids == ["c", "a"] and sl.items[0].note == "first"
    assert sl.version == 5  # create=1, three adds, one edit
    with pytest.raises(UserError, match="not on shortlist"):
        store.apply_edits("E", [("zzz", "")], expected_version=sl.version)


def test_persists_across_processes(backend, catalog):
    site_a, site_b = candidate_ids(catalog, 2)
    for args in (
        ["create", "Cross-process"],
        ["add", "Cross-process", site_a, "--note", "from process 1"],
        ["add", "Cross-process", site_b, "--rank", "1"],
    ):
        r = subprocess.run(
            [sys.executable, "-m", "geodata", "shortlist", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ},  # GEODATA_HOME / GEODATA_DATABASE_URL as the backend set them
        )
        assert r.returncode == 0, r.stderr
    sl = backend.shortlists().get("cross-process")
    assert sl.site_ids == [site_b, site_a] and sl.items[1].note == "from process 1"


WRITER = """
import sys, time
from geodata import storage
store = storage.shortlists(sys.argv[1])  # the file store, or PostGIS when GEODATA_DATABASE_URL is set
name = sys.argv[2]
n = int(sys.argv[3])
store.create(name)
for i in range(n):
    sl = store.add(name, f"site-{i}", note=("x" * 2000) + str(i))
    if i % 3 == 0:
        sl = store.apply_edits(name, [(s, f"edit {i}") for s in reversed(sl.site_ids)], expected_version=sl.version)
    print(sl.version, len(sl.items), flush=True)
"""


def test_two_writers_on_different_shortlists_lose_nothing(backend):
    home = backend.home
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(home), f"list-{k}", "60"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(2)
    ]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    store = backend.shortlists()
    for k in range(2):
        sl = store.get(f"list-{k}")
        assert sorted(sl.site_ids) == sorted(f"site-{i}" for i in range(60))
    assert store.integrity() == "ok"


@pytest.mark.parametrize("after_commits", [3, 17, 40])
def test_sigkill_mid_save_leaves_a_readable_store(home, after_commits):
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), "hammer", "100000"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    last = None
    for _ in range(after_commits):
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        last = tuple(int(x) for x in line.split())
    proc.send_signal(signal.SIGKILL)  # while the next save is in flight
    proc.wait(30)
    store = ShortlistStore(home)
    assert store.integrity() == "ok"
    sl = store.get("hammer")
    # every committed save survived; the one in flight either committed whole or not at all
    assert sl.version in (last[0], last[0] + 1, last[0] + 2)
    assert len(sl.items) >= last[1]
    con = sqlite3.connect(home / "shortlists.sqlite")
    positions = [r[0] for r in con.execute("SELECT position FROM shortlist_items ORDER BY position")]
    con.close()
    assert positions == list(range(len(positions))), "positions stay dense: no half-applied save"


# ------------------------------------------------------------------ team history (both backends)


def test_every_change_is_recorded_with_who_and_can_be_restored(backend):
    alice, bob = backend.shortlists().acting_as("Alice"), backend.shortlists().acting_as("Bob")
    alice.create("Desk picks", "phase-1 sites", {"agency": ["DOE"]})
    alice.add("Desk picks", "a", note="Alice's reasoning")
    alice.add("Desk picks", "b")
    good = alice.get("Desk picks")
    bob.apply_edits("Desk picks", [("b", "Bob was here")], expected_version=good.version)  # drops a
    bob.rename("Desk picks", "Desk picks 2")
    changes = bob.history("Desk picks 2")
    assert [(c.by, c.version) for c in changes] == [("Alice", 1), ("Alice", 2), ("Alice", 3), ("Bob", 4), ("Bob", 5)]
    assert "removed a" in changes[3].action and "renamed" in changes[4].action
    assert changes[2].shortlist.site_ids == ["a", "b"] and changes[2].shortlist.items[0].note == "Alice's reasoning"
    restored = alice.restore("Desk picks 2", changes[2].at)
    assert restored.site_ids == ["a", "b"] and restored.items[0].note == "Alice's reasoning"
    assert restored.name == "Desk picks 2" and restored.filters == {"agency": ["DOE"]} and restored.version == 6
    last = alice.history("Desk picks 2")[-1]
    assert last.by == "Alice" and last.action.startswith("restored as of")
    with pytest.raises(StaleWrite):  # a restore is a change like any other: never over a colleague's newer save
        bob.restore("Desk picks 2", changes[0].at, expected_version=5)


def test_a_deleted_shortlist_comes_back_from_history(backend):
    store = backend.shortlists().acting_as("Carol")
    store.create("Gone")
    store.add("Gone", "x", note="keep me")
    before = store.history("Gone")[-1].at
    store.delete("Gone")
    assert store.names() == []
    changes = store.history("Gone")
    assert changes[-1].action == "deleted" and changes[-1].shortlist is None
    with pytest.raises(UserError, match="was deleted"):
        store.restore("Gone", "2999-01-01")
    with pytest.raises(UserError, match="no recorded state"):
        store.restore("Gone", "2000-01-01")
    with pytest.raises(UserError, match="not a time"):
        store.restore("Gone", "yesterday")
    back = store.restore("Gone", before)
    assert back.site_ids == ["x"] and back.items[0].note == "keep me"
    assert [c.action for c in store.history("Gone")][-2:] == ["deleted", back_action(store)]


def back_action(store) -> str:
    return store.history("Gone")[-1].action


def test_an_old_sqlite_store_gains_history_without_losing_anything(tmp_path):
    home = tmp_path / "old"
    home.mkdir()
    con = sqlite3.connect(home / "shortlists.sqlite")
    con.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE shortlists (id INTEGER PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE,
            filter_sentence TEXT NOT NULL DEFAULT '', filters_json TEXT, weights_json TEXT,
            version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE shortlist_items (shortlist_id INTEGER NOT NULL REFERENCES shortlists(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, site_id TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', score REAL,
            criteria_json TEXT, PRIMARY KEY (shortlist_id, site_id));
        INSERT INTO shortlists VALUES (1, 'Old', 'old', '', NULL, NULL, 7, '2026-01-01T00:00:00+00:00',
            '2026-01-02T00:00:00+00:00');
        INSERT INTO shortlist_items VALUES (1, 0, 'a', 'old note', NULL, NULL);
        """
    )
    con.close()
    store = ShortlistStore(home)
    assert store.get("Old").items[0].note == "old note" and store.get("Old").version == 7
    first = store.history("Old")
    assert len(first) == 1 and first[0].shortlist.site_ids == ["a"]
    store.remove("Old", "a")
    assert store.restore("Old", first[0].at).site_ids == ["a"]
    con = sqlite3.connect(home / "shortlists.sqlite")
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(UserError, match="newer version of the atlas"):
        ShortlistStore(home)


def test_unwritable_home_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UserError, match="cannot create the data folder"):
        ShortlistStore(blocker / "sub")


# ------------------------------------------------------------------ exports


@pytest.fixture
def filled(store, catalog):
    ids = candidate_ids(catalog, 3)
    sl = store.create("Export test", "context sites managed by DOE", {"agency": ["DOE"]})
    sl = store.add(sl.name, ids[0], note='=HYPERLINK("http://evil.example","x")')
    sl = store.add(sl.name, ids[1], note="<script>alert(1)</script> & <b>bold</b>")
    sl = store.add(sl.name, ids[2], note="plain")
    return sl


def read(path, fmt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == "csv":
            return gpd.read_file(path, GEOM_POSSIBLE_NAMES="wkt", KEEP_GEOM_COLUMNS="NO")
        return gpd.read_file(path)


@pytest.mark.parametrize("fmt", ["csv", "geojson", "kml", "gpkg"])
def test_export_round_trips_with_rank_id_name_note_first(catalog, filled, tmp_path, fmt):
    path = shortlist_export.export(catalog, filled, fmt, tmp_path / f"sl.{fmt}")
    back = read(path, fmt)
    assert list(back["id"]) == filled.site_ids
    names = dict(zip(catalog.sites["id"], catalog.sites["name"], strict=True))
    name_col = "Name" if fmt == "kml" else "name"
    assert list(back[name_col]) == [names[i] for i in filled.site_ids]
    assert [int(r) for r in back["rank"]] == [1, 2, 3]
    if fmt != "kml":
        assert list(back.columns[:4]) == ["rank", "id", "name", "note"]
    for orig_id, geom in zip(filled.site_ids, back.geometry, strict=True):
        orig = catalog.sites.loc[catalog.sites["id"] == orig_id].geometry.item()
        assert geom.symmetric_difference(orig).area <= 1e-6 * orig.area + 1e-12
    assert "sources_text" in back.columns


def test_csv_export_neutralises_formulas_in_notes(catalog, filled):
    data = shortlist_export.render(catalog, filled, "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert rows[0]["note"] == '\'=HYPERLINK("http://evil.example","x")'


def test_gpkg_holds_sources_and_the_filter_sentence(catalog, filled, tmp_path):
    path = shortlist_export.export(catalog, filled, "gpkg", tmp_path / "sl.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"shortlist", "sources", "about"}
    about = pyogrio.read_dataframe(path, layer="about")
    assert about["filter_sentence"].item() == "context sites managed by DOE"
    sources = pyogrio.read_dataframe(path, layer="sources")
    cited = {s for i in filled.site_ids for s in catalog.sites.loc[catalog.sites["id"] == i, "sources"].item()}
    assert set(sources["id"]) == cited


def test_html_brief_escapes_notes_cites_every_source_and_needs_no_network(catalog, filled, tmp_path):
    html = shortlist_export.export(catalog, filled, "html", tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    for sid in {s for i in filled.site_ids for s in catalog.sites.loc[catalog.sites["id"] == i, "sources"].item()}:
        assert f"[{sid}]" in html
    assert "<svg" in html and "<script" not in html
    assert "src=" not in html and 'rel="stylesheet"' not in html  # nothing to fetch: renders offline
    assert "context sites managed by DOE" in html


def test_export_of_empty_or_unknown_shortlist_is_refused(catalog, store, tmp_path):
    empty = store.create("Empty")
    with pytest.raises(UserError, match="is empty"):
        shortlist_export.export(catalog, empty, "csv", tmp_path / "x.csv")
    with pytest.raises(UserError, match="no shortlist named 'ghost'"):
        store.get("ghost")
    assert [p for p in tmp_path.iterdir() if p.name != "home"] == []  # no export file written


# ------------------------------------------------------------------ the CLI


def snapshot_store(home) -> str:
    s = ShortlistStore(home)
    return json.dumps([(x["name"], x["version"], x["sites"]) for x in s.summaries()])


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["add", "Mine", "no-such-site"], "unknown site 'no-such-site'"),
        (["add", "Mine", "idaho-national-laborator"], "did you mean idaho-national-laboratory"),
        (["create", "MINE"], "a shortlist named 'MINE' already exists"),
        (["export", "Empty", "-o", "out.csv"], "shortlist 'Empty' is empty"),
        (["export", "Ghost", "-o", "out.csv"], "no shortlist named 'Ghost'; shortlists: Empty, Mine"),
        (["export", "Mine", "-o", "/no/such/dir/out.gpkg"], "folder /no/such/dir does not exist"),
        (["export", "Mine", "-o", "out.txt"], "cannot tell the format from 'out.txt'"),
        (["move", "Mine", "idaho-national-laboratory", "9"], "rank must be between 1 and 1"),
        (["remove", "Mine", "fort-bliss"], "'fort-bliss' is not on shortlist 'Mine'"),
        (["add", "Mine", "idaho-national-laboratory"], "already on shortlist"),
        (["rename", "Mine", "empty"], "a shortlist named 'Empty' already exists"),
        (["delete", "Ghost"], "no shortlist named 'Ghost'"),
    ],
)
def test_cli_bad_input_is_one_line_and_changes_nothing(cli, home, tmp_path, monkeypatch, args, words):
    assert cli("shortlist", "create", "Mine")[0] == 0
    assert cli("shortlist", "add", "Mine", "idaho-national-laboratory")[0] == 0
    assert cli("shortlist", "create", "Empty")[0] == 0
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = snapshot_store(home)
    code, out, err = cli("shortlist", *args)
    assert code != 0 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and words in err, err
    assert snapshot_store(home) == before
    assert list(work.iterdir()) == []


def test_cli_round_trip(cli, home, catalog, tmp_path):
    assert cli("shortlist", "create", "DOE picks", "--agency", "DOE", "--add-matching")[0] == 0
    code, out, _ = cli("shortlist", "show", "DOE picks", "--format", "json")
    doc = json.loads(out)
    doe = catalog.sites[(catalog.sites["agency"] == "DOE") & (catalog.sites["role"] == "candidate")]["id"]
    assert [i["site_id"] for i in doc["items"]] == list(doe)
    assert doc["filter_sentence"] == "sites managed by DOE" and doc["filters"] == {"agency": ["DOE"]}
    assert cli("shortlist", "note", "DOE picks", doe.iloc[0], "first look")[0] == 0
    assert cli("shortlist", "rename", "DOE picks", "DOE shortlist")[0] == 0
    for fmt in shortlist_export.FORMATS:
        code, out, err = cli("shortlist", "export", "DOE shortlist", "-o", str(tmp_path / f"x.{fmt}"))
        assert code == 0, err
    assert cli("shortlist", "delete", "DOE shortlist")[0] == 0
    assert ShortlistStore(home).names() == []
