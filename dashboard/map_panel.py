"""The map panel: the map itself, its jump buttons, clicks, the selection and the imported layers in view.

Which record an id names, and where it is, is decided by geodata.ids.Resolver;
this module only turns the answer into map moves and drawn groups.
"""

from __future__ import annotations

import streamlit as st

from dashboard import data, draw_panel, drawing, finder_panel, layers_panel, layout, mapcontrols, mapview
from dashboard.render import places, styles
from dashboard.render.text import esc
from dashboard.render.view import US_VIEW, View, map_pixels, us_zoom, view_bounds, zoom_for
from geodata.catalog.load import LAYERS, Catalog

RINGS_KM = (10, 25, 50)
MIN_REPORTED_PX = 100
PHOENIX_SITE = "desert-north-of-phoenix"
RETURNED = ["last_active_drawing", "last_object_clicked_count", "center", "zoom", "bounds", "selected_layers"]
BASEMAP_KEYS = {label: key for key, (label, _) in styles.BASEMAPS.items()}


def jump(lat: float, lon: float, zoom: int) -> None:
    ss = st.session_state
    ss.target_nonce += 1
    # st_folium moves the map only when center/zoom differ from the last ones it
    # applied; a vanishing offset makes a repeated jump to the same place count.
    ss.map_target = (lat + ss.target_nonce * 1e-9, lon, zoom)


def reported_box(out: dict) -> tuple[tuple[float, float, float, float], tuple[int, int]] | None:
    """(W,S,E,N, the map's size in pixels) from the map's report, or None when it tells nothing usable.

    A frame not yet given its height reports a flat map; a zoom fitted to that size came out at 3.
    """
    b = out.get("bounds") or {}
    if (b.get("_southWest") or {}).get("lat") is None or not out.get("zoom"):
        return None
    bounds = (b["_southWest"]["lng"], b["_southWest"]["lat"], b["_northEast"]["lng"], b["_northEast"]["lat"])
    size = map_pixels(bounds, out["zoom"])
    return (bounds, size) if min(size) >= MIN_REPORTED_PX else None


def map_size() -> tuple[int, int] | None:
    """The map's size in pixels as the browser last reported it (None before the first report)."""
    return st.session_state.get("map_size")


def is_known(catalog: Catalog, rid: str | None) -> bool:
    return data.resolver(catalog).known(rid)


def jump_to_record(catalog: Catalog, record_id: str) -> None:
    hit = data.resolver(catalog).resolve(record_id)
    g = hit.geometry if hit else None
    if g is None:
        return
    c = g.centroid if g.geom_type != "Point" else g
    jump(c.y, c.x, zoom_for(g, map_size()) if g.geom_type != "Point" else 9)


def on_map(frame) -> int:
    """How many of these records the map draws (the others have no published location)."""
    g = frame.geometry
    return int((g.notna() & ~g.is_empty).sum()) if len(frame) else 0


def filtered_bounds(frames: dict) -> tuple[float, float, float, float] | None:
    boxes = [frames[layer].geometry.dropna() for layer in LAYERS]
    boxes = [b[~b.is_empty] for b in boxes if len(b)]
    boxes = [b.total_bounds for b in boxes if len(b)]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def zoom_to_filtered(frames: dict) -> None:
    box = filtered_bounds(frames)
    if box is None:
        return
    from shapely.geometry import box as make_box

    w, s, e, n = box
    jump((s + n) / 2, (w + e) / 2, zoom_for(make_box(w, s, e, n), map_size()) if (e - w) or (n - s) else 10)


@st.cache_resource(show_spinner=False, max_entries=4)
def _search_index(_catalog: Catalog, catalog_key: tuple) -> dict[str, places.Place]:
    from geodata.scoring.reference import us_cities

    return places.search_index({layer: _catalog.layer(layer) for layer in LAYERS}, us_cities())


def search_index(catalog: Catalog) -> dict[str, places.Place]:
    """What the place search offers, by label (built once per catalog version)."""
    return _search_index(catalog, data.stamp(data.catalog_dir()))


def _go_to_place(catalog: Catalog) -> None:
    ss = st.session_state
    label = ss.get("atlas_search")
    place = search_index(catalog).get(label) if label else None
    if place is None:
        return
    if place.record_id:
        ss.selected = place.record_id
    jump(place.lat, place.lon, place.zoom)
    ss.atlas_search = None


def buttons(catalog: Catalog, frames: dict, first_page: bool = False) -> None:
    """The row over the map: find a place, jump to the views people ask for, fit the filtered records.

    On a map-first page the search box waits for the next run: its index (30,000 places read from GeoNames
    and 80 kB sent to the browser) is not worth delaying the map for.
    """
    ss = st.session_state
    with st.container(key="atlas_map_buttons", horizontal=True, gap="small", vertical_alignment="bottom"):
        st.selectbox(
            "Find a place",
            [] if first_page else list(search_index(catalog)),
            index=None,
            key="atlas_search",
            placeholder="Find a site, company plant, state or town…",
            label_visibility="collapsed",
            on_change=_go_to_place,
            args=(catalog,),
            width=300,
            disabled=first_page,
        )
        if st.button("Continental US", help="Zoom out to the lower 48"):
            jump(US_VIEW[0], US_VIEW[1], us_zoom(map_size()))
        if st.button("Desert north of Phoenix", help="The Crystal Land search area"):
            jump_to_record(catalog, PHOENIX_SITE)
        if st.button("Filtered records", help="Fit the map to every record the filters keep"):
            zoom_to_filtered(frames)
        if st.button("Selected record", disabled=not ss.selected):
            jump_to_record(catalog, ss.selected)


