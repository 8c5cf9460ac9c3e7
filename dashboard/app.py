"""Crystal Land sites atlas: candidate federal-land sites, announced investments and
company facilities for the proposed Japan-funded AI-infrastructure industrial parks.

Run from the repository root:  streamlit run dashboard/app.py
"""

from __future__ import annotations

import logging
import time

import streamlit as st
from streamlit_folium import st_folium

from dashboard import (
    assets,
    charts,
    data,
    details,
    layers_panel,
    mapview,
    score_panel,
    shortlist_panel,
    sidebar,
    urlstate,
)
from dashboard.mapview import US_VIEW, View
from geodata import settings
from geodata.catalog.filters import Filters, describe
from geodata.catalog.load import LAYERS, Catalog
from geodata.export import formats as exporters
from geodata.money import format_usd
from geodata.scoring.proximity import within_km

NEARBY_KM = 50
RINGS_KM = (10, 25, 50)
PHOENIX_SITE = "desert-north-of-phoenix"
# Only what the app reads back: a click (the feature's properties) and the view.
RETURNED = ["last_active_drawing", "last_object_clicked_count", "center", "zoom", "bounds"]
TABLE_COLUMNS = {
    "sites": [
        "id",
        "name",
        "role",
        "phase",
        "status",
        "agency",
        "state",
        "reported_acres",
        "area_acres",
        "geometry_quality",
        "confidence",
        "as_of",
    ],
    "investments": [
        "id",
        "name",
        "investor",
        "amount_usd",
        "phase",
        "sector",
        "status",
        "location",
        "first_reported",
        "confidence",
        "as_of",
    ],
    "facilities": [
        "id",
        "name",
        "company",
        "type",
        "city",
        "state",
        "phase",
        "status",
        "geometry_quality",
        "confidence",
        "as_of",
    ],
}


def boot(catalog: Catalog) -> None:
    """First run of a session: restore filters, view and selection from the URL."""
    ss = st.session_state
    url = urlstate.from_params(st.query_params.to_dict(), catalog, known=lambda rid: is_known(catalog, rid))
    sidebar.seed(url.filters)
    ss.base_view = url.view or View(*US_VIEW)
    ss.view = url.view
    ss.selected = url.selected
    ss.basemap = url.basemap or settings.basemap()
    ss.url_warnings = url.warnings
    ss.map_target = None
    ss.target_nonce = 0
    ss.last_click = None
    ss.table_pick = {}
    if url.selected and not url.view:
        jump_to_record(catalog, url.selected)
    ss.booted = True


def jump(lat: float, lon: float, zoom: int) -> None:
    ss = st.session_state
    ss.target_nonce += 1
    # st_folium moves the map only when center/zoom differ from the last ones it
    # applied; a vanishing offset makes a repeated jump to the same place count.
    ss.map_target = (lat + ss.target_nonce * 1e-9, lon, zoom)


def is_known(catalog: Catalog, rid: str | None) -> bool:
    return bool(rid) and (rid in catalog.record_layer or layers_panel.known_parcel(rid))


def record_geometry(catalog: Catalog, rid: str):
    """(geometry, is_site) of a catalog record or an imported parcel."""
    if rid in catalog.record_layer:
        layer, row = catalog.record(rid)
        return row.geometry, layer == "sites"
    hit = layers_panel.parcel(rid)
    return (hit[1].geometry, True) if hit else (None, False)


def jump_to_record(catalog: Catalog, record_id: str) -> None:
    g, _ = record_geometry(catalog, record_id)
    if g is None:
        return
    c = g.centroid if g.geom_type != "Point" else g
    jump(c.y, c.x, mapview.zoom_for(g) if g.geom_type != "Point" else 9)


def header(catalog: Catalog, filters: Filters, frames: dict) -> None:
    st.title("Crystal Land sites atlas")
    st.caption(
        "Candidate federal-land sites, announced investments and company facilities for the proposed "
        "Japan-funded AI-infrastructure industrial parks (SoftBank's 'Project Crystal Land' north of "
        "Phoenix, later split into parks on federal land). Every record cites its sources."
    )
    for w in st.session_state.url_warnings:
        st.warning(w)
    sentence = describe(filters)
    st.markdown(f"**Showing:** {mapview.md_escape(sentence[0].upper() + sentence[1:])}")
    cols = st.columns(4)
    for col, layer in zip(cols[:3], LAYERS, strict=True):
        total = len(catalog.layer(layer))
        col.metric(layer.capitalize(), len(frames[layer]), help=f"{len(frames[layer])} of {total} {layer}")
    amount = frames["investments"]["amount_usd"].sum()
    cols[3].metric("Headline amounts", format_usd(amount) or "$0", help=charts.NOTE)
    if filters.as_of:
        st.info(
            f"As reported on {filters.as_of.isoformat()}: records first reported later are hidden, "
            "statuses and sources are shown as they stood then."
        )


