"""Shared fixtures: the shipped catalog, editable copies of it, the CLI in-process."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
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