def catalog_map(catalog: Catalog, frames: dict, view: View, basemap: str, base_url: str) -> tuple:
    """The base map and the catalog's layers on it: (folium map, [feature groups])."""
    v = catalog.vocab
    phase_labels = {k: v.label("phase", k) for k in v.values("phase")}
    type_labels = {k: v.label("facility_type", k) for k in v.values("facility_type")}
    status_labels = {k: v.label("status", k) for k in v.values("status")}
    colours = v.colours("phase")
    base = mapview.build_base_map(view, basemap, phase_labels, base_url, phase_colours=colours)
    drawing.DrawTools(base_url).add_to(base)
    groups = mapview.site_groups(frames["sites"], status_labels, phase_colours=colours)
    groups.append(mapview.investment_group(frames["investments"], status_labels, base_url, phase_colours=colours))
    groups.append(mapview.facility_group(frames["facilities"], status_labels, type_labels, phase_colours=colours))
    return base, groups


def render(catalog: Catalog, frames: dict, base_url: str, rank=None, extra: list | None = None) -> list[str]:
    """The map; `rank()` gives the ranking, asked for only when a selected site needs its nearest-feature lines.

    `extra` feature groups (a company's highlight) are drawn above the data layers. Returns the notes about
    imported layers in view, for under the map.
    """
    ss = st.session_state
    base, groups = catalog_map(catalog, frames, ss.base_view, ss.basemap, base_url)
    own = draw_panel.map_groups(finder_panel.result())  # drawn last, listed in the legend with imported layers
    notes = imported_groups(groups, [(name, colour) for _, name, colour in own])
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
    groups += [group for group, _, _ in own]
    # imported here, in a script run: streamlit_folium registers its component with the session's runtime
    # when first imported, and an import in the warm-up thread (no script run) would register nothing
    from streamlit_folium import st_folium

    target = ss.map_target
    out = (
        st_folium(
            base,
            key="atlas_map",
            height=layout.MAP_PX,
            use_container_width=True,
            feature_group_to_add=groups,
            layer_control=mapview.folium.LayerControl(collapsed=True),
            returned_objects=RETURNED,
            center=(target[0], target[1]) if target else None,
            zoom=target[2] if target else None,
        )
        or {}
    )
    if drawing.problem():
        st.warning(drawing.problem())
    drawing.take(out)
    for layer in out.get("selected_layers") or []:
        if (layer or {}).get("url") == "basemap" and layer.get("name") in BASEMAP_KEYS:
            ss.basemap = BASEMAP_KEYS[layer["name"]]
    if out.get("center") and out.get("zoom"):
        ss.view = View(round(out["center"]["lat"], 4), round(out["center"]["lng"], 4), int(out["zoom"]))
    reported = reported_box(out)
    if reported:
        ss.bounds, ss.map_size = reported
    click = out.get("last_active_drawing")
    click_key = (out.get("last_object_clicked_count"), ((click or {}).get("properties") or {}).get("id"))
    if click and click_key != ss.last_click:
        ss.last_click = click_key
        rid = (click.get("properties") or {}).get("id")
        if rid != ss.selected and is_known(catalog, rid):
            ss.selected = rid
            st.rerun()
    return notes


def imported_groups(groups: list, own: list[tuple[str, str]] = ()) -> list[str]:
    """Add a feature group per visible imported layer, with what is in view; return notes for the user.

    `own`: the legend lines of your sites and found tracts, listed with the imported layers.
    """
    ss = st.session_state
    view = ss.view or ss.base_view
    bounds = ss.get("bounds") or view_bounds(view.lat, view.lon, view.zoom)
    w, s, e, n = bounds
    pad_x, pad_y = (e - w) * 0.15, (n - s) * 0.15  # a margin, so a small pan shows no empty edge
    padded = (max(w - pad_x, -180), max(s - pad_y, -90), min(e + pad_x, 180), min(n + pad_y, 90))
    notes, legend = [], list(own)
    area = drawing.current()
    for k, info in enumerate(layers_panel.visible()):
        idx = layers_panel.index(info)
        part = idx.view(padded, view.zoom, within=area.polygon if area else None)
        colour = mapview.IMPORTED_COLOURS[k % len(mapview.IMPORTED_COLOURS)]
        legend.append((info.name, colour))
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
    keeper = mapview.folium.FeatureGroup(name="legend", control=False)  # carries the legend lines on every swap
    mapcontrols.LegendImported(styles.imported_legend_html(legend)).add_to(keeper)
    groups.append(keeper)
    return notes
