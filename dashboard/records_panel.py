"""The tabs under the map that show the filtered records: the table, the charts and the downloads."""

from __future__ import annotations

import streamlit as st

from dashboard import map_panel, shortlist_panel
from dashboard.render import charts
from geodata.catalog.filters import Filters
from geodata.catalog.load import LAYERS, Catalog
from geodata.export import formats as exporters

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


TABLE_LAYER = "table_layer"
KEPT = (TABLE_LAYER,)  # kept while the Table tab is closed (layout.keep)


def table(catalog: Catalog, frames: dict) -> None:
    ss = st.session_state
    # one table at a time, chosen by layer (not a label with its count, which changes with the filters): the
    # page draws one grid instead of three
    chosen = st.segmented_control(
        "Records",
        LAYERS,
        format_func=lambda layer: f"{layer.capitalize()} ({len(frames[layer])})",
        key=TABLE_LAYER,
        label_visibility="collapsed",
        **({} if TABLE_LAYER in ss else {"default": LAYERS[0]}),
    )
    layer = chosen or LAYERS[0]  # a second click on the chosen segment clears it: show the first
    df = frames[layer]
    table = df[TABLE_COLUMNS[layer]].copy()
    for col in ("state",):
        if col in table:
            table[col] = table[col].map(lambda s: ", ".join(s) if isinstance(s, list) else s)
    for col, vocab in (("phase", "phase"), ("status", "status")):  # the sidebar's words, not the keys
        table[col] = table[col].map(lambda k, v=vocab: catalog.vocab.label(v, k) if isinstance(k, str) else k)
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
        selection_mode="multi-row" if layer == "sites" else "single-row",
        column_config=config,
    )
    rows = event.selection.rows if event and event.selection else []
    picks = [table.iloc[r]["id"] for r in rows]
    if len(picks) > 1:
        st.caption(f"{len(picks)} sites ticked: add them all to the shortlist, or tick one to open it.")
        shortlist_panel.add_many_button(picks)
    pick = picks[0] if len(picks) == 1 else None
    if pick != ss.table_pick.get(layer):
        ss.table_pick[layer] = pick
        if pick:
            ss.selected = pick
            map_panel.jump_to_record(catalog, pick)
            st.rerun()


@st.cache_resource(show_spinner=False, max_entries=64)
def _charts(_investments, catalog_key: tuple, filters: Filters, colours: tuple, labels: tuple = ()) -> list:
    """The charts of a filtered view; building them (Altair validates each spec) costs ~0.07 s a rerun."""
    c, lab = dict(colours), dict(labels)
    made = (
        charts.by_investor(_investments, colours=c, labels=lab),
        charts.by_phase(_investments, colours=c, labels=lab),
        charts.over_time(_investments, colours=c, labels=lab),
    )
    return [c for c in made if c is not None]


def charts_tab(catalog: Catalog, frames: dict, catalog_key: tuple, filters: Filters) -> None:
    v = catalog.vocab
    labels = tuple((k, v.label("phase", k)) for k in v.values("phase"))
    made = _charts(frames["investments"], catalog_key, filters, tuple(v.colours("phase").items()), labels)
    if not made:
        st.caption("No investment with a reported amount matches the filters.")
        return
    st.caption(charts.NOTE)
    st.altair_chart(made[0], width="stretch")
    cols = st.columns(2)
    for col, chart in zip(cols, made[1:], strict=False):  # fewer charts than columns is fine
        col.altair_chart(chart, width="stretch")


def downloads(catalog: Catalog, frames: dict) -> None:
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
