"""Team mode on PostGIS: the schema, imports and copies, history from the CLI, and faults.

A real PostgreSQL with PostGIS is started by the tests (conftest `pg_server`);
without it these skip, except under CI.
"""

from __future__ import annotations

import psycopg
import pytest

from geodata import storage
from geodata.db import local, schema
from geodata.importers.output import write_layer
from geodata.layers import pg_store
from geodata.problems import UserError

from .test_layers import grid_layer


@pytest.fixture
def db(pg_url, monkeypatch, tmp_path):
    monkeypatch.setenv("GEODATA_DATABASE_URL", pg_url)
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path / "home"))
    return pg_url


def blank_database(pg_server, name: str) -> str:
    admin = pg_server.url.rsplit("/", 1)[0]
    with psycopg.connect(admin + "/postgres", autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    return f"{admin}/{name}"


def test_db_init_creates_upgrades_and_refuses_a_newer_schema(pg_server, cli, monkeypatch, tmp_path):
    url = blank_database(pg_server, "blank_init")
    monkeypatch.setenv("GEODATA_DATABASE_URL", url)
    code, _, err = cli("shortlist", "list")
    assert code == 1 and "no atlas tables yet" in err and "geodata db init" in err
    code, out, _ = cli("db", "status")
    assert code == 1 and "schema: none yet" in out
    code, out, _ = cli("db", "init")
    assert code == 0 and "applied migration 1:" in out
    code, out, _ = cli("db", "init")
    assert code == 0 and "nothing to do" in out
    cli("shortlist", "create", "Desk", "--by", "Ana")
    code, out, _ = cli("db", "status")
    assert code == 0 and f"schema: version {schema.VERSION} (current)" in out and "shortlists: 1 (1 recorded" in out
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("INSERT INTO geodata_schema (version, what) VALUES (99, 'from the future')")
    for args in (("db", "init"), ("shortlist", "list"), ("layers", "list")):
        code, out, err = cli(*args)
        assert code == 1 and "newer than this code knows" in err and "Traceback" not in err, args


def test_a_password_never_appears_in_a_message(cli, monkeypatch):
    port = local._free_port()  # nothing listens there
    monkeypatch.setenv("GEODATA_DATABASE_URL", f"postgresql://alice:s3cr%40tPW@127.0.0.1:{port}/atlas")
    for args in (("shortlist", "list"), ("db", "status"), ("layers", "list"), ("db", "init")):
        code, out, err = cli(*args)
        assert code == 1 and err.count("\n") == 1, (args, err)
        assert "s3cr" not in err + out and "tPW" not in err + out
        assert f"postgresql://alice@127.0.0.1:{port}/atlas" in err and "nothing was saved" in err
    monkeypatch.setenv("GEODATA_DATABASE_URL", "mysql://bob:hunter2@db/x")
    code, _, err = cli("shortlist", "list")
    assert code == 1 and "GEODATA_DATABASE_URL" in err and "hunter2" not in err


def test_import_to_db_then_copy_to_the_data_folder_and_back(db, cli, tmp_path):
    src = tmp_path / "az parcels.geojson"
    grid_layer(120).to_file(src)
    code, out, err = cli("import", "file", str(src), "--to", "db", "--name", "AZ parcels")
    assert code == 0, err
    assert "loaded into layer 'az-parcels' of the database" in out
    code, out, _ = cli("layers", "list")
    assert "az-parcels" in out and "postgis" in out
    code, out, err = cli("import", "file", str(src), "--to", "db", "--name", "AZ parcels")
    assert code == 1 and "already exists" in err
    code, _, err = cli("import", "file", str(src))
    assert code == 1 and "-o OUT" in err and "--to db" in err
    code, out, err = cli("layers", "copy", "az-parcels", "--from", "db", "--to", "file", "--as", "az-copy")
    assert code == 0 and "120 features" in out, err
    files = storage.file_layers(tmp_path / "home")
    assert len(files.read(files.get("az-copy"))) == 120
    code, out, err = cli("layers", "copy", "az-copy", "--from", "file", "--to", "db")
    assert code == 0, err
    db_store = storage.layers()
    assert [i.name for i in db_store.list()] == ["az-copy", "az-parcels"]
    a = db_store.open_index(db_store.get("az-copy")).view((-115, 31, -109, 37), 8)
    b = db_store.open_index(db_store.get("az-parcels")).view((-115, 31, -109, 37), 8)
    assert (a.shown, a.total) == (b.shown, b.total) == (120, 120)


def test_an_interrupted_copy_into_the_database_leaves_nothing(db, tmp_path, monkeypatch):
    path = tmp_path / "big.parquet"
    write_layer(grid_layer(50), path)
    monkeypatch.setattr(pg_store, "BATCH_ROWS", 10)
    calls = {"n": 0}
    real = pg_store._wkb_hex

    def fail_later(geoms):
        calls["n"] += 1
        if calls["n"] > 14:  # a few batches already sent through COPY
            raise UserError("interrupted mid-import")
        return real(geoms)

    monkeypatch.setattr(pg_store, "_wkb_hex", fail_later)
    store = storage.layers()
    with pytest.raises(UserError, match="interrupted"):
        store.load("big", path)
    assert store.list() == []
    with psycopg.connect(db) as con:
        assert con.execute(r"SELECT count(*) FROM pg_tables WHERE tablename LIKE 'layer\_%'").fetchone()[0] == 0


def test_history_and_restore_from_the_cli(backend, cli, catalog):
    a, b = list(catalog.sites[catalog.sites["role"] == "candidate"]["id"][:2])
    assert cli("shortlist", "create", "Desk", "--by", "Ana")[0] == 0
    assert cli("shortlist", "add", "Desk", a, "--note", "Ana's pick", "--by", "Ana")[0] == 0
    kept = backend.shortlists().history("Desk")[-1].at
    assert cli("shortlist", "remove", "Desk", a, "--by", "Ben")[0] == 0
    assert cli("shortlist", "add", "Desk", b, "--by", "Ben")[0] == 0
    code, out, _ = cli("shortlist", "history", "Desk")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 + 4
    assert (
        kept[:23] in out
        and "Ana" in lines[2]
        and "created" in lines[2]
        and "Ben" in lines[4]
        and f"removed {a}" in lines[4]
    )
    code, out, err = cli("shortlist", "restore", "Desk", "--at", kept[:23], "--by", "Ana")
    assert code == 0, err
    sl = backend.shortlists().get("Desk")
    assert sl.site_ids == [a] and sl.items[0].note == "Ana's pick"
    assert backend.shortlists().history("Desk")[-1].by == "Ana"
    code, _, err = cli("shortlist", "restore", "Desk", "--at", "last tuesday")
    assert code == 1 and "not a time" in err


def test_a_read_only_database_refuses_writes_clearly_and_keeps_reads(db, cli):
    assert cli("shortlist", "create", "Desk")[0] == 0
    name = db.rsplit("/", 1)[1]
    with psycopg.connect(db, autocommit=True) as con:
        con.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    code, _, err = cli("shortlist", "add", "Desk", "x-site-that-is-checked-later")
    code, _, err = cli("shortlist", "rename", "Desk", "Other")
    assert code == 1 and "read-only" in err and "nothing was saved" in err and err.count("\n") == 1
    code, out, _ = cli("shortlist", "list")
    assert code == 0 and "Desk" in out  # reading still works, nothing half-renamed
    assert storage.shortlists().history("Desk")[-1].action == "created"


def test_a_database_lost_mid_session_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch):
    if local.missing_reason():
        pytest.skip(local.missing_reason())
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="geodata-pg-lost-")
    try:
        server = local.start(folder)
        schema.init(server.url)
        monkeypatch.setenv("GEODATA_DATABASE_URL", server.url)
        store = storage.shortlists()
        sl = store.create("Desk")
        local.stop(folder)  # the server goes away while the app holds the store
        with pytest.raises(UserError, match=r"cannot use the database .*nothing was saved"):
            store.add("Desk", "a", expected_version=sl.version)
        local.start(folder, port=server.port)
        assert store.get("Desk").site_ids == [] and store.get("Desk").version == 1
    finally:
        local.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ the app (AppTest), both backends


