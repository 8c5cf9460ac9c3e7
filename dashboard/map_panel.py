"""The map panel: the map itself, its jump buttons, clicks, the selection and the imported layers in view.

Which record an id names, and where it is, is decided by geodata.ids.Resolver;
this module only turns the answer into map moves and drawn groups.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from dashboard import data, draw_panel, drawing, finder_panel, layers_panel, mapview
from dashboard.render.text import esc
from dashboard.render.view import US_VIEW, View, view_bounds, zoom_for
from geodata.catalog.load import Catalog

RINGS_KM = (10, 25, 50)
PHOENIX_SITE = "desert-north-of-phoenix"
RETURNED = ["last_active_drawing", "last_object_clicked_count", "center", "zoom", "bounds"]


def jump(lat: float, lon: float, zoom: int) -> None:
    ss = st.session_state
    ss.target_nonce += 1
    # st_folium moves the map only when center/zoom differ from the last ones it
    # applied; a vanishing offset makes a repeated jump to the same place count.
    ss.map_target = (lat + ss.target_nonce * 1e-9, lon, zoom)


def is_known(catalog: Catalog, rid: str | None) -> bool:
    return data.resolver(catalog).known(rid)


def jump_to_record(catalog: Catalog, record_id: str) -> None:
    hit = data.resolver(catalog).resolve(record_id)
    g = hit.geometry if hit else None
    if g is None:
        return
    c = g.centroid if g.geom_type != "Point" else g
    jump(c.y, c.x, zoom_for(g) if g.geom_type != "Point" else 9)


def render(catalog: Catalog, frames: dict, base_url: str, rank=None, extra: list | None = None) -> None:
    """The map; `rank()` gives the ranking, asked for only when a selected site needs its nearest-feature lines.

    `extra` feature groups (a company's highlight) are drawn above the data layers.
    """
    ss = st.session_state
    v = catalog.vocab
    c1, c2, c3, _ = st.columns([1, 1.3, 1, 1.2])
    if c1.button("Continental US", help="Zoom out to the lower 48"):
        jump(*US_VIEW)
    if c2.button("Desert north of Phoenix", help="The Crystal Land search area"):
        jump_to_record(catalog, PHOENIX_SITE)
    if c3.button("Selected record", disabled=not ss.selected):
        jump_to_record(catalog, ss.selected)

    phase_labels = {k: v.label("phase", k) for k in v.values("phase")}
    type_labels = {k: v.label("facility_type", k) for k in v.values("facility_type")}
    status_labels = {k: v.label("status", k) for k in v.values("status")}
    colours = v.colours("phase")
    base = mapview.build_base_map(ss.base_view, ss.basemap, phase_labels, base_url, phase_colours=colours)
    drawing.DrawTools(base_url).add_to(base)
    groups = mapview.site_groups(frames["sites"], status_labels, phase_colours=colours)
    groups.append(mapview.investment_group(frames["investments"], status_labels, base_url, phase_colours=colours))
    groups.append(mapview.facility_group(frames["facilities"], status_labels, type_labels, phase_colours=colours))
    notes = imported_groups(groups)
    sel_geom, rings, links = None, (), None
    selected = data.resolver(catalog).resolve(ss.selected)
    if selected is not None:
        sel_geom, is_site = selected.geometry, selected.is_site
        rings = RINGS_KM if is_site else ()
        ranking = rank() if (is_site and rank is not None) else None
        scored = {s.id: s for s in ranking.sites} if ranking else {}
        links = scored[ss.selected].links if ss.selected in scored else None
    groups.extend(extra or ())
    groups.append(mapview.selection_group(sel_geom, "Selection", rings, links))
    groups.append(drawing.area_group(drawing.current()))
    groups += draw_panel.map_groups(finder_panel.result())
    target = ss.map_target
    out = (
        st_folium(
            base,
            key="atlas_map",
            height=620,
            use_container_width=True,
            feature_group_to_add=groups,
            layer_control=mapview.folium.LayerControl(collapsed=True),
            returned_objects=RETURNED,
            center=(target[0], target[1]) if target else None,
            zoom=target[2] if target else None,
        )
        or {}
    )
    for note in notes:
        st.caption(note)
    if drawing.problem():
        st.warning(drawing.problem())
    drawing.take(out)
    if out.get("center") and out.get("zoom"):
        ss.view = View(round(out["center"]["lat"], 4), round(out["center"]["lng"], 4), int(out["zoom"]))
    b = out.get("bounds") or {}
    if (b.get("_southWest") or {}).get("lat") is not None:
        ss.bounds = (b["_southWest"]["lng"], b["_southWest"]["lat"], b["_northEast"]["lng"], b["_northEast"]["lat"])
    click = out.get("last_active_drawing")
    click_key = (out.get("last_object_clicked_count"), ((click or {}).get("properties") or {}).get("id"))
    if click and click_key != ss.last_click:
        ss.last_click = click_key
        rid = (click.get("properties") or {}).get("id")
        if rid != ss.selected and is_known(catalog, rid):
            ss.selected = rid
            st.rerun()


def imported_groups(groups: list) -> list[str]:
    """Add a feature group per visible imported layer, with what is in view; return notes for the user."""
    ss = st.session_state
    view = ss.view or ss.base_view
    bounds = ss.get("bounds") or view_bounds(view.lat, view.lon, view.zoom)
    w, s, e, n = bounds
    pad_x, pad_y = (e - w) * 0.15, (n - s) * 0.15  # a margin, so a small pan shows no empty edge
    padded = (max(w - pad_x, -180), max(s - pad_y, -90), min(e + pad_x, 180), min(n + pad_y, 90))
    notes = []
    area = drawing.current()
    for k, info in enumerate(layers_panel.visible()):
        idx = layers_panel.index(info)
        part = idx.view(padded, view.zoom, within=area.polygon if area else None)
        colour = mapview.IMPORTED_COLOURS[k % len(mapview.IMPORTED_COLOURS)]
        groups.append(
            mapview.imported_group(f"Imported: {info.name}", part.geojson, [esc(f) for f in idx.fields], colour)
        )
        if part.total > part.shown:
            notes.append(
                f"Layer {info.name}: the {part.shown:,} largest of {part.total:,} parcels in view are drawn; "
                f"zoom in to see the {part.total - part.shown:,} more."
            )
        elif part.total:
            notes.append(f"Layer {info.name}: {part.total:,} parcel(s) in view.")
    return notes
