"""Your own candidate sites in the app: save the drawn area with a name and a note, list them, delete them.

They are kept by geodata's candidate store in the data folder (never in the
curated catalog) and drawn on the map in their own colour; their ids
(`drawn:<slug>`) work in shortlists and exports like any site id.
"""

from __future__ import annotations

import json

import geopandas as gpd
import streamlit as st

from dashboard import drawing, mapview
from dashboard.render.text import esc, md_escape
from geodata import settings, storage
from geodata.candidates.sites import with_candidates
from geodata.candidates.store import SITE_COLUMNS
from geodata.geometry import WGS84, geometry_json, round_geometry
from geodata.problems import UserError

CANDIDATE_COLOUR = "#0c8599"  # apart from every phase colour
FOUND_COLOUR = "#e8590c"


class NoCandidates:
    """Stands in for a candidate store that cannot be reached (the database down): none listed, saving refused."""

    def __init__(self, reason: str):
        self.reason = reason

    def list(self) -> list:
        return []

    def sites(self, ids: list[str] | None = None) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(columns=SITE_COLUMNS, geometry="geometry", crs=WGS84)

    def _refuse(self, *args, **kwargs):
        raise UserError(f"your candidate sites are unavailable: {self.reason}")

    get = add = delete = _refuse


def store() -> storage.CandidateBackend:
    """The candidate store, or NoCandidates when the database cannot be used: the map and catalog still show."""
    try:
        return storage.candidates(settings.home())
    except UserError as exc:
        return NoCandidates(str(exc))


def _collection(items) -> str:
    """(id, name, geometry, extra properties) -> a FeatureCollection string with escaped properties."""
    feats = []
    for rid, name, geom, extra in items:
        props = {"id": rid, "label": esc(name)} | {k: esc(v) for k, v in extra.items()}
        feats.append({"type": "Feature", "properties": props, "geometry": geometry_json(round_geometry(geom, 5))})
    return json.dumps({"type": "FeatureCollection", "features": feats})


def scored_sites(sites, filters) -> tuple:
    """The catalog's sites plus your own, and a key that changes when your sites do (for the score cache)."""
    candidates = store()
    return with_candidates(sites, candidates, filters), tuple((c.id, c.created_at) for c in candidates.list())


def map_groups(found=None) -> list[tuple]:
    """Your candidate sites, and the tracts of the last search, in their own colours:
    (map group, legend name, colour) each."""
    out = []
    mine = store().list()
    if mine:
        items = [(c.id, c.name, c.geometry, {"acres": f"{c.acres:,.0f}", "yours": c.origin}) for c in mine]
        name = "Your candidate sites"
        group = mapview.imported_group(name, _collection(items), ["acres", "yours"], CANDIDATE_COLOUR)
        out.append((group, name, CANDIDATE_COLOUR))
    if found is not None and found.tracts:
        items = [
            (t.id, f"Tract {t.rank}", t.geometry, {"acres": f"{t.area_acres:,.0f}", "why": t.why}) for t in found.tracts
        ]
        name = "Found tracts"
        group = mapview.imported_group(name, _collection(items), ["acres", "why"], FOUND_COLOUR)
        out.append((group, name, FOUND_COLOUR))
    return out


def panel() -> None:
    st.markdown(
        "Draw a rectangle or polygon with the tools on the map's left edge, then save it here as your own "
        "candidate site. Your sites are scored with the same criteria (`geodata score`), can be shortlisted by id "
        "and are kept in your data folder, never in the catalog."
    )
    current = store()
    if isinstance(current, NoCandidates):
        st.error(f"Your candidate sites are unavailable: {current.reason}. The map and the tables still work.")
        return
    area = drawing.current()
    if area is None:
        st.info("No area drawn yet: draw one on the map (or type one under Area in the sidebar).")
    else:
        with st.form("save_candidate", clear_on_submit=True):
            st.caption(md_escape(f"The drawn area: {area.show()}"))
            name = st.text_input("Name of your candidate site", max_chars=120)
            note = st.text_area("Note", max_chars=4000)
            if st.form_submit_button("Save as my candidate site"):
                try:
                    c = store().add(name, area.polygon, note, "drawn")
                    st.success(md_escape(f"Saved {c.name} as {c.id} ({c.acres:,.0f} acres)."))
                except UserError as exc:
                    st.error(md_escape(str(exc)))
    mine = store().list()
    if not mine:
        return
    st.subheader("Your candidate sites")
    for c in mine:
        cols = st.columns([4, 1])
        cols[0].markdown(
            md_escape(f"{c.name} · {c.acres:,.0f} acres · {c.origin} · id {c.id}")
            + (f"  \n{md_escape(c.note)}" if c.note else "")
        )
        if cols[1].button("Delete", key=f"del_{c.id}", help=f"Delete {c.id}"):
            try:
                store().delete(c.id)
            except UserError as exc:
                st.error(md_escape(str(exc)))
            st.rerun()


def details(hit) -> None:
    """The details of one of your candidate sites (a Resolved of kind "candidate")."""
    row = hit.row
    st.markdown(md_escape(f"{hit.name} (your own candidate site)"))
    st.caption(md_escape(f"{hit.id} · {row['provenance']} · saved {row['as_of']}"))
    if row.get("note"):
        st.markdown(md_escape(str(row["note"])))
