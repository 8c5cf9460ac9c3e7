"""Every validation rule: the shipped catalog passes it; one broken record fails it
with a problem naming the file, the record and the field."""

from __future__ import annotations

import json

import pytest
from shapely.affinity import translate
from shapely.geometry import mapping, shape

from geodata.catalog.load import check_catalog


def first_id(copy, name: str, **where) -> str:
    for r in copy.rows(name):
        if all(r.get(k) == v for k, v in where.items()):
            return r["id"]
    raise AssertionError(f"no row in {name} with {where}")


def located_id(copy, name: str) -> str:
    return next(r["id"] for r in copy.rows(name) if r["lon"])


def polygon_site(copy) -> dict:
    return next(
        f
        for f in copy.sites()["features"]
        if f["geometry"] and f["geometry"]["type"] == "Polygon" and f["properties"]["anchor"]
    )


def problems_of(copy):
    catalog, problems = check_catalog(copy.dir)
    assert catalog is None, "a broken catalog must not load"
    return problems


def assert_problem(copy, file: str, record: str, field: str, words: str) -> None:
    problems = problems_of(copy)
    hits = [p for p in problems if p.file == file and record in p.record and p.field == field]
    assert hits, f"expected a problem in {file} / {record} / {field}; got:\n" + "\n".join(map(str, problems))
    assert any(words.lower() in p.message.lower() for p in hits), [p.message for p in hits]


def test_shipped_catalog_passes_every_rule():
    catalog, problems = check_catalog()
    assert problems == []
    assert catalog is not None


# ----------------------------------------------------------- per-record rules (CSV)

CSV_CASES = [
    # (file, field, bad value, words expected in the message)
    ("investments.csv", "phase", "phase-3", "not a known phase"),
    ("investments.csv", "status", "rumoured", "not a known status"),
    ("investments.csv", "sector", "crypto", "not a known sector"),
    ("investments.csv", "confidence", "certain", "not a known confidence"),
    ("investments.csv", "first_reported", "2025-13-01", "not a real calendar date"),
    ("investments.csv", "status_date", "yesterday", "not a date"),
    ("investments.csv", "amount_usd_high", "25B", "plain number"),
    ("investments.csv", "amount_usd_low", "-5", "must be 0 or more"),
    ("investments.csv", "state", "XX", "not a us state code"),
    ("investments.csv", "sources", "", "must not be empty"),
    ("investments.csv", "name", "", "required field is empty"),
    ("investments.csv", "id", "Bad Id!", "not a slug"),
    ("facilities.csv", "type", "castle", "not a known facility type"),
    ("facilities.csv", "geometry_quality", "perfect", "not a known geometry quality"),
    ("facilities.csv", "coord_method", "guess", "not a known coord method"),
]


@pytest.mark.parametrize(("file", "field", "value", "words"), CSV_CASES, ids=[f"{c[0]}:{c[1]}" for c in CSV_CASES])
def test_bad_csv_value_names_file_record_field(catalog_copy, file, field, value, words):
    rid = catalog_copy.rows(file)[0]["id"]
    catalog_copy.edit_row(file, rid, **{field: value})
    record = rid if field != "id" else "row 2"
    problems = problems_of(catalog_copy)
    hits = [p for p in problems if p.file == file and p.field == field and (record in p.record or value in p.record)]
    assert hits, "\n".join(map(str, problems))
    assert any(words.lower() in p.message.lower() for p in hits), [p.message for p in hits]


def test_amount_low_above_high(catalog_copy):
    rid = catalog_copy.rows("investments.csv")[0]["id"]
    catalog_copy.edit_row("investments.csv", rid, amount_usd_low="30", amount_usd_high="20")
    assert_problem(catalog_copy, "investments.csv", rid, "(record)", "greater than amount_usd_high")


def test_first_reported_after_status_date(catalog_copy):
    rid = catalog_copy.rows("facilities.csv")[0]["id"]
    catalog_copy.edit_row("facilities.csv", rid, first_reported="2030-01-01", status_date="2025-01-01")
    assert_problem(catalog_copy, "facilities.csv", rid, "(record)", "after status_date")


def test_geometry_note_required_for_approximate(catalog_copy):
    rid = first_id(catalog_copy, "facilities.csv", geometry_quality="approximate")
    catalog_copy.edit_row("facilities.csv", rid, geometry_note="")
    assert_problem(catalog_copy, "facilities.csv", rid, "(record)", "geometry_note is required")


def test_lon_without_lat(catalog_copy):
    rid = located_id(catalog_copy, "facilities.csv")
    catalog_copy.edit_row("facilities.csv", rid, lat="")
    assert_problem(catalog_copy, "facilities.csv", rid, "(record)", "lon and lat go together")


