"""The CLI end to end: list and export with filters, and one clear line for every mistake."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pytest

from geodata.catalog.filters import Filters, apply_filters

from .conftest import ROOT


def test_list_json_is_records_with_ids(catalog, cli):
    code, out, err = cli("list", "investments", "--format", "json", "--phase", "phase-1")
    assert code == 0, err
    records = json.loads(out)
    expected = apply_filters(catalog, "investments", Filters(phase=("phase-1",)))
    assert [r["id"] for r in records] == list(expected["id"])
    assert all(r["phase"] == "phase-1" and isinstance(r["sources"], list) for r in records)


def test_list_table_ends_with_the_filter_sentence(catalog, cli):
    code, out, _ = cli("list", "sites", "--agency", "DOE", "--state", "id,tn", "--phase", "context")
    assert code == 0
    n = len(apply_filters(catalog, "sites", Filters(agency=("DOE",), state=("ID", "TN"), phase=("context",))))
    assert out.strip().splitlines()[-1] == f"{n} records: context sites managed by DOE in ID or TN"


def test_list_csv_to_stdout(catalog, cli):
    code, out, _ = cli("list", "facilities", "--format", "csv", "--type", "fab")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("id,name,phase,status,as_of")
    assert len(lines) - 1 == len(apply_filters(catalog, "facilities", Filters(facility_type=("fab",))))


def test_repeatable_and_comma_separated_flags_are_the_same(cli):
    a = cli("list", "sites", "--format", "json", "--agency", "DOE", "--agency", "DAF")[1]
    b = cli("list", "sites", "--format", "json", "--agency", "DOE,DAF")[1]
    assert json.loads(a) == json.loads(b) and len(json.loads(a)) > 0


@pytest.mark.parametrize("fmt", ["csv", "geojson", "kml", "gpkg"])
def test_export_each_format_reads_back(catalog, cli, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    code, out, err = cli("export", "sites", "--role", "candidate", "-o", str(path))
    assert code == 0, err
    assert "wrote" in out and str(path) in out
    opts = {"GEOM_POSSIBLE_NAMES": "wkt", "KEEP_GEOM_COLUMNS": "NO"} if fmt == "csv" else {}
    back = gpd.read_file(path, **opts)
    assert len(back) == len(apply_filters(catalog, "sites", Filters(role=("candidate",))))


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["list", "sites", "--phase", "phase-3"], "--phase: 'phase-3' is not a known phase; allowed: concept, phase-1"),
        (["list", "sites", "--status", "rumour"], "--status: 'rumour' is not a known status; allowed:"),
        (["list", "investments", "--sector", "crypto"], "--sector: 'crypto' is not a known sector"),
        (["list", "sites", "--agency", "NASA"], "--agency: 'NASA' is not a known agency; allowed: BLM"),
        (["list", "facilities", "--type", "castle"], "--type: 'castle' is not a known facility type"),
        (["list", "investments", "--min-amount", "lots"], "--min-amount: 'lots' is not an amount"),
        (["list", "investments", "--min-amount", "5B", "--max-amount", "1B"], "minimum $5B is above maximum $1B"),
        (["list", "sites", "--since", "last year"], "--since: 'last year' is not a date"),
        (["list", "sites", "--as-of", "2999-01-01"], "--as-of: 2999-01-01 is in the future"),
        (["list", "parcels"], "invalid choice: 'parcels' (choose from 'sites', 'investments', 'facilities')"),
        (["list", "sites", "--format", "xml"], "invalid choice: 'xml' (choose from 'table', 'csv', 'json')"),
        (["export", "sites", "-o", "out.txt"], "cannot tell the format from 'out.txt'"),
        (["export", "sites", "-o", "/no/such/dir/x.gpkg"], "folder /no/such/dir does not exist"),
        (["export", "sites", "--search", "zzzz-nothing", "-o", "x.gpkg"], "nothing matches"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["approx-polygon", "33.5", "-112.1", "100"], "lon 33.5, lat -112.1 are not degrees"),
    ],
)
def test_bad_input_is_one_clear_line(cli, args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*args)
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert words in err, err
    assert "Traceback" not in err and out == ""
    assert not list(tmp_path.iterdir()), "nothing may be written on bad input"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["list", "sites", "--no-such-flag"], 2, "unrecognized arguments: --no-such-flag (see --help)"),
        (["list", "parcels"], 2, "invalid choice: 'parcels'"),
        (["export", "sites"], 2, "the following arguments are required: -o/--output (see --help)"),
        (["list", "sites", "--phase", "phase-3"], 1, "--phase: 'phase-3' is not a known phase"),
        (["export", "sites", "-o", "out.txt"], 1, "cannot tell the format from 'out.txt' (formats: csv,"),
        (["score", "--weights", "area"], 1, "--weights: 'area' is not name=value"),
    ],
)
def test_exit_code_comes_from_the_kind_of_error(cli, args, code, words, tmp_path, monkeypatch):
    """2 for a command line argparse cannot read (as argparse itself exits), 1 for a mistake in a value."""
    monkeypatch.chdir(tmp_path)
    got, out, err = cli(*args)
    assert (got, out) == (code, ""), err
    assert err.startswith("error: ") and err.count("\n") == 1 and words in err, err
    assert ("see --help" in err) == (code == 2)


def test_export_format_is_a_choice_worded_as_the_flag(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("export", "sites", "-o", "out.txt")
    assert code == 1 and err.rstrip().endswith("; pick one with --format")


def test_invalid_catalog_is_reported_not_raised(catalog_copy, cli):
    (catalog_copy.dir / "sites.geojson").write_text("{", encoding="utf-8")
    code, out, err = cli("list", "sites", "--catalog", str(catalog_copy.dir))
    assert code == 1 and "run `python -m geodata validate`" in err and out == ""


def test_approx_polygon_prints_a_polygon_of_that_size(cli):
    from shapely.geometry import Point, shape

    from geodata.geometry import acres

    code, out, _ = cli("approx-polygon", "-112.0764", "34.1542", "71100")
    assert code == 0
    poly = shape(json.loads(out))
    assert poly.contains(Point(-112.0764, 34.1542))
    assert abs(acres(poly) / 71100 - 1) < 0.01


def test_module_entry_point_in_a_subprocess(tmp_path):
    """`python -m geodata` as a user runs it: real process, real exit code, no traceback."""
    r = subprocess.run(
        [sys.executable, "-m", "geodata", "list", "sites", "--phase", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1 and r.stderr.startswith("error: --phase:") and "Traceback" not in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "geodata", "validate"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and "valid" in r.stdout
