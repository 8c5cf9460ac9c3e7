"""The details panel: the selected record or imported parcel, with its sources and what is near it."""

from __future__ import annotations

import streamlit as st

from dashboard import data, draw_panel, layers_panel, shortlist_panel
from dashboard.render import details
from geodata.catalog.filters import Filters
from geodata.catalog.load import Catalog
from geodata.scoring.proximity import within_km

NEARBY_KM = 50


def render(catalog: Catalog, filters: Filters) -> None:
    ss = st.session_state
    hit = data.resolver(catalog).resolve(ss.selected)
    if hit is None:
        # nothing to show: the column is hidden (dashboard/layout.py) and the map takes its width
        st.html('<span class="atlas-no-details"></span>')
        shortlist_panel.show_notice()
        return
    shortlist_panel.show_notice()
    # at the top: the details run long (a phone shows them in a sheet over the map), closing must be at hand
    st.button("Clear selection", key="atlas_clear_selection", on_click=_clear)
    if hit.kind == "parcel":
        shortlist_panel.details_buttons(hit.id, hit.name)
        st.html(details.CSS + layers_panel.details_html(hit.layer, hit.row))
        return
    if hit.kind == "candidate":
        draw_panel.details(hit)
        shortlist_panel.details_buttons(hit.id, hit.name)
        return
    layer, row = catalog.record(ss.selected)
    if filters.as_of:
        view = data.filtered(catalog, data.stamp(data.catalog_dir()), layer, Filters(as_of=filters.as_of))
        match = view[view["id"] == ss.selected]
        if match.empty:
            st.warning(f"{row['name']} was first reported on {row['first_reported']}, after the as-of date.")
        else:
            row = match.iloc[0]
    nearby = None
    if layer == "sites" and row.geometry is not None:
        others = {
            name: data.filtered(catalog, data.stamp(data.catalog_dir()), name, Filters(as_of=filters.as_of))
            for name in ("investments", "facilities")
        }
        nearby = within_km(row.geometry, others, NEARBY_KM)
    if layer == "sites":  # first: the details run long, the button must not be under them
        shortlist_panel.details_buttons(row["id"], row["name"])
    st.html(details.record_html(catalog, layer, row, nearby, NEARBY_KM))


def _clear() -> None:
    st.session_state.selected = None