def test_point_outside_the_us(catalog_copy):
    rid = located_id(catalog_copy, "facilities.csv")
    row = next(r for r in catalog_copy.rows("facilities.csv") if r["id"] == rid)
    catalog_copy.edit_row("facilities.csv", rid, lon=str(-float(row["lon"])))  # sign flipped: Asia
    assert_problem(catalog_copy, "facilities.csv", rid, "geometry", "outside the us")


def test_point_in_another_state(catalog_copy):
    rid = next(r["id"] for r in catalog_copy.rows("facilities.csv") if r["lon"] and r["state"] != "AK")
    catalog_copy.edit_row("facilities.csv", rid, state="AK")
    assert_problem(catalog_copy, "facilities.csv", rid, "state", "not in ak")


def test_quality_none_with_a_point(catalog_copy):
    rid = located_id(catalog_copy, "facilities.csv")
    catalog_copy.edit_row("facilities.csv", rid, geometry_quality="none", geometry_note="x")
    assert_problem(catalog_copy, "facilities.csv", rid, "geometry_quality", "lon/lat are given")


def test_unknown_source(catalog_copy):
    rid = catalog_copy.rows("investments.csv")[0]["id"]
    catalog_copy.edit_row("investments.csv", rid, sources="S1;NOPE-99")
    assert_problem(catalog_copy, "investments.csv", rid, "sources", "unknown source 'nope-99'")


def test_unknown_facility_link(catalog_copy):
    rid = catalog_copy.rows("investments.csv")[0]["id"]
    catalog_copy.edit_row("investments.csv", rid, facility_id="fac-does-not-exist")
    assert_problem(catalog_copy, "investments.csv", rid, "facility_id", "unknown facility")


def test_unknown_site_link(catalog_copy):
    rid = catalog_copy.rows("investments.csv")[0]["id"]
    catalog_copy.edit_row("investments.csv", rid, site_id="no-such-site")
    assert_problem(catalog_copy, "investments.csv", rid, "site_id", "unknown site")


def test_duplicate_id_across_layers(catalog_copy):
    site_id = catalog_copy.sites()["features"][0]["properties"]["id"]
    rid = catalog_copy.rows("facilities.csv")[0]["id"]
    catalog_copy.edit_row("facilities.csv", rid, id=site_id)
    assert_problem(catalog_copy, "facilities.csv", site_id, "id", "duplicate id")


def test_source_date_must_parse(catalog_copy):
    sid = catalog_copy.rows("sources.csv")[0]["id"]
    catalog_copy.edit_row("sources.csv", sid, date="June 2025")
    assert_problem(catalog_copy, "sources.csv", sid, "date", "not a date")


def test_source_url_must_be_http(catalog_copy):
    sid = catalog_copy.rows("sources.csv")[0]["id"]
    catalog_copy.edit_row("sources.csv", sid, url="javascript:alert(1)")
    assert_problem(catalog_copy, "sources.csv", sid, "url", "not an http")


def test_unknown_column(catalog_copy):
    rows = catalog_copy.rows("facilities.csv")
    for r in rows:
        r["colour"] = "red"
    catalog_copy.write_rows("facilities.csv", rows)
    assert_problem(catalog_copy, "facilities.csv", "header", "colour", "unknown column")


def test_missing_required_column(catalog_copy):
    rows = catalog_copy.rows("investments.csv")
    for r in rows:
        del r["phase"]
    catalog_copy.write_rows("investments.csv", rows)
    assert_problem(catalog_copy, "investments.csv", "header", "phase", "required column is missing")


# ----------------------------------------------------------- status history


def test_history_unknown_record(catalog_copy):
    rows = catalog_copy.rows("status_history.csv")
    rows.append({"record_id": "ghost", "date": "2025-01-01", "status": "concept", "sources": "S1", "note": ""})
    catalog_copy.write_rows("status_history.csv", rows, list(rows[0]))
    assert_problem(catalog_copy, "status_history.csv", "ghost", "record_id", "unknown record")


def test_history_must_predate_current_status(catalog_copy):
    rows = catalog_copy.rows("status_history.csv")
    rows[0]["date"] = "2099-01-01"
    catalog_copy.write_rows("status_history.csv", rows)
    assert_problem(catalog_copy, "status_history.csv", rows[0]["record_id"], "date", "not before")


# ----------------------------------------------------------- sites (GeoJSON)


def test_site_vocabularies(catalog_copy):
    sid = polygon_site(catalog_copy)["properties"]["id"]
    catalog_copy.edit_site(sid, role="maybe", agency="NASA", land_status="tribal")
    problems = problems_of(catalog_copy)
    fields = {p.field for p in problems if sid in p.record}
    assert {"role", "agency", "land_status"} <= fields


