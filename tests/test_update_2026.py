"""Data checks that hold the line after the 2026 update, and the "what changed / how fresh" commands."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest

from geodata.catalog.changes import changes_since, freshness, stale_records
from geodata.catalog.load import LAYERS, load_catalog
from geodata.settings import SHIPPED_CATALOG
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]
MIRTA = SHARED_DATA / "mirta_fy20_points" / "FY20_MIRTA_Points.geojson"
FORESTS = SHARED_DATA / "usfs_forests" / "usfs_administrative_forests_s08.geojson"
NEW_MILITARY = {
    "joint-base-elmendorf-richardson": "Joint Base Elmendorf-Richardson",
    "eielson-afb": "Eielson Air Force Base",
    "clear-sfs": "Clear Air Force Station",
}


def test_every_record_cites_dated_sources(catalog):
    for layer in LAYERS:
        for _, r in catalog.layer(layer).iterrows():
            assert r["sources"], r["id"]
            for sid in r["sources"]:
                assert catalog.sources[sid].date.start <= date.today(), (r["id"], sid)
            assert freshness(r["as_of"]) is not None, r["id"]


def test_the_update_rows_are_in_the_catalog(catalog):
    def rec(rid):
        return catalog.record(rid)[1]

    assert rec("arnold-afb")["status"] == "cancelled" and "tullahoma-2026-06-01" in rec("arnold-afb")["sources"]
    assert "S28" in rec("arnold-afb")["sources"], "the fact sheet's source is kept beside the update's"
    for rid in NEW_MILITARY:
        assert rec(rid)["status"] == "solicitation-issued" and "clearancejobs-2026-04-14" in rec(rid)["sources"]
    assert rec("ports-technology-campus")["land_status"] == "mixed"
    assert "Portsmouth Powered Land Project" in rec("inv-sb-energy-ohio-gas")["name"]
    assert "3 GW by 2029" in rec("fort-bliss")["note"]
    assert [e.status for e in catalog.history["davis-monthan-afb"]] == ["rfi-listed"]
    assert "100,000 ac" in rec("idaho-national-laboratory")["reported_area_text"]
    assert "44,000" in rec("idaho-national-laboratory")["reported_area_text"]
    assert rec("fac-stargate-michigan")["status_date"] == "2026-06-01"
    assert rec("inv-japan-second-tranche-gevh-gas")["amount_usd_high"] == 73e9
    assert (
        "follows NHK" in rec("inv-ge-vernova-hitachi-smr")["note"]
        and "S17" in rec("inv-ge-vernova-hitachi-smr")["sources"]
    )
    assert rec("inv-japan-display-us-fab")["amount_usd_high"] == 13e9
    assert rec("fac-texas-gulflink")["first_reported"] == "2026-02-03"
    for rid in ("inv-softbank-digitalbridge", "inv-softbank-abb-robotics", "inv-softbank-lordstown-modular-dc"):
        assert rec(rid)["status"] == "announced"
    assert rec("inv-softbank-roze")["status"] == "concept"
    baccara = rec("fac-project-baccara")
    assert baccara["phase"] == "context" and baccara["geometry_quality"] == "approximate"
    # row 16 (a lead only) is never entered
    assert not any("amentum" in str(v).lower() for layer in LAYERS for v in catalog.layer(layer)["description"])


def test_new_military_sites_sit_at_their_mirta_points_in_the_catalog(catalog):
    for rid in NEW_MILITARY:
        row = catalog.record(rid)[1]
        assert row["geometry"].buffer(1e-9).contains(gpd.points_from_xy([row["anchor"][0]], [row["anchor"][1]])[0])
        assert "MIRTA" in row["geometry_note"] and "dod-mirta-fy20" in row["sources"]


@pytest.mark.skipif(not MIRTA.exists(), reason="../shared/data/mirta_fy20_points is not present")
def test_new_military_sites_lie_within_10_km_of_their_mirta_point(catalog):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mirta = gpd.read_file(MIRTA)
    for rid, name in NEW_MILITARY.items():
        point = mirta[mirta["siteName"] == name].geometry.iloc[0]
        site = catalog.record(rid)[1]["geometry"].representative_point()
        pair = gpd.GeoSeries([point, site], crs=4326).to_crs(3338)  # Alaska Albers, metres
        assert pair.iloc[0].distance(pair.iloc[1]) < 10_000, rid


def test_inl_outline_is_within_1_percent_of_890_square_miles(catalog):
    row = catalog.record("idaho-national-laboratory")[1]
    assert row["geometry_quality"] == "authoritative" and "usgs-inldata-inl-boundary" in row["sources"]
    assert abs(row["area_acres"] / 640 / 890 - 1) < 0.01


@pytest.mark.parametrize(
    ("rid", "gis_acres"), [("tonto-national-forest", 2966417), ("prescott-national-forest", 1411550)]
)
def test_forest_outlines_are_within_1_percent_of_gis_acres(catalog, rid, gis_acres):
    row = catalog.record(rid)[1]
    assert row["reported_acres"] == gis_acres and row["geometry_quality"] == "authoritative"
    assert abs(row["area_acres"] / gis_acres - 1) < 0.01
    assert row["geometry"].is_valid


@pytest.mark.skipif(not FORESTS.exists(), reason="../shared/data/usfs_forests is not present")
def test_the_outline_tool_reproduces_the_shipped_outlines(tmp_path):
    copy = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, copy)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "derive_outlines.py"),
            "--data",
            str(SHARED_DATA),
            "--catalog",
            str(copy),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (copy / "sites.geojson").read_bytes() == (SHIPPED_CATALOG / "sites.geojson").read_bytes()


def test_the_app_never_reads_shared_data():
    for path in [*(ROOT / "geodata").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]:
        assert "shared/data" not in path.read_text(encoding="utf-8"), path


# ---------------------------------------------------------------- what changed, how fresh


def test_freshness_marks_a_record_older_than_the_chosen_days():
    f = freshness("2025-10-21", today=date(2026, 4, 19), days=180)
    assert (f.age_days, f.stale, f.note) == (180, False, "")
    f = freshness("2025-10-21", today=date(2026, 4, 20), days=180)
    assert f.stale and f.note == "no update found since 2025-10-21" and "181 days ago" in f.text
    assert freshness("2026-06", today=date(2026, 7, 1), days=0).age_days == 1  # a month counts to its last day


def test_changes_since_are_newest_first_with_sources(catalog):
    df = changes_since(catalog, date(2026, 4, 1))
    assert list(df["_date"]) == sorted(df["_date"], reverse=True)
    arnold = df[df["record_id"] == "arnold-afb"].iloc[0]
    assert (arnold["status"], arnold["sources"]) == ("cancelled", ["tullahoma-2026-06-01"])
    assert set(NEW_MILITARY) <= set(df.loc[df["kind"] == "new record", "record_id"])


def test_changes_command(cli):
    code, out, err = cli("changes", "--since", "2026-04", "--format", "json")
    assert code == 0, err
    events = json.loads(out)
    assert events[0]["date"] >= events[-1]["date"]
    assert any(e["record"] == "arnold-afb" and e["sources"] == "tullahoma-2026-06-01" for e in events)
    code, out, _ = cli("changes", "--since", "2026-04")
    assert "arnold-afb" in out and out.rstrip().endswith("since 2026-04")
    code, _, err = cli("changes", "--since", "June")
    assert code == 1 and err == "error: --since: 'June' is not a date; use YYYY-MM-DD, YYYY-MM or YYYY\n"


def test_validate_stale_lists_records_without_a_recent_source(cli, catalog):
    code, out, err = cli("validate", "--stale", "180")
    assert code == 0, err
    assert "edwards-afb" in out and "no update found since 2025-10-21" in out
    assert stale_records(catalog, 180).shape[0] == int(out.split(" record(s) with no source newer")[0].split("\n")[-1])
    code, out, _ = cli("validate", "--stale", str(10**6))
    assert "0 record(s) with no source newer" in out
    code, _, err = cli("validate", "--stale", "-1")
    assert code == 1 and "--stale: must be 0 or more days" in err


def test_exports_and_the_brief_carry_the_freshness(cli, tmp_path, monkeypatch):
    out = tmp_path / "sites.csv"
    code, _, err = cli("export", "sites", "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert {"source_age_days", "update_note"} <= set(header)
    assert "no update found since 2025-10-21" in text
    monkeypatch.setenv("GEODATA_STALE_DAYS", str(10**6))
    code, _, err = cli("export", "sites", "-o", str(out))
    assert "no update found since" not in out.read_text(encoding="utf-8")


def test_stale_days_setting_is_checked(cli, monkeypatch):
    monkeypatch.setenv("GEODATA_STALE_DAYS", "soon")
    code, _, err = cli("export", "sites", "-o", "/tmp/never-written.csv")
    assert code == 1 and "GEODATA_STALE_DAYS" in err and err.count("\n") == 1


def test_a_fresh_clone_loads_the_updated_catalog():
    c = load_catalog(SHIPPED_CATALOG)
    assert math.isclose(c.record("idaho-national-laboratory")[1]["area_acres"] / 640, 892.4, rel_tol=0.001)
