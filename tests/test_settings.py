"""Settings: read in one module, documented in one table, seen alike by the CLI and the app."""

from __future__ import annotations

import ast
import re

import pytest

from geodata import settings
from geodata.problems import SettingError

from .conftest import ROOT
from .test_app import metric_values, run_app


def test_environment_is_read_only_in_the_settings_module():
    readers = []
    for path in [*(ROOT / "geodata").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]:
        if path.name == "settings.py" and path.parent.name == "geodata":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []


def test_every_setting_used_in_the_code_is_in_the_table():
    used = set()
    for path in [
        *(ROOT / "geodata").rglob("*.py"),
        *(ROOT / "dashboard").rglob("*.py"),
        *(ROOT / "bench").glob("*.py"),
    ]:
        used |= set(re.findall(r"\bGEODATA_[A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    assert used <= {s.name for s in settings.SETTINGS}


def test_the_settings_table_in_the_docs_matches_the_code():
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(GEODATA_[A-Z_]+)` \| (.+?) \| (.+?) \|$", doc, re.MULTILINE)
    assert [(n, d, m) for n, d, m in rows] == [(s.name, s.default, s.meaning) for s in settings.SETTINGS]
    assert "docs/settings.md" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [
        ("GEODATA_MAX_VIEW_FEATURES", "lots", settings.max_view_features),
        ("GEODATA_MAX_VIEW_FEATURES", "-3", settings.max_view_features),
        ("GEODATA_BASEMAP", "moon", settings.basemap),
        ("GEODATA_HTTP_BACKOFF", "nan", lambda: settings.http_backoff(1.0)),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as err:
        reader()
    assert err.value.name == name and "\n" not in str(err.value) and name in str(err.value)


def test_the_cli_and_the_app_see_the_same_catalog(catalog_copy, cli, monkeypatch):
    """GEODATA_CATALOG once pointed the app at a copy while `geodata validate` checked the shipped catalog."""
    rows = catalog_copy.rows("facilities.csv")
    linked = {r["facility_id"] for r in catalog_copy.rows("investments.csv")}
    removed = next(r for r in rows if r["id"] not in linked)
    rows.remove(removed)
    catalog_copy.write_rows("facilities.csv", rows)
    monkeypatch.setenv("GEODATA_CATALOG", str(catalog_copy.dir))

    code, out, _ = cli("validate")
    assert code == 0 and str(catalog_copy.dir) in out
    assert re.search(rf"facilities\s+{len(rows)}\b", out)
    code, out, _ = cli("list", "facilities", "--format", "csv")
    assert code == 0 and removed["id"] not in out

    at = run_app()
    assert metric_values(at)["Facilities"] == len(rows)


def test_the_cli_validates_the_catalog_the_app_complains_about(catalog_copy, cli, monkeypatch):
    catalog_copy.edit_row("sources.csv", catalog_copy.rows("sources.csv")[0]["id"], date="someday")
    monkeypatch.setenv("GEODATA_CATALOG", str(catalog_copy.dir))
    at = run_app()
    assert any("geodata validate" in e.value for e in at.error)
    code, out, _ = cli("validate")
    assert code == 1 and "sources.csv" in out and "someday" in out
