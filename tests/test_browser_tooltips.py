"""Investment markers (inside the marker cluster) show their tooltip on hover, without a script error."""

from __future__ import annotations

import pytest

from .browser import MAP_FRAME, wait_for
from .test_browser import hostile_catalog, map_window, open_app, page, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _uncovered_investment(page, frame):  # noqa: F811
    """Page coordinates of the centre of an investment marker that no other marker covers."""
    offset = page.locator(MAP_FRAME).bounding_box()
    markers = frame.locator("path.atlas-investment")
    for i in range(markers.count()):
        box = markers.nth(i).bounding_box()
        if not box:
            continue
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        on_top = map_window(page).evaluate(
            "([x, y]) => (document.elementFromPoint(x, y)?.getAttribute('class') || '')",
            [x - offset["x"], y - offset["y"]],
        )
        if "atlas-investment" in on_top:
            return x, y
    return None


def test_hovering_an_investment_marker_shows_its_tooltip_and_throws_nothing(page, server):  # noqa: F811
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    frame = open_app(page, server, "basemap=none")
    # Investments made at a factory sit under its marker: hide the facilities, as a user would, in the layer control.
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text="Facilities").locator("input").uncheck()
    at = wait_for(lambda: _uncovered_investment(page, frame), what="an investment marker outside any cluster")
    page.mouse.move(*at)
    tooltip = frame.locator(".leaflet-tooltip", has_text="Investor")
    wait_for(lambda: tooltip.count() == 1, what="the investment's tooltip")
    assert "Investment" in tooltip.inner_text() and "Amount" in tooltip.inner_text()
    page.mouse.move(5, 5)
    page.wait_for_timeout(300)
    assert errors == [], errors