def test_site_invalid_polygon(catalog_copy):
    feat = polygon_site(catalog_copy)
    x, y = feat["properties"]["anchor"]
    bowtie = {"type": "Polygon", "coordinates": [[[x, y], [x + 0.1, y + 0.1], [x + 0.1, y], [x, y + 0.1], [x, y]]]}
    catalog_copy.edit_site(feat["properties"]["id"], geometry=bowtie)
    assert_problem(catalog_copy, "sites.geojson", feat["properties"]["id"], "geometry", "self-intersection")


def test_site_polygon_outside_the_us(catalog_copy):
    feat = polygon_site(catalog_copy)
    moved = mapping(translate(shape(feat["geometry"]), xoff=180))
    catalog_copy.edit_site(feat["properties"]["id"], geometry=json.loads(json.dumps(moved)), anchor=None)
    assert_problem(catalog_copy, "sites.geojson", feat["properties"]["id"], "geometry", "outside the us")


def test_site_point_geometry_refused(catalog_copy):
    feat = polygon_site(catalog_copy)
    point = {"type": "Point", "coordinates": feat["properties"]["anchor"]}
    catalog_copy.edit_site(feat["properties"]["id"], geometry=point)
    assert_problem(catalog_copy, "sites.geojson", feat["properties"]["id"], "geometry", "polygon or multipolygon")


def test_site_acreage_off_needs_an_area_note(catalog_copy):
    feat = next(
        f
        for f in polygon_site_list(catalog_copy)
        if f["properties"]["reported_acres"] and not f["properties"].get("area_note")
    )
    sid = feat["properties"]["id"]
    catalog_copy.edit_site(sid, reported_acres=feat["properties"]["reported_acres"] * 3)
    assert_problem(catalog_copy, "sites.geojson", sid, "area_note", "off the reported")


def polygon_site_list(copy) -> list[dict]:
    return [f for f in copy.sites()["features"] if f["geometry"]]


def test_site_anchor_outside_outline(catalog_copy):
    feat = polygon_site(catalog_copy)
    x, y = feat["properties"]["anchor"]
    catalog_copy.edit_site(feat["properties"]["id"], anchor=[x + 2, y])
    assert_problem(catalog_copy, "sites.geojson", feat["properties"]["id"], "anchor", "not inside the outline")


def test_site_null_geometry_needs_quality_none(catalog_copy):
    feat = polygon_site(catalog_copy)
    catalog_copy.edit_site(feat["properties"]["id"], geometry=None)
    assert_problem(catalog_copy, "sites.geojson", feat["properties"]["id"], "geometry", "is null")


def test_sites_not_json(catalog_copy):
    (catalog_copy.dir / "sites.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    problems = problems_of(catalog_copy)
    assert problems[0].file == "sites.geojson" and "not valid json" in problems[0].message.lower()


def test_missing_file(catalog_copy):
    (catalog_copy.dir / "sources.csv").unlink()
    problems = problems_of(catalog_copy)
    assert [p.file for p in problems] == ["sources.csv"] and "missing" in problems[0].message


# ----------------------------------------------------------- the CLI reports them


def test_validate_cli_lists_problem_with_file_record_field(catalog_copy, cli):
    rid = catalog_copy.rows("investments.csv")[0]["id"]
    catalog_copy.edit_row("investments.csv", rid, phase="phase-9")
    code, out, err = cli("validate", "--catalog", str(catalog_copy.dir))
    assert code == 1
    line = next(line for line in out.splitlines() if rid in line)
    assert line.startswith("investments.csv: ") and ": phase: " in line and "'phase-9'" in line
    assert "problem(s)" in err
    assert "Traceback" not in out + err


def test_validate_cli_counts_on_valid_catalog(catalog, cli):
    code, out, err = cli("validate")
    assert code == 0, err
    for layer, n in catalog.counts().items():
        assert any(line.split() == [layer, str(n)] for line in out.splitlines()), out


def test_an_investment_with_its_own_point_stays_there_even_with_a_facility(catalog_copy):
    """A record's published lon/lat beats its facility's point (the marker check once compared the wrong text)."""
    rows = catalog_copy.rows("investments.csv")
    facilities = {r["id"]: r for r in catalog_copy.rows("facilities.csv")}
    inv = next(r for r in rows if not r["lon"] and facilities.get(r["facility_id"], {}).get("lon"))
    facility = facilities[inv["facility_id"]]
    own = (round(float(facility["lon"]) + 0.03, 4), round(float(facility["lat"]) + 0.02, 4))  # ~3 km away
    inv.update(
        lon=str(own[0]),
        lat=str(own[1]),
        state=facility["state"],
        geometry_quality="approximate",
        coord_method="city-centroid",
        geometry_note="test: a point of its own",
    )
    catalog_copy.write_rows("investments.csv", rows)
    catalog, problems = check_catalog(catalog_copy.dir)
    assert problems == []
    row = catalog.investments.set_index("id").loc[inv["id"]]
    assert row["located_via"] == "its own point"
    assert (row.geometry.x, row.geometry.y) == pytest.approx(own)