def test_app_records_the_typed_name_and_restores_an_earlier_version(backend, catalog):
    from .test_app import run_app

    a, b = list(catalog.sites[catalog.sites["role"] == "candidate"]["id"][:2])
    store = backend.shortlists().acting_as("Ana")
    store.create("Team")
    store.add("Team", a, note="Ana's reasoning")
    at = run_app({"sel": b}, tab="Shortlist")
    at.text_input(key="sl_by").input("Ben").run()
    at.button(key=f"sl_add_{b}").click().run()
    changes = backend.shortlists().history("Team")
    assert changes[-1].by == "Ben" and changes[-1].action.startswith(f"added {b}")
    at.run()
    pick = next(s for s in at.selectbox if s.key.startswith("sl_history_pick"))
    first = next(o for o in pick.options if o.startswith("version 2 "))
    pick.set_value(first).run()
    at.button(key="sl_history_restore").click().run()
    assert not at.exception
    sl = backend.shortlists().get("Team")
    assert sl.site_ids == [a] and sl.items[0].note == "Ana's reasoning"
    assert backend.shortlists().history("Team")[-1].by == "Ben"


def test_app_with_the_database_down_shows_the_catalog_and_one_clear_line(monkeypatch, catalog):
    from geodata.catalog.filters import Filters

    from .test_app import expected_counts, metric_values, run_app

    port = local._free_port()
    monkeypatch.setenv("GEODATA_DATABASE_URL", f"postgresql://desk:pa55word@127.0.0.1:{port}/atlas")
    at = run_app(tab="Shortlist")
    assert metric_values(at) == expected_counts(catalog, Filters())
    errors = [e.value for e in at.error]
    assert any("Shortlists are unavailable" in e and f"127.0.0.1:{port}" in e for e in errors), errors
    assert any("Imported layers are unavailable" in e for e in errors), errors
    everything = " ".join(str(el.value) for el in [*at.error, *at.caption, *at.markdown, *at.warning, *at.info])
    assert "pa55word" not in everything
    at.session_state["atlas_tab"] = "Your sites"
    at.run()
    assert not at.exception and metric_values(at) == expected_counts(catalog, Filters())
    assert any("Your candidate sites are unavailable" in e.value and "pa55word" not in e.value for e in at.error)


