"""Find candidate tracts in an imported land layer (geodata/sitefinder), from the app.

The same search as `geodata find`: the panel only collects its inputs, shows
the ranked tracts (also drawn on the map) and saves the ones the user keeps
as their own candidate sites.
"""

from __future__ import annotations

import streamlit as st

from dashboard import draw_panel, drawing, layers_panel
from dashboard.render.text import md_escape
from geodata.catalog.load import Catalog
from geodata.problems import UserError
from geodata.sitefinder.search import FindRequest, Keep, find

RESULT = "found_tracts"
SAVED = "found_saved"
MAX_VALUES = 300


# inputs kept while the tab is closed (layout.keep)
KEPT = (
    *("find_land", "find_field", "find_values", "find_acres", "find_width"),
    *("find_buf", "find_near", "find_excl", "find_inside"),
)


def _start(key: str, value) -> dict:
    """The widget's key, and its first value only until it has one of its own (kept values would clash)."""
    return {"key": key} if key in st.session_state else {"key": key, "value": value}


def result():
    return st.session_state.get(RESULT)


def panel(catalog: Catalog) -> None:
    if SAVED in st.session_state:
        st.success(md_escape(st.session_state.pop(SAVED)))
    layers = layers_panel.store().list()
    if not layers:
        st.info("Import a land layer first (PAD-US, BLM surface management or your own parcels, in the sidebar).")
        return
    names = [i.name for i in layers]
    land = st.selectbox("Land layer", names, key="find_land")
    frame = layers_panel.store().read(layers[names.index(land)])
    fields = [
        c for c in frame.columns if c not in ("geometry", "feature_id", "source_file") and not c.startswith("geom_z")
    ]
    c1, c2 = st.columns(2)
    field = c1.selectbox("Keep parcels whose field", fields, key="find_field")
    values = sorted(frame[field].dropna().astype(str).unique().tolist())[:MAX_VALUES]
    chosen = c2.multiselect("is one of", values, key="find_values")
    c1, c2, c3, c4 = st.columns(4)
    min_acres = c1.number_input("At least (acres)", min_value=1.0, step=100.0, **_start("find_acres", 500.0))
    min_width = c2.number_input("At least wide (m)", min_value=0.0, step=100.0, **_start("find_width", 800.0))
    buffer_m = c3.number_input("Buffer around exclusions (m)", min_value=0.0, step=100.0, **_start("find_buf", 0.0))
    near_km = c4.number_input("Within km of an interstate (0: any)", min_value=0.0, **_start("find_near", 0.0))
    exclude = st.multiselect("Also exclude these imported layers", [n for n in names if n != land], key="find_excl")
    area = drawing.current()
    inside = area is not None and st.checkbox(
        md_escape(f"Only in the box around the area filter ({area.show()})"), **_start("find_inside", True)
    )
    if st.button("Find tracts", type="primary"):
        if not chosen:
            st.error("Choose at least one value to keep (for instance BLM).")
        else:
            request = FindRequest(
                land=land,
                keep=[Keep(field, tuple(chosen))],
                min_acres=min_acres,
                min_width_m=min_width,
                exclude=exclude,
                buffer_m=buffer_m,
                near={"interstate": near_km} if near_km else {},
                bbox=area.polygon.bounds if inside else None,
            )
            try:
                with st.spinner("Merging parcels and measuring tracts…"):
                    st.session_state[RESULT] = find(request, catalog, layers_panel.store().home)
            except UserError as exc:
                st.error(md_escape(str(exc)))  # the inputs above stay as they were
            else:
                st.rerun()  # the map, drawn earlier in the run, shows the tracts
    found = result()
    if found is None:
        return
    if not found.tracts:
        st.warning(md_escape(f"No tract passed: {found.funnel.sentence(found.request)}."))
        return
    st.markdown(md_escape(f"{len(found.tracts)} tracts: {found.request.describe()}."))
    st.caption(md_escape(found.funnel.sentence(found.request)))
    table = found.frame().drop(columns="geometry")
    st.dataframe(table, hide_index=True, width="stretch", key="found_table")
    top = st.number_input("Save the top N as my candidate sites", 1, len(found.tracts), min(3, len(found.tracts)))
    if st.button("Save as my candidate sites"):
        saved = []
        for t in found.tracts[: int(top)]:
            c = draw_panel.store().add(f"Tract {t.rank} {t.id}", t.geometry, t.why, "found")
            saved.append(c.id)
        # rerun: the map and the Your sites tab, drawn earlier in this run, then show them
        st.session_state[SAVED] = "Saved as your candidate sites: " + ", ".join(saved) + "."
        st.rerun()
