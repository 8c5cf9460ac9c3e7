"""Drawing on the map: the draw tools, the drawn area coming back as the area filter, and its outline.

The tools (dashboard/drawtools/) are written here and served by the app like the vendored
Leaflet files (dashboard/assets.py). A finished shape reaches Python as st_folium's `last_active_drawing` with a
`drawn` property; it becomes the text of the area filter's sidebar widget on the next run
(a widget's state can only be set before the widget is drawn), so the filter, the link and
the sentence all follow from the filter table as for any other filter.
"""

from __future__ import annotations

import folium
import streamlit as st
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from shapely.geometry import shape

from dashboard.assets import static_url
from geodata.catalog.area import Area, from_geometry, parse_area
from geodata.catalog.filterspec import SPEC

AREA_KEY = SPEC["area"].widget
PENDING = "area_pending"
SEEN = "area_drawn_seen"
PROBLEM = "area_problem"
AREA_COLOUR = "#7b2cbf"


class DrawTools(JSCSSMixin, MacroElement):
    """The draw control on the map (rectangle, polygon, measuring line, clear)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (window.atlasDraw) { window.atlasDraw.add({{ this._parent.get_name() }}); }
        {% endmacro %}
        """
    )

    def __init__(self, base: str = ""):
        super().__init__()
        self._name = "DrawTools"
        self.default_js = []  # in the map's one script (assets.map_js)
        self.default_css = [("atlas_draw_css", static_url("draw/atlas-draw.css", base))]


def apply_pending() -> None:
    """Before the sidebar is drawn: a shape drawn on the last run becomes the area filter's text."""
    ss = st.session_state
    if PENDING in ss:
        ss[AREA_KEY] = ss.pop(PENDING)


def take(out: dict) -> bool:
    """Read a newly drawn shape from st_folium's answer; True (and a rerun) when it changes the area filter."""
    ss = st.session_state
    drawing = out.get("last_active_drawing") or {}
    props = drawing.get("properties") or {}
    kind, n = props.get("drawn"), props.get("n")
    if not kind or n == ss.get(SEEN):
        return False
    ss[SEEN] = n
    ss.pop(PROBLEM, None)
    if kind == "clear":
        ss[PENDING] = ""
        st.rerun()
    try:
        area = from_geometry(shape(drawing.get("geometry") or {}))
    except (ValueError, AttributeError, TypeError, IndexError) as exc:
        # the filter keeps the area it had; the drawing is refused in one sentence
        ss[PROBLEM] = (
            f"The drawn area was not used: {exc}."
            if isinstance(exc, ValueError)
            else ("The drawn area was not used: it is not a polygon.")
        )
        st.rerun()
    ss[PENDING] = area.text
    st.rerun()
    return True


def problem() -> str | None:
    return st.session_state.get(PROBLEM)


def current() -> Area | None:
    """The area filter as the sidebar holds it (None when unset or unusable)."""
    text = (st.session_state.get(AREA_KEY) or "").strip()
    if not text:
        return None
    try:
        return parse_area(text)
    except ValueError:
        return None


def area_group(area: Area | None) -> folium.FeatureGroup:
    """The area filter's outline, not clickable, so the records under it stay clickable."""
    group = folium.FeatureGroup(name="Drawn area", control=False)
    if area is not None:
        folium.Polygon(
            [(lat, lon) for lon, lat in area.corners],
            color=AREA_COLOUR,
            weight=2,
            dash_array="6 4",
            fill=True,
            fill_opacity=0.04,
            interactive=False,
        ).add_to(group)
    return group