def map_section(catalog: Catalog, frames: dict, base_url: str, rank=None) -> None:
    """The map; `rank()` gives the ranking, asked for only when a selected site needs its nearest-feature lines."""
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
    base = mapview.build_base_map(ss.base_view, ss.basemap, phase_labels, base_url)
    groups = mapview.site_groups(frames["sites"], status_labels)
    groups.append(mapview.investment_group(frames["investments"], status_labels, base_url))
    groups.append(mapview.facility_group(frames["facilities"], status_labels, type_labels))
    notes = imported_groups(groups)
    sel_geom, rings, links = None, (), None
    if is_known(catalog, ss.selected):
        sel_geom, is_site = record_geometry(catalog, ss.selected)
        rings = RINGS_KM if is_site else ()
        ranking = rank() if (is_site and rank is not None) else None
        scored = {s.id: s for s in ranking.sites} if ranking else {}
        links = scored[ss.selected].links if ss.selected in scored else None
    groups.append(mapview.selection_group(sel_geom, "Selection", rings, links))
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
    bounds = ss.get("bounds") or mapview.view_bounds(view.lat, view.lon, view.zoom)
    w, s, e, n = bounds
    pad_x, pad_y = (e - w) * 0.15, (n - s) * 0.15  # a margin, so a small pan shows no empty edge
    padded = (max(w - pad_x, -180), max(s - pad_y, -90), min(e + pad_x, 180), min(n + pad_y, 90))
    notes = []
    for k, info in enumerate(layers_panel.visible()):
        idx = layers_panel.index(info)
        part = idx.view(padded, view.zoom)
        colour = mapview.IMPORTED_COLOURS[k % len(mapview.IMPORTED_COLOURS)]
        groups.append(
            mapview.imported_group(f"Imported: {info.name}", part.geojson, [mapview.esc(f) for f in idx.fields], colour)
        )
        if part.total > part.shown:
            notes.append(
                f"Layer {info.name}: the {part.shown:,} largest of {part.total:,} parcels in view are drawn; "
                f"zoom in to see the {part.total - part.shown:,} more."
            )
        elif part.total:
            notes.append(f"Layer {info.name}: {part.total:,} parcel(s) in view.")
    return notes


def details_section(catalog: Catalog, filters: Filters) -> None:
    ss = st.session_state
    st.subheader("Details")
    shortlist_panel.show_notice()
    if not is_known(catalog, ss.selected):
        st.caption("Click a site, an investment or a facility on the map, or pick a row in the table below.")
        return
    if ss.selected not in catalog.record_layer:
        info, prow = layers_panel.parcel(ss.selected)
        st.html(details.CSS + layers_panel.details_html(info, prow))
        shortlist_panel.details_buttons(ss.selected, str(prow.get("unit_name") or prow.get("name") or ss.selected))
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
    st.html(details.record_html(catalog, layer, row, nearby, NEARBY_KM))
    if layer == "sites":
        shortlist_panel.details_buttons(row["id"], row["name"])
    if st.button("Clear selection"):
        ss.selected = None
        st.rerun()


def table_section(catalog: Catalog, frames: dict) -> None:
    ss = st.session_state
    tabs = st.tabs([f"{layer.capitalize()} ({len(frames[layer])})" for layer in LAYERS])
    for tab, layer in zip(tabs, LAYERS, strict=True):
        with tab:
            df = frames[layer]
            table = df[TABLE_COLUMNS[layer]].copy()
            for col in ("state",):
                if col in table:
                    table[col] = table[col].map(lambda s: ", ".join(s) if isinstance(s, list) else s)
            config = {
                "amount_usd": st.column_config.NumberColumn("amount (USD)", format="dollar"),
                "reported_acres": st.column_config.NumberColumn("reported ac", format="%,.0f"),
                "area_acres": st.column_config.NumberColumn("drawn ac", format="%,.0f"),
            }
            event = st.dataframe(
                table,
                key=f"table_{layer}",
                hide_index=True,
                width="stretch",
                on_select="rerun",
                selection_mode="single-row",
                column_config=config,
            )
            rows = event.selection.rows if event and event.selection else []
            pick = table.iloc[rows[0]]["id"] if rows else None
            if pick != ss.table_pick.get(layer):
                ss.table_pick[layer] = pick
                if pick:
                    ss.selected = pick
                    jump_to_record(catalog, pick)
                    st.rerun()


def score_section(catalog: Catalog, ranking, filters: Filters) -> None:
    ss = st.session_state
    picked = score_panel.panel(catalog, ranking, describe(filters, "sites"), filters.to_json() or None)
    if picked and picked != ss.get("score_pick"):  # a new row picked in the ranking: show it on the map
        ss.score_pick = picked
        ss.selected = picked
        jump_to_record(catalog, picked)
        st.rerun()


