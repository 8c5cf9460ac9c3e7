"""`geodata find` on a generated land layer whose right answer is known by construction (tests/landgen.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest
import shapely

from geodata.geometry import acres
from geodata.sitefinder.tracts import groups, inscribed_width_m
from tests import landgen


@pytest.fixture
def land(tmp_path):
    land_path, monument_path = landgen.write(tmp_path / "in")
    return land_path, monument_path, tmp_path / "home"


def _names(parcel_ids: list[str]) -> tuple[str, ...]:
    by_id = landgen.names_by_id(landgen.land())
    return tuple(sorted(by_id[p] for p in parcel_ids))


def _find(cli, land, *extra, fmt="json"):
    land_path, _, home = land
    args = ["find", "--land", str(land_path), "--keep", landgen.KEEP, "--min-acres", str(landgen.MIN_ACRES)]
    code, out, err = cli(*args, "--home", str(home), "--format", fmt, *extra)
    return code, out, err


def test_find_returns_exactly_the_three_tracts_built_to_qualify(cli, land):
    _, monument, _ = land
    code, out, err = _find(
        cli,
        land,
        "--min-width-m",
        str(landgen.MIN_WIDTH_M),
        "--exclude",
        str(monument),
        "--near",
        landgen.NEAR,
    )
    assert code == 0, err
    rows = json.loads(out)
    assert {_names(r["parcels"]) for r in rows} == landgen.QUALIFY
    by_names = {_names(r["parcels"]): r for r in rows}
    grid = by_names[("Grid NE", "Grid NW", "Grid SE", "Grid SW")]
    assert grid["area_acres"] == pytest.approx(988.4, abs=1)
    # built as a 2 km square in EPSG:5070; measured in a site-centred CRS, Albers' scale error is under 1 %
    assert grid["width_m"] == pytest.approx(2000, rel=0.01)
    assert by_names[("Pair E", "Pair W")]["width_m"] == pytest.approx(1200, rel=0.01)
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert all(set(r["criteria"]) >= {"area", "interstate", "metro", "land"} for r in rows)
    assert all("km ≤ 20" in r["why"] and "m wide ≥ 800" in r["why"] for r in rows)


def test_each_rule_is_what_keeps_out_its_tract(cli, land):
    _, monument, _ = land
    _, out, _ = _find(cli, land, "--min-width-m", "800", "--exclude", str(monument))
    assert ("Far",) in {_names(r["parcels"]) for r in json.loads(out)}  # only the distance rule drops it
    _, out, _ = _find(cli, land, "--min-width-m", "800", "--near", landgen.NEAR)
    assert ("Cut E", "Cut W") in {_names(r["parcels"]) for r in json.loads(out)}  # only the exclusion cuts it
    _, out, _ = _find(cli, land, "--exclude", str(monument), "--near", landgen.NEAR)
    found = {_names(r["parcels"]): r for r in json.loads(out)}
    assert found[("Strip E", "Strip W")]["width_m"] == pytest.approx(500, rel=0.01)  # only the width drops it
    # Forest Service land is not kept, so it neither forms a tract nor merges with the grid next to it
    assert not any("Forest" in n for names in found for n in names)


def test_a_buffer_widens_the_exclusion(cli, land):
    _, monument, _ = land
    _, out, _ = _find(cli, land, "--exclude", str(monument), "--min-acres", "300", "--no-catalog-exclusions")
    pieces = [r for r in json.loads(out) if _names(r["parcels"]) in {("Cut W",), ("Cut E",)}]
    assert sorted(round(r["area_acres"]) for r in pieces) == [353, 353]
    _, out, _ = _find(cli, land, "--exclude", str(monument), "--min-acres", "300", "--buffer-m", "200")
    assert not [r for r in json.loads(out) if _names(r["parcels"]) in {("Cut W",), ("Cut E",)}]


def test_csv_geojson_and_output_file(cli, land, tmp_path):
    code, out, _ = _find(cli, land, "--min-width-m", "800", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"id", "area_acres", "width_m", "parcels_merged", "parcels", "why"} <= set(rows[0])
    target = tmp_path / "tracts.geojson"
    code, _, err = _find(cli, land, "--min-width-m", "800", "-o", str(target), fmt="geojson")
    assert code == 0 and "wrote" in err
    doc = json.loads(target.read_text())
    assert "800 m wide" in doc["search"]
    for feat in doc["features"]:
        geom = shapely.geometry.shape(feat["geometry"])
        assert acres(geom) == pytest.approx(feat["properties"]["area_acres"], rel=1e-3)
        assert feat["properties"]["id"].startswith("tract-")


def test_ids_are_stable_between_runs(cli, land):
    first = [r["id"] for r in json.loads(_find(cli, land)[1])]
    assert first == [r["id"] for r in json.loads(_find(cli, land)[1])]


@pytest.mark.parametrize(
    "extra, expected",
    [
        (("--keep", "Manager=BLM"), "has no field 'Manager'; its fields are"),
        (("--keep", "Mang_Name"), "--keep: 'Mang_Name' is not FIELD=VALUE"),
        (("--near", "airport=5"), "--near: 'airport=5' is not NAME=KM"),
        (("--near", "interstate=-3"), "--near: interstate must be more than 0 km"),
        (("--min-acres", "1000000"), "no tract passed: 13 of 15 parcels have Mang_Name=BLM"),
        (("--min-width-m", "-1"), "--min-width-m: must be 0 m or more"),
        (("--bbox", "10,10,5,5"), "--bbox:"),
    ],
)
def test_bad_input_is_one_clear_line(cli, land, extra, expected):
    code, out, err = _find(cli, land, *extra)
    assert code == 1 and out == ""
    assert expected in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and "unexpected" not in err


def test_a_land_that_is_neither_file_nor_layer(cli, tmp_path):
    code, _, err = cli("find", "--land", "nowhere", "--keep", "a=b", "--min-acres", "1", "--home", str(tmp_path))
    assert code == 1 and "'nowhere' is neither a file nor an imported layer (layers: none imported yet)" in err


def test_a_land_file_outside_the_allow_list_is_refused(cli, tmp_path):
    bad = tmp_path / "land.exe"
    bad.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    code, _, err = cli("find", "--land", str(bad), "--keep", "a=b", "--min-acres", "1", "--home", str(tmp_path))
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_imported_layer_is_found_by_name(cli, land):
    land_path, monument, home = land
    (home / "layers").mkdir(parents=True)
    code, _, err = cli("import", "file", str(land_path), "-o", str(home / "layers" / "padus-phoenix.parquet"))
    assert code == 0, err
    code, out, err = cli(
        "find", "--land", "padus-phoenix", "--keep", "mang_name=blm", "--min-acres", "500", "--min-width-m", "800",
        "--exclude", str(monument), "--near", landgen.NEAR, "--home", str(home), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert len(json.loads(out)) == 3


def test_groups_merge_touching_parcels_only():
    squares = [shapely.box(i, 0, i + 1, 1) for i in (0, 1, 2, 5, 6)] + [shapely.box(10, 10, 11, 11)]
    got = sorted(sorted(g.tolist()) for g in groups(__import__("numpy").array(squares, dtype=object)))
    assert got == [[0, 1, 2], [3, 4], [5]]


def test_width_is_the_inscribed_diameter():
    rect = landgen._rect((0, 0, 3, 0.6), landgen.ORIGIN)
    assert inscribed_width_m(rect) == pytest.approx(600, rel=0.01)


def test_found_tracts_saved_as_candidates_are_scored_shortlisted_exported_and_deleted(cli, land, tmp_path):
    _, monument, home = land
    code, _, err = _find(cli, land, "--min-width-m", "800", "--exclude", str(monument), "--near", landgen.NEAR,
                         "--save", "2")  # fmt: skip
    assert code == 0 and err.count("as your candidate site") == 2
    code, out, _ = cli("candidates", "list", "--home", str(home), "--format", "json")
    saved = json.loads(out)
    assert [c["origin"] for c in saved] == ["found", "found"] and all(c["id"].startswith("drawn:") for c in saved)
    first = saved[0]["id"]
    # scored with the catalog's sites, inside the area filter
    code, out, _ = cli("score", "--home", str(home), "--bbox", "-113.5,33,-112.5,34", "--format", "json")
    assert first in {s["id"] for s in json.loads(out)}
    code, out, _ = cli("score", "--home", str(home), "--bbox", "-100,30,-99,31", "--format", "json")
    assert first not in out
    # never in the curated catalog
    code, out, _ = cli("list", "sites", "--format", "json")
    assert first not in out
    assert cli("shortlist", "create", "mine", "--home", str(home))[0] == 0
    code, _, err = cli("shortlist", "add", "mine", first, "--home", str(home))
    assert code == 0, err
    target = tmp_path / "mine.geojson"
    assert cli("shortlist", "export", "mine", "-o", str(target), "--home", str(home))[0] == 0
    feature = json.loads(target.read_text())["features"][0]
    assert feature["properties"]["id"] == first and feature["geometry"]["type"] == "Polygon"
    assert cli("candidates", "delete", first, "--home", str(home))[0] == 0
    code, _, err = cli("candidates", "delete", first, "--home", str(home))
    assert code == 1 and "unknown candidate site" in err


def test_a_drawn_polygon_file_becomes_a_candidate_and_bad_shapes_are_refused(cli, land, tmp_path):
    _, monument, home = land
    code, out, _ = cli("candidates", "add", str(monument), "--name", "My site", "--note", "=cmd", "--home", str(home))
    assert code == 0 and "drawn:my-site" in out
    bow = tmp_path / "bow.geojson"
    ring = [[-112, 33], [-111, 34], [-111, 33], [-112, 34], [-112, 33]]
    bow.write_text(
        json.dumps({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    )
    code, _, err = cli("candidates", "add", str(bow), "--name", "Bow", "--home", str(home))
    assert code == 1 and "edges cross each other" in err and len(err.strip().splitlines()) == 1
    code, out, _ = cli("candidates", "list", "--home", str(home), "--format", "json")
    assert [c["name"] for c in json.loads(out)] == ["My site"]  # nothing the user had is lost


def test_a_search_too_large_says_how_to_narrow_it(cli, land, monkeypatch):
    from geodata.sitefinder import search

    monkeypatch.setattr(search, "MAX_PARCELS", 5)
    code, out, err = _find(cli, land)
    assert code == 1 and out == ""
    assert "13 parcels match, more than the 5 one search handles; use a smaller --bbox or fewer --keep values" in err
