"""The details panel: the selected record or imported parcel, with its sources and what is near it."""

from __future__ import annotations

import hashlib

import streamlit as st
import streamlit.components.v1 as components

from dashboard import data, draw_panel, layers_panel, layout, shortlist_panel
from dashboard.render import details
from geodata.catalog.filters import Filters
from geodata.catalog.load import Catalog
from geodata.scoring.proximity import within_km

NEARBY_KM = 50
NARROW_PX = 640  # under this width Streamlit stacks the columns: the details fall under the map
# Scrolls the page to the details on a phone. A digest of the record id is in the script so that a new
# selection makes a new frame (the script runs again) while reruns for the same record keep the frame; a
# digest, not the id, because a parcel's id comes from an imported file and must never reach a script.
BRING_INTO_VIEW = """<script>/* {rid} */
(function () {{
  var w = window.parent;
  if (w.innerWidth >= {narrow}) {{ return; }}
  var box = w.document.querySelector('.st-key-{box}');
  if (box) {{ box.scrollIntoView({{behavior: 'smooth', block: 'start'}}); }}
}})();
</script>"""


def render(catalog: Catalog, filters: Filters) -> None:
    ss = st.session_state
    hit = data.resolver(catalog).resolve(ss.selected)
    if hit is None:
        # nothing to show: the column is hidden (dashboard/layout.py) and the map takes its width
        st.html('<span class="atlas-no-details"></span>')
        shortlist_panel.show_notice()
        return
    shortlist_panel.show_notice()
    components.html(
        BRING_INTO_VIEW.format(
            rid=hashlib.sha256(hit.id.encode()).hexdigest()[:16], narrow=NARROW_PX, box=layout.DETAILS_BOX
        ),
        height=0,
    )
    if hit.kind == "parcel":
        shortlist_panel.details_buttons(hit.id, hit.name)
        st.html(details.CSS + layers_panel.details_html(hit.layer, hit.row))
        if st.button("Clear selection"):
            ss.selected = None
            st.rerun()
        return
    if hit.kind == "candidate":
        draw_panel.details(hit)
        shortlist_panel.details_buttons(hit.id, hit.name)
        if st.button("Clear selection"):
            ss.selected = None
            st.rerun()
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
    if st.button("Clear selection"):
        ss.selected = None
        st.rerun()
