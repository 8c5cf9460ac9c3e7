"""Shared fixtures: the shipped catalog, editable copies of it, the CLI in-process."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from geodata.catalog.load import load_catalog
from geodata.cli.main import main
from geodata.settings import SHIPPED_CATALOG

ROOT = Path(__file__).resolve().parent.parent

SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


class CatalogCopy:
    """A writable copy of the shipped catalog with helpers to break one record."""

    def __init__(self, directory: Path):
        self.dir = directory

    def rows(self, name: str) -> list[dict]:
        with open(self.dir / name, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    def write_rows(self, name: str, rows: list[dict], fieldnames: list[str] | None = None) -> None:
        fieldnames = fieldnames or list(rows[0])
        with open(self.dir / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=fieldnames)
            w.writeheader()
            w.writerows(rows)

    def edit_row(self, file: str, record_id: str, /, **changes) -> dict:
        rows = self.rows(file)
        key = "record_id" if file == "status_history.csv" else "id"
        row = next(r for r in rows if r[key] == record_id)
        row.update({k: str(v) for k, v in changes.items()})
        self.write_rows(file, rows)
        return row

    def sites(self) -> dict:
        return json.loads((self.dir / "sites.geojson").read_text(encoding="utf-8"))

    def write_sites(self, doc: dict) -> None:
        (self.dir / "sites.geojson").write_text(json.dumps(doc), encoding="utf-8")

    def edit_site(self, site_id: str, /, geometry=..., **changes) -> dict:
        doc = self.sites()
        feat = next(f for f in doc["features"] if f["properties"]["id"] == site_id)
        feat["properties"].update(changes)
        if geometry is not ...:
            feat["geometry"] = geometry
        self.write_sites(doc)
        return feat


@pytest.fixture
def catalog_copy(tmp_path) -> CatalogCopy:
    d = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, d)
    return CatalogCopy(d)


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run `python -m geodata ARGS` in-process; (exit code, stdout, stderr)."""
    err = io.StringIO()
    buf = io.BytesIO()  # stdout with a .buffer, for commands that write bytes
    wrapped = io.TextIOWrapper(buf, encoding="utf-8")
    with contextlib.redirect_stdout(wrapped), contextlib.redirect_stderr(err):
        code = main(list(args))
        wrapped.flush()
    return code, buf.getvalue().decode("utf-8"), err.getvalue()


@pytest.fixture
def cli():
    return run_cli


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (browser tests screenshot failures)."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


# ------------------------------------------------------------------ PostgreSQL + PostGIS, started by the tests


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL with PostGIS in a temporary folder on a free port, for the whole session.

    Without PostgreSQL installed the tests that need it skip (with the reason), except under CI,
    where they must run.
    """
    from geodata.db import local, schema

    reason = local.missing_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the PostGIS tests: {reason}")
        pytest.skip(reason)
    folder = tempfile.mkdtemp(prefix="geodata-pg-")  # not under pytest's root-only tmp: the server's user reads it
    try:
        server = local.start(folder)
        schema.init(server.url)  # the template every test database is copied from
        yield server
    finally:
        local.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


_pg_count = itertools.count()


@pytest.fixture
def pg_url(pg_server):
    """A fresh, initialised database of its own for one test; dropped afterwards."""
    import psycopg

    name = f"t{os.getpid()}_{next(_pg_count)}"
    admin = pg_server.url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name} TEMPLATE {local_db_name()}")
    yield pg_server.url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def local_db_name() -> str:
    from geodata.db.local import DB_NAME

    return DB_NAME


@dataclass
class Backend:
    """Where the user's data goes in one parametrised run: the data folder's files, or PostGIS."""

    kind: str
    home: Path
    url: str | None = None

    def shortlists(self):
        from geodata import storage

        return storage.shortlists(self.home)

    def layers(self):
        from geodata import storage

        return storage.layers(self.home)


@pytest.fixture(params=["file", "postgis"])
def backend(request, tmp_path, monkeypatch) -> Backend:
    """Each store/layer test runs once per backend: one suite, not two copies."""
    home = tmp_path / "home"
    monkeypatch.setenv("GEODATA_HOME", str(home))
    if request.param == "file":
        monkeypatch.delenv("GEODATA_DATABASE_URL", raising=False)
        return Backend("file", home)
    url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("GEODATA_DATABASE_URL", url)
    return Backend("postgis", home, url)


# ------------------------------------------------------------------ browser journeys (tests/browser.py)


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium under Playwright, one per test module."""
    from .browser import browser, require_chromium

    require_chromium()
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on the shipped catalog with an empty data folder, one per module (a module may define its own)."""
    from .browser import StreamlitServer, require_chromium

    require_chromium()
    s = StreamlitServer(env={"GEODATA_HOME": str(tmp_path_factory.mktemp("home"))})
    yield s
    s.stop()
