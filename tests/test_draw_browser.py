"""Draw to filter in a real browser: a rectangle drawn on the map filters the records, the link keeps it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from geodata.catalog.area import parse_area
from geodata.catalog.filters import Filters, apply_filters

from .browser import MAP_FRAME, wait_for, wait_idle
from .test_browser import current_url, hostile_catalog, located, open_app, page, server, site_paths  # noqa: F401

pytestmark = pytest.mark.browser

PHOENIX = "lat=33.60&lon=-112.10&z=8&basemap=none"


def _count(catalog, text: str) -> int:
    return len(located(apply_filters(catalog, "sites", Filters(area=parse_area(text)))))


def test_drawing_a_rectangle_filters_and_the_link_restores_it(page, server, hostile_catalog, chromium):  # noqa: F811
    frame = open_app(page, server, PHOENIX)
    wait_idle(page)
    before = site_paths(frame)
    frame.locator(".atlas-draw-rectangle").click()
    box = page.locator(MAP_FRAME).bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 120, cy - 90)
    page.mouse.down()
    page.mouse.move(cx, cy, steps=5)
    page.mouse.move(cx + 120, cy + 90, steps=5)
    page.mouse.up()
    readout = frame.locator(".atlas-draw-readout").inner_text()
    wait_for(lambda: "area=" in current_url(page), what="the area in the link")
    text = parse_qs(urlparse(current_url(page)).query)["area"][0]
    area = parse_area(text)
    assert area.is_box
    # the size the tool showed while drawing agrees with the equal-area acreage of the filter it made
    shown = float(re.search(r"([\d,]+) acres", readout).group(1).replace(",", ""))
    assert shown == pytest.approx(area.acres, rel=0.01)
    expected = _count(hostile_catalog, text)
    assert expected < before
    wait_for(lambda: site_paths(frame) == expected, what="only the sites in the drawn area")
    assert page.get_by_text("within the box W,S,E,N").count() >= 1  # the Showing: sentence
    copied = current_url(page)
    other = chromium.new_page(viewport={"width": 1500, "height": 1300})
    try:
        other.goto(copied, wait_until="domcontentloaded")
        frame2 = other.frame_locator(MAP_FRAME)
        frame2.locator("path.atlas-site").first.wait_for(state="attached", timeout=60_000)
        wait_for(lambda: frame2.locator("path.atlas-site").count() == expected, what="restored area filter")
        other.get_by_text("Also set under More filters: Area").wait_for(timeout=30_000)  # said while closed
        other.get_by_text("More filters", exact=True).click()
        field = other.locator("[data-testid='stSidebar'] input[aria-label='Area']")
        field.wait_for(timeout=30_000)
        assert field.input_value() == text
    finally:
        other.close()


def test_a_typed_area_that_crosses_itself_is_explained_and_nothing_is_lost(page, server):  # noqa: F811
    open_app(page, server, PHOENIX + "&area=-112,33,-111,34,-111,33,-112,34&state=AZ")
    wait_idle(page)
    assert page.get_by_text("edges cross each other").count() >= 1
    assert "state=AZ" in current_url(page)


def _map_point(pg, dx: float, dy: float) -> tuple[float, float]:
    box = pg.locator(MAP_FRAME).bounding_box()
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def test_polygon_line_and_clear(page, server, hostile_catalog):  # noqa: F811
    frame = open_app(page, server, PHOENIX)
    wait_idle(page)
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    # a polygon: three corners, the last one double-clicked
    frame.locator(".atlas-draw-polygon").click()
    for dx, dy in ((-200, -150), (-40, -160)):
        page.mouse.click(*_map_point(page, dx, dy))
        page.wait_for_timeout(200)
    page.mouse.dblclick(*_map_point(page, -120, -20))
    wait_for(lambda: "area=" in current_url(page), what="the polygon in the link")
    text = parse_qs(urlparse(current_url(page)).query)["area"][0]
    area = parse_area(text)
    assert not area.is_box and len(area.corners) == 3
    shown = float(
        re.search(r"([\d,]+) acres", frame.locator(".atlas-draw-readout").inner_text()).group(1).replace(",", "")
    )
    assert shown == pytest.approx(area.acres, rel=0.01)
    wait_for(lambda: site_paths(frame) == _count(hostile_catalog, text), what="sites in the polygon")
    # a measured line: its length, great-circle, as pyproj's geodesic says within 0.5 %
    frame.locator(".atlas-draw-line").click()
    page.mouse.click(*_map_point(page, -200, 100))
    page.wait_for_timeout(200)
    page.mouse.dblclick(*_map_point(page, -20, 140))
    km = float(re.search(r"([\d,.]+) km", frame.locator(".atlas-draw-readout").inner_text()).group(1).replace(",", ""))
    pts = frame.locator("body").evaluate(
        "() => window.atlasDraw.control._measured.getLatLngs().map(function (p) { return [p.lng, p.lat]; })"
    )
    from pyproj import Geod

    (lon1, lat1), (lon2, lat2) = pts
    assert km == pytest.approx(Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2] / 1000, rel=0.005)
    assert "area=" in current_url(page)  # measuring does not change the filter
    frame.locator(".atlas-draw-clear").click()
    wait_for(lambda: "area=" not in current_url(page), what="the area cleared from the link")
