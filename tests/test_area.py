"""The area filter's value: its link text, its size, and the shapes it refuses (one sentence each)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geodata.catalog.area import MAX_CORNERS, from_geometry, parse_area
from geodata.catalog.filters import Filters, apply_filters, describe
from geodata.geometry import acres
from geodata.layers.index import LayerIndex
from tests import landgen


def test_box_text_round_trips_and_its_size_is_equal_area():
    area = parse_area("-113.2,33.2,-111.6,34.3")
    assert area.is_box and area.text == "-113.2,33.2,-111.6,34.3"
    assert parse_area(area.text) == area
    assert area.acres == pytest.approx(acres(shapely.box(-113.2, 33.2, -111.6, 34.3)))
    assert "km²" in area.show() and "acres" in area.show()


def test_a_drawn_polygon_is_rounded_to_4_decimals_and_closed_rings_are_read():
    area = parse_area("-112.123456,33.1,-111.9,33.1,-112.0,33.3,-112.123456,33.1")
    assert area.corners[0] == (-112.1235, 33.1) and len(area.corners) == 3 and not area.is_box
    assert from_geometry(area.polygon) == area


@pytest.mark.parametrize(
    "text, message",
    [
        ("-112,33,-111,34,-111,33,-112,34", "edges cross each other"),
        ("1,1,2,2,3,3", "the area is empty"),
        ("-111,33,-112,34", "the box is empty"),
        ("170,10,-170,20", "crosses the antimeridian"),
        ("170,10,-170,10,-170,20", "crosses the antimeridian"),
        ("1,2,3", "3 numbers"),
        ("a,b,c,d", "is not numbers"),
        ("-200,33,-111,34", "outside -180..180"),
    ],
)
def test_shapes_that_cannot_filter_are_refused_in_one_sentence(text, message):
    with pytest.raises(ValueError, match=message):
        parse_area(text)


def test_too_many_corners_for_a_link_is_refused():
    ring = shapely.Point(-112, 33.5).buffer(0.3, quad_segs=32)
    with pytest.raises(ValueError, match=f"more than the {MAX_CORNERS} a link can hold"):
        from_geometry(ring)


def test_the_area_filters_every_layer_and_reads_in_the_sentence(catalog):
    area = parse_area("-113.2,33.2,-111.6,34.3")
    f = Filters(area=area)
    for layer in ("sites", "investments", "facilities"):
        got = apply_filters(catalog, layer, f)
        assert got.geometry.intersects(area.polygon).all()
        located = catalog.layer(layer)
        located = located[located.geometry.notna()]
        assert len(got) == int(located.geometry.intersects(area.polygon).sum())
    assert "within the box W,S,E,N -113.2,33.2,-111.6,34.3" in describe(f)
    assert f.to_json() == {"area": "-113.2,33.2,-111.6,34.3"}  # kept with a shortlist as its link text


def test_imported_parcels_are_filtered_by_intersection():
    gdf = landgen.land()
    gdf.insert(0, "feature_id", [str(i) for i in range(len(gdf))])
    idx = LayerIndex(gpd.GeoDataFrame(gdf, crs=4326), "land")
    every = idx.view((-114, 32, -112, 34), 10)
    grid = landgen._rect((0, 0, 2, 2), landgen.ORIGIN)
    inside = idx.view((-114, 32, -112, 34), 10, within=grid)
    assert every.total == 15
    # the four grid parcels, and the Forest Service parcel that shares the grid's east edge
    assert inside.total == 5


def test_a_drawing_past_180_degrees_is_refused_as_crossing_the_antimeridian():
    with pytest.raises(ValueError, match="crosses the antimeridian"):
        from_geometry(shapely.box(175, 50, 185, 55))
