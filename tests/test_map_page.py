"""The map page's pure parts and wide combinations: shortlist order, counts of what is drawn, colours, search."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import mapview
from dashboard.render import places, styles
from dashboard.shortlist_panel import typed_order
from geodata.catalog.filters import Filters, apply_filters
from geodata.catalog.load import LAYERS

from .test_app import run_app


def edits(ranks, remove=None):
    n = len(ranks)
    return pd.DataFrame(
        {
            "rank": ranks,
            "id": list("abcdef"[:n]),
            "note": [""] * n,
            "remove": remove or [False] * n,
            "_order": range(n),
        }
    )


@pytest.mark.parametrize(
    "ranks,remove,expected",
    [
        ([1, 2, 1], None, ["c", "a", "b"]),  # rank 1 typed on row 3: it becomes first
        ([3, 2, 3], None, ["b", "c", "a"]),  # rank 3 typed on row 1: it becomes last
        ([1, 2, 3], None, ["a", "b", "c"]),
        ([4, 2, 3, 1], None, ["d", "b", "c", "a"]),  # a swap
        ([2, 2, 3, 4], [False, False, True, False], ["b", "a", "d"]),  # with a removal
        ([1, 1, 3], None, ["b", "a", "c"]),  # row 2 typed 1: it goes first
    ],
)
def test_a_reorder_gives_the_typed_order(ranks, remove, expected):
    assert typed_order(edits(ranks, remove)) == expected


def test_imported_layers_never_look_like_a_phase():
    phase = {c.lower() for c in styles.PHASE_COLOURS.values()} | {styles.EXCLUSION_COLOUR.lower()}
    assert not phase & {c.lower() for c in mapview.IMPORTED_COLOURS}


def test_approximate_shapes_are_dashed_and_the_legend_says_so():
    approx = styles.site_style("candidate", "concept", quality="approximate")
    exact = styles.site_style("candidate", "concept", quality="authoritative")
    assert approx.get("dashArray") == styles.APPROXIMATE_DASH and "dashArray" not in exact
    legend = styles.legend_html({"concept": "Concept"})
    assert "Approximate shape" in legend and "km rings" in legend and "atlas-legend-imported" in legend
    assert "<details open" not in legend


def test_search_offers_records_states_and_towns(catalog):
    index = places.search_index(
        {layer: catalog.layer(layer) for layer in LAYERS},
        [{"name": "Flagstaff", "admin1code": "AZ", "latitude": 35.2, "longitude": -111.65, "population": 70000}],
    )
    site = catalog.sites.iloc[0]
    hit = index[f"Site: {site['name']}"]
    assert hit.record_id == site["id"]
    assert "State: Arizona" in index and index["Place: Flagstaff, AZ"].zoom >= 10


@pytest.mark.parametrize("query", [{}, {"phase": "phase-1"}, {"company": "SoftBank"}])
def test_counts_say_how_many_are_on_the_map(catalog, query):
    at = run_app(query)
    key = {"phase": "phase", "company": "company"}
    filters = Filters(**{key[k]: (v,) for k, v in query.items()})
    for m in at.metric:
        if m.label.lower() not in LAYERS:
            continue
        df = apply_filters(catalog, m.label.lower(), filters)
        drawn = int(df.geometry.notna().sum())
        assert int(m.value) == len(df)
        if drawn == len(df):
            assert not m.delta
        else:
            assert m.delta == f"{drawn} on the map", (m.label, m.delta)


def test_weights_without_data_are_disabled(tmp_path, monkeypatch):
    monkeypatch.setenv("GEODATA_HOME", str(tmp_path))  # no transmission or power-plant data imported
    at = run_app(tab="Score")
    assert at.slider(key="w_transmission").disabled and at.slider(key="w_power").disabled
    assert not at.slider(key="w_area").disabled and not at.slider(key="w_metro").disabled
    table = next(d for d in at.dataframe if "score" in d.value.columns).value
    if "area" in table:
        assert not table["area"].isna().any() and "None" not in set(map(str, table["area"]))


def test_a_flat_report_from_a_frame_without_its_height_is_not_the_maps_size():
    from dashboard.map_panel import reported_box

    def report(south: float, north: float) -> dict:
        return {
            "zoom": 4,
            "bounds": {"_southWest": {"lat": south, "lng": -125.0}, "_northEast": {"lat": north, "lng": -67.0}},
        }

    assert reported_box(report(39.5, 39.5)) is None  # height 0: the frame before Streamlit sized it
    bounds, (w, h) = reported_box(report(24.0, 50.0))
    assert bounds == (-125.0, 24.0, -67.0, 50.0) and w > 600 and h > 300
    assert reported_box({"zoom": 4, "bounds": {"_southWest": {"lat": None}}}) is None
