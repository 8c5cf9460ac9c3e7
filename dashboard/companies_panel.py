"""The Companies tab: every company with its stance, amounts and plants; a chosen company is ringed on the map.

The rows come from geodata.catalog.companies (the CLI's `geodata companies`
reads the same data). Picking a row keeps the company in session state; the
map draws a ring around everything it touches (its subsidiaries' records too)
and the record table under the map shows only its records.
"""

from __future__ import annotations

import zlib

import streamlit as st
from shapely.ops import unary_union

from dashboard import data, map_panel, mapview
from dashboard.render.text import md_escape
from dashboard.render.view import zoom_for
from geodata.catalog import companies as co
from geodata.catalog.filters import Filters
from geodata.catalog.load import LAYERS, Catalog
from geodata.money import format_usd

PICK = "company_pick"  # session state: the chosen company's key, or None
TABLE_KEY = "companies_table"


def _as_of_frames(catalog: Catalog, key: tuple, filters: Filters) -> dict:
    """Every record as it stood on the as-of date: a company's plants show whatever the other filters say."""
    return {layer: data.filtered(catalog, key, layer, Filters(as_of=filters.as_of)) for layer in LAYERS}


def picked(catalog: Catalog) -> str | None:
    key = st.session_state.get(PICK)
    return key if key else None


def _touched(catalog: Catalog, frames: dict, company: str) -> list[tuple[str, str, object]]:
    out = []
    for layer in LAYERS:
        df = frames[layer]
        hit = df[co.touches(df, catalog.companies, company)]
        out += [(r["id"], r["name"], r.geometry) for _, r in hit.iterrows() if r.geometry is not None]
    return out


def map_groups(catalog: Catalog, key: tuple, filters: Filters) -> list:
    """The highlight of the chosen company for the map (none when nothing is chosen)."""
    company = picked(catalog)
    if company is None:
        return []
    records = _touched(catalog, _as_of_frames(catalog, key, filters), company)
    return [mapview.highlight_group(f"Company: {catalog.companies.name(company)}", records)]


def narrow(catalog: Catalog, frames: dict) -> dict:
    """The record table's frames: only the chosen company's records, when one is chosen."""
    company = picked(catalog)
    if company is None:
        return frames
    name = md_escape(catalog.companies.name(company))
    st.caption(f"Only the records of **{name}** (chosen in the Companies tab).")
    return {layer: df[co.touches(df, catalog.companies, company)] for layer, df in frames.items()}


def _jump_to(catalog: Catalog, frames: dict, company: str) -> None:
    geoms = [g for _rid, _name, g in _touched(catalog, frames, company)]
    if not geoms:
        return
    both = unary_union(geoms)
    c = both.envelope.centroid
    map_panel.jump(c.y, c.x, min(zoom_for(both.envelope), 9) if len(geoms) > 1 else 9)


def panel(catalog: Catalog, key: tuple, filters: Filters) -> None:
    ss = st.session_state
    v = catalog.vocab
    frames = _as_of_frames(catalog, key, filters)
    rows = co.company_summaries(catalog.companies, frames, v.values("stance"), filters.as_of, filters.stance)
    when = f" as reported on {filters.as_of.isoformat()}" if filters.as_of else ""
    narrowed = f", with a stance of {' or '.join(filters.stance)}" if filters.stance else ""
    st.caption(
        f"{len(rows)} companies{narrowed}{when}, newest report first. Stance: the latest reported towards a programme "
        "(Crystal Land / industrial parks, Japan's $550B, Stargate); a subsidiary's records count for its parent. "
        "Amount: headline amounts of the investments naming the company, shared deals counted in full. "
        "Pick a row to ring its records on the map and narrow the table."
    )
    table = [
        {
            "company": r["company"],
            "part of": r["part_of"] or "",
            "stance": v.label("stance", r["stance"]) if r["stance"] else "",
            "programme": v.label("program", r["program"]) if r["program"] else "",
            "reported": r["reported"] or "",
            "amount": format_usd(r["amount_usd"]) if r["amount_usd"] else "",
            "facilities": "; ".join(r["facilities"]),
            "investments": r["investments"],
            "all stances": "; ".join(r["stances"]),
        }
        for r in rows
    ]
    # keyed by the companies listed: when a filter changes the list, the row picked before means nothing
    listed = "|".join(r["key"] for r in rows)
    event = st.dataframe(
        table,
        key=f"{TABLE_KEY}_{zlib.crc32(listed.encode()):08x}",
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        column_config={"facilities": st.column_config.TextColumn(width="large")},
    )
    chosen = event.selection.rows if event and event.selection else []
    pick = rows[chosen[0]]["key"] if chosen and chosen[0] < len(rows) else None
    if pick != ss.get(PICK):
        ss[PICK] = pick
        if pick:
            _jump_to(catalog, frames, pick)
        st.rerun()
    if pick:
        _history(catalog, pick, filters)


def _history(catalog: Catalog, company: str, filters: Filters) -> None:
    """Every reported stance of the chosen company, with its sources."""
    book, v = catalog.companies, catalog.vocab
    st.markdown(f"**{md_escape(book.name(company))}: stances as reported**")
    held = [s for s in book.stances if s.company == company and (not filters.as_of or s.date.start <= filters.as_of)]
    if not held:
        st.caption("No stance of this company is reported in the catalog.")
        return
    st.dataframe(
        [
            {
                "date": s.date.text,
                "programme": v.label("program", s.program),
                "stance": v.label("stance", s.stance),
                "confidence": s.confidence,
                "note": s.note,
                "sources": " | ".join(
                    f"[{sid}] {catalog.sources[sid].publisher}, {catalog.sources[sid].date.text}" for sid in s.sources
                ),
            }
            for s in held
        ],
        hide_index=True,
        width="stretch",
        key="company_history",
    )