# ------------------------------------------------------------------ candidate sites, both backends


def test_candidate_sites_are_kept_listed_and_deleted_on_both_backends(backend):
    from shapely.geometry import box

    from geodata.problems import UnknownId

    store = storage.candidates(backend.home)
    first = store.add("West of Buckeye", box(-113.0, 33.3, -112.9, 33.4), "=HYPERLINK(1)", "drawn")
    second = storage.candidates(backend.home).add("West of Buckeye", box(-113.2, 33.3, -113.1, 33.4))
    assert (first.id, second.id) == ("drawn:west-of-buckeye", "drawn:west-of-buckeye-2")
    listed = storage.candidates(backend.home).list()
    assert [c.id for c in listed] == [first.id, second.id] and listed[0].note == "=HYPERLINK(1)"
    assert listed[0].geometry.equals(first.geometry) and listed[0].acres > 1000
    sites = storage.candidates(backend.home).sites([second.id])
    assert list(sites["id"]) == [second.id] and sites.crs.to_epsg() == 4326
    storage.candidates(backend.home).delete(first.id)
    with pytest.raises(UnknownId):
        storage.candidates(backend.home).delete(first.id)
    assert [c.id for c in storage.candidates(backend.home).list()] == [second.id]


def test_a_colleague_resolves_the_candidate_sites_on_a_shared_shortlist(db, tmp_path, catalog):
    from shapely.geometry import box

    from geodata.ids import Resolver

    mine = storage.candidates(tmp_path / "ana").add("Ana's tract", box(-113.0, 33.3, -112.9, 33.4))
    storage.shortlists(tmp_path / "ana").acting_as("Ana").create("Desk")
    storage.shortlists(tmp_path / "ana").acting_as("Ana").add("Desk", mine.id)
    ben = tmp_path / "ben"  # another machine: another data folder, the same database
    resolver = Resolver(catalog, storage.layers(ben), candidates=storage.candidates(ben))
    assert storage.shortlists(ben).get("Desk").site_ids == [mine.id]
    assert resolver.known(mine.id) and resolver.resolve(mine.id).geometry.equals(mine.geometry)
    with psycopg.connect(db, autocommit=True) as con:  # the outline is a real PostGIS geometry too
        assert con.execute("SELECT ST_Area(geom) > 0 FROM candidates WHERE id = %s", (mine.id,)).fetchone()[0]


def test_a_version_1_database_is_upgraded_in_place(pg_server, cli, monkeypatch):
    url = blank_database(pg_server, "upgrade_v1")
    monkeypatch.setenv("GEODATA_DATABASE_URL", url)
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(schema, "VERSION", 1)
    assert cli("db", "init")[0] == 0
    cli("shortlist", "create", "Kept", "--by", "Ana")
    monkeypatch.undo()
    monkeypatch.setenv("GEODATA_DATABASE_URL", url)
    code, _, err = cli("candidates", "list")
    assert code == 1 and "older than this code" in err and "geodata db init" in err
    code, out, _ = cli("db", "init")
    assert code == 0 and "applied migration 2:" in out and "applied migration 1:" not in out
    code, out, _ = cli("db", "status")
    assert "shortlists: 1 (1 recorded" in out and "candidate sites: 0" in out


def test_the_signed_in_user_is_recorded_with_each_change_on_both_backends(backend, catalog):
    """With Streamlit's login turned on, the change history names the signed-in user, not a typed name."""
    from streamlit.testing.v1 import AppTest

    from .test_app import APP

    site = catalog.sites[catalog.sites["role"] == "candidate"]["id"].iloc[0]
    backend.shortlists().acting_as("Ana").create("Team")
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": True, "name": "Dana Ruiz", "email": "dana@example.org"}
    at.query_params["sel"] = site
    at.session_state["atlas_tab"] = "Shortlist"
    at.run()
    assert not [t for t in at.text_input if t.key == "sl_by"]  # nothing to type: the login says who
    at.button(key=f"sl_add_{site}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert backend.shortlists().history("Team")[-1].by == "Dana Ruiz"