@st.cache_resource(show_spinner=False, max_entries=64)
def _charts(_investments, catalog_key: tuple, filters: Filters) -> list:
    """The charts of a filtered view; building them (Altair validates each spec) costs ~0.07 s a rerun."""
    made = (charts.by_investor(_investments), charts.by_phase(_investments), charts.over_time(_investments))
    return [c for c in made if c is not None]


def charts_section(frames: dict, catalog_key: tuple, filters: Filters) -> None:
    made = _charts(frames["investments"], catalog_key, filters)
    if not made:
        st.caption("No investment with a reported amount matches the filters.")
        return
    st.caption(charts.NOTE)
    st.altair_chart(made[0], width="stretch")
    cols = st.columns(2)
    for col, chart in zip(cols, made[1:], strict=False):  # fewer charts than columns is fine
        col.altair_chart(chart, width="stretch")


def downloads_section(catalog: Catalog, frames: dict) -> None:
    st.caption(
        "The filtered records with their sources. CSV cells that a spreadsheet would run as a "
        "formula are prefixed with an apostrophe. Files are built when you click."
    )
    for layer in LAYERS:
        df = frames[layer]
        cols = st.columns(len(exporters.EXPORT_FORMATS) + 1)
        cols[0].markdown(f"**{layer.capitalize()}** ({len(df)})")
        if df.empty:
            continue
        for col, fmt in zip(cols[1:], exporters.EXPORT_FORMATS, strict=True):
            col.download_button(
                fmt.upper(),
                data=_export(catalog, df, fmt, layer),
                file_name=f"{layer}{exporters.EXTENSIONS[fmt]}",
                key=f"dl_{layer}_{fmt}",
                on_click="ignore",
                width="stretch",
            )


def _export(catalog: Catalog, df, fmt: str, layer: str):
    """Deferred download data: built on click, in Streamlit's own thread, without a rerun."""

    def build() -> bytes:
        return exporters.render(exporters.export_frame(catalog, df), fmt, layer)

    return build


def write_url(filters: Filters) -> None:
    ss = st.session_state
    params = urlstate.to_params(
        urlstate.UrlState(
            filters=filters, view=ss.view, selected=ss.selected, basemap=ss.basemap if ss.basemap != "street" else None
        )
    )
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def main() -> None:
    st.set_page_config(page_title="Crystal Land sites atlas", page_icon="🗺️", layout="wide")
    assets.ensure_vendored()
    directory = data.catalog_dir()
    catalog, problems = data.load(directory)
    if problems:
        st.error(
            f"The catalog in {directory} is invalid ({len(problems)} problem(s)); fix them and reload. "
            "`python -m geodata validate` lists the same."
        )
        st.code("\n".join(problems[:50]), language=None)
        st.stop()
    if "booted" not in st.session_state:
        boot(catalog)
    key = data.stamp(directory)
    filters = sidebar.render(catalog, key)
    layers_panel.sidebar()
    frames = {layer: data.filtered(catalog, key, layer, filters) for layer in LAYERS}
    header(catalog, filters, frames)
    base_url = st.get_option("server.baseUrlPath") or ""

    def rank():
        return score_panel.current(catalog, key, frames["sites"], filters)

    left, right = st.columns([2, 1], gap="medium")
    with left:
        map_section(catalog, frames, base_url, rank)  # before scoring: the map shows while the scores compute
    with right:
        details_section(catalog, filters)
    table_tab, chart_tab, score_tab, sl_tab, dl_tab = st.tabs(["Table", "Charts", "Score", "Shortlist", "Download"])
    with table_tab:
        table_section(catalog, frames)
    with chart_tab:
        charts_section(frames, key, filters)
    with score_tab:
        score_section(catalog, rank(), filters)
    with sl_tab:
        shortlist_panel.panel(catalog, describe(filters, "sites"), filters.to_json() or None)
    with dl_tab:
        downloads_section(catalog, frames)
    write_url(filters)


def run() -> None:
    """main(), but a bug shows a plain message; the traceback goes to the server log only."""
    started = time.perf_counter()
    try:
        main()
    except Exception as exc:  # st.stop() and st.rerun() raise BaseExceptions: they pass through
        logging.getLogger("atlas").exception("unexpected error in the app")
        st.error(
            f"Something went wrong ({type(exc).__name__}). Your filters and shortlists are safe; "
            "reload the page. The details are in the server log."
        )
        return
    log = settings.timing_log()
    if log:  # bench/map_scale.py reads the server time of each full run
        with open(log, "a") as fh:
            fh.write(f"app {time.perf_counter() - started:.4f}\n")


run()
