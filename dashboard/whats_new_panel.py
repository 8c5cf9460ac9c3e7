"""The "What's new" tab: every status change, new record and retirement since a date, newest first, with
its sources; a timeline of the story (click a point to see the map as reported that day); and how many
records have had no update found for longer than GEODATA_STALE_DAYS.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.render import timeline
from dashboard.render.text import md_escape
from geodata import settings
from geodata.catalog.changes import events, stale_records
from geodata.catalog.filterspec import SPEC
from geodata.catalog.load import Catalog
from geodata.dates import parse_date

CHART_KEY = "whats_new_timeline"
AS_OF_WIDGET = SPEC["as_of"].widget
SINCE_KEY = "whats_new_since"
KEPT = (SINCE_KEY,)  # kept while the tab is closed (layout.keep)


@st.cache_resource(show_spinner=False, max_entries=4)
def _events(_catalog: Catalog, key: tuple) -> pd.DataFrame:
    return events(_catalog)


def _set_as_of() -> None:
    """on_select of the timeline: the clicked day becomes the as-of date (before the page reruns)."""
    day = timeline.picked_day(st.session_state.get(CHART_KEY))
    if day:
        st.session_state[AS_OF_WIDGET] = min(date.fromisoformat(day), date.today()).isoformat()


def panel(catalog: Catalog, catalog_key: tuple) -> None:
    ev = _events(catalog, catalog_key)
    today = date.today()
    # a text field, as the sidebar's dates: a typed day applies on Enter, and a year or a month is its first day
    default = (today - timedelta(days=365)).isoformat()
    typed = st.text_input(
        "Changes since",
        key=SINCE_KEY,
        **({} if SINCE_KEY in st.session_state else {"value": default}),
        placeholder="YYYY-MM-DD",
        help="Status changes, new records and retirements dated on or after this day (or month, or year).",
    )
    try:
        since = parse_date(typed.strip()).start if (typed or "").strip() else date.fromisoformat(default)
    except ValueError as exc:
        st.error(md_escape(f"Date not used: {exc}. Type it as YYYY-MM-DD, e.g. 2025-06-30."), icon=":material/error:")
        since = date.fromisoformat(default)
    shown = ev[ev["_date"] >= since]
    status_labels = {k: catalog.vocab.label("status", k) for k in catalog.vocab.values("status")}
    chart = timeline.timeline(shown, status_labels, catalog.vocab.colours("phase"))
    if chart is not None:
        st.altair_chart(chart, use_container_width=True, on_select=_set_as_of, key=CHART_KEY)
    st.caption(f"{len(shown)} change(s) since {since.isoformat()}, newest first.")
    if not shown.empty:
        table = pd.DataFrame(
            {
                "date": shown["date"],
                "what": [
                    k + (f": {status_labels.get(s, s)}" if s else "")
                    for k, s in zip(shown["kind"], shown["status"], strict=True)
                ],
                "record": shown["name"],
                "id": shown["record_id"],
                "sources": ["; ".join(s) for s in shown["sources"]],
                "note": shown["note"],
            }
        )
        st.dataframe(table, hide_index=True, use_container_width=True)
    days = settings.stale_days()
    stale = stale_records(catalog, days)
    with st.expander(f"{len(stale)} record(s) with no update found in the last {days} days"):
        st.caption("Newest source older than GEODATA_STALE_DAYS; the map dashes their outlines.")
        st.dataframe(stale, hide_index=True, use_container_width=True)
