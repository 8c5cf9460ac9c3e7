"""The Score tab: weights, the ranked table, "why this rank", and a shortlist from the ranking."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from dashboard import shortlist_panel
from geodata import settings
from geodata.catalog.filters import Filters
from geodata.catalog.load import Catalog
from geodata.problems import UserError
from geodata.scoring import reference as reference_layers
from geodata.scoring.score import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    SCALES,
    UNITS,
    Measurements,
    Ranking,
    SiteScore,
    measure_sites,
    rank_sites,
    save_as_shortlist,
)

if TYPE_CHECKING:  # altair costs 0.4 s to import: paid when a chart is first drawn, not at start
    import altair as alt

LABELS = {
    "area": "Area",
    "transmission": "Transmission",
    "interstate": "Interstate",
    "metro": "Metro (1M+)",
    "suppliers": "Suppliers",
    "power": "Power plants",
    "land": "Land status",
}


@st.cache_resource(show_spinner=False, max_entries=2)
def _refs(_catalog: Catalog, key: tuple, home: str):
    return reference_layers.load(_catalog, home)


def _ref_key(home) -> tuple:
    d = reference_layers.reference_dir(home)
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in d.glob("*.parquet"))) if d.is_dir() else ()


@st.cache_resource(show_spinner="Scoring…", max_entries=32)
def _measure(
    _catalog: Catalog, catalog_key: tuple, _sites, filters: Filters, exclusion: str, ref_key: tuple
) -> Measurements:
    """The distances and criterion scores: a weight slider does not recompute them."""
    home = str(settings.home())
    return measure_sites(_catalog, _sites, _refs(_catalog, ref_key, home), exclusion)


@st.cache_data(show_spinner=False, max_entries=32)
def _rank(
    _catalog: Catalog, catalog_key: tuple, _sites, filters: Filters, weights: tuple, exclusion: str, ref_key: tuple
) -> Ranking:
    return rank_sites(_measure(_catalog, catalog_key, _sites, filters, exclusion, ref_key), dict(weights))


# inputs kept while the tab is closed (layout.keep)
KEPT = (*(f"w_{k}" for k in CRITERIA), "w_exclusion", "score_sl_name")


def weights() -> dict[str, float]:
    return {k: float(st.session_state.get(f"w_{k}", DEFAULT_WEIGHTS[k])) for k in CRITERIA}


def current(catalog: Catalog, catalog_key: tuple, sites, filters: Filters) -> Ranking:
    ss = st.session_state
    return _rank(
        catalog,
        catalog_key,
        sites,
        filters,
        tuple(weights().items()),
        ss.get("w_exclusion", "flag"),
        _ref_key(settings.home()),
    )


def _reset() -> None:
    for k, v in DEFAULT_WEIGHTS.items():
        st.session_state[f"w_{k}"] = v


def breakdown_chart(site: SiteScore, w: dict[str, float]) -> alt.Chart:
    import altair as alt

    contrib = site.contributions(w)
    rows = [
        {"criterion": LABELS[k], "contribution": contrib.get(k, 0.0), "score": site.scores[k], "weight": w[k]}
        for k in CRITERIA
        if k in site.scores
    ]
    return (
        alt.Chart(pd.DataFrame(rows), title=f"Why rank {site.rank}: score {site.score:.3f}")
        .mark_bar()
        .encode(
            x=alt.X("contribution:Q", title="share of the score", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y(
                "criterion:N",
                sort=[LABELS[k] for k in CRITERIA],
                title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=160),
            ),
            tooltip=[
                "criterion:N",
                alt.Tooltip("score:Q", format=".2f"),
                "weight:Q",
                alt.Tooltip("contribution:Q", format=".3f"),
            ],
        )
        .properties(height=alt.Step(30))
    )


def _value_text(k: str, v) -> str:
    if v is None:
        return "not reported"
    if k == "suppliers":
        return "; ".join(f"{t}: {km:,.0f} km" for t, km in v.items())
    if isinstance(v, float):
        return f"{v:,.1f} {UNITS[k]}".strip()
    return str(v)


def site_breakdown(site: SiteScore, w: dict[str, float]) -> pd.DataFrame:
    contrib = site.contributions(w)
    return pd.DataFrame(
        [
            {
                "criterion": LABELS[k],
                "value": _value_text(k, site.values[k]),
                "nearest": site.nearest.get(
                    k,
                    "; ".join(n for t, n in site.nearest.items() if t.startswith("supplier:"))
                    if k == "suppliers"
                    else "",
                ),
                "score (0-1)": round(site.scores[k], 3),
                "weight": w[k],
                "contribution": round(contrib.get(k, 0.0), 3),
            }
            for k in CRITERIA
            if k in site.values
        ]
    )


def panel(catalog: Catalog, ranking: Ranking, sentence: str, filters: dict | None) -> str | None:
    """Draw the tab; return the id of a site picked in the ranked table (or None)."""
    ss = st.session_state
    st.caption(
        "Score = weighted mean of the criteria below, each scaled to 0–1; scaling every weight by the same "
        "factor changes nothing. Distances in km from the site's outline, measured in a projected CRS "
        "centred on the site."
    )
    cols = st.columns(len(CRITERIA) + 1)
    for col, k in zip(cols, CRITERIA, strict=False):
        missing = ranking.missing.get(k)
        col.slider(
            LABELS[k],
            0.0,
            5.0,
            step=0.5,
            key=f"w_{k}",
            # a criterion without data is out of the score: its weight would change nothing
            disabled=missing is not None,
            help=f"Left out of the score: {missing}." if missing else SCALES[k],
            **({} if f"w_{k}" in ss else {"value": DEFAULT_WEIGHTS[k]}),
        )
    cols[-1].button("Reset", on_click=_reset, key="w_reset", help="Back to the default weights", width="stretch")
    st.radio(
        "Exclusion areas",
        ["flag", "remove"],
        horizontal=True,
        key="w_exclusion",
        format_func={"flag": "flag overlapping sites", "remove": "remove the overlap (sites inside drop out)"}.get,
    )
    for crit, why in ranking.missing.items():
        st.info(f"{LABELS[crit]} is left out of the score: {why}.")
    for rid, why in ranking.removed:
        st.warning(f"{rid} removed: {why}.")
    if not ranking.sites:
        st.caption("No candidate site matches the filters.")
        return None
    table = ranking.frame()
    if "area" in table:  # a site with no drawn outline has no area: say so rather than "None"
        table["area"] = [f"{v:,.0f}" if isinstance(v, (int, float)) and v == v else "no outline" for v in table["area"]]
    event = st.dataframe(
        table,
        key="score_table",
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=1, format="%.3f")},
    )
    rows = event.selection.rows if event and event.selection else []
    picked = table.iloc[rows[0]]["id"] if rows else None
    by_id = {s.id: s for s in ranking.sites}
    chosen = by_id.get(picked or ss.get("selected") or "") or ranking.sites[0]
    left, right = st.columns([1, 1])
    left.altair_chart(breakdown_chart(chosen, ranking.weights), width="stretch")
    right.dataframe(site_breakdown(chosen, ranking.weights), hide_index=True, width="stretch")
    if chosen.flags:
        right.caption(" · ".join(chosen.flags))
    with st.expander("Save the ranking as a shortlist"):
        c1, c2, c3 = st.columns([2, 1, 1])
        name = c1.text_input("Shortlist name", key="score_sl_name", max_chars=120)
        top = c2.number_input(
            "Top",
            1,
            len(ranking.sites),
            **({} if "score_sl_top" in ss else {"value": min(10, len(ranking.sites))}),
            key="score_sl_top",
        )
        if c3.button("Save", key="score_sl_save", disabled=not name):
            try:
                sl = save_as_shortlist(shortlist_panel.store(), name, ranking, sentence, filters, int(top))
            except UserError as exc:
                st.warning(str(exc))
            else:
                ss["sl_active"] = sl.name
                st.success(f"Saved the top {len(sl.items)} as {sl.name!r} with the weights and scores.")
    return picked
