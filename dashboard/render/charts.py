"""Altair charts of announced amounts; they take the already-filtered investments.

`colours` are the phase colours of the catalog's vocabulary (`catalog.vocab.colours("phase")`), in its
order: the colour scale and the phase axis follow them. Without them, the shipped vocabulary's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from dashboard.render.styles import PHASE_COLOURS

if TYPE_CHECKING:  # altair costs 0.4 s to import: paid when a chart is first drawn, not at start
    import altair as alt

NOTE = (
    "Headline amounts: the upper figure where a ceiling or range is reported. "
    "'Up to' figures are ceilings for candidate projects, not disbursements, and pledges overlap."
)


def _frame(investments: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Amounts in billions; phases as their labels ("Phase 1", not the key "phase-1") when given."""
    df = pd.DataFrame(investments.drop(columns="geometry", errors="ignore"))
    df = df[df["amount_usd"].notna()].copy()
    if labels:
        df["phase"] = df["phase"].map(lambda k: labels.get(k, k))
    df["amount_bn"] = df["amount_usd"] / 1e9
    df["reported"] = pd.to_datetime(df["_first_reported"])
    return df


def _phase_scale(colours: Mapping[str, str], labels: Mapping[str, str] | None = None) -> alt.Scale:
    import altair as alt

    labels = labels or {}
    return alt.Scale(domain=[labels.get(k, k) for k in colours], range=list(colours.values()))


def by_investor(
    investments: pd.DataFrame,
    top: int = 15,
    colours: Mapping[str, str] = PHASE_COLOURS,
    labels: Mapping[str, str] | None = None,
) -> alt.Chart | None:
    import altair as alt

    df = _frame(investments, labels)
    if df.empty:
        return None
    g = df.groupby(["lead_investor", "phase"], as_index=False).agg(
        amount_bn=("amount_bn", "sum"), records=("id", "count")
    )
    order = g.groupby("lead_investor")["amount_bn"].sum().sort_values(ascending=False).head(top).index.tolist()
    g = g[g["lead_investor"].isin(order)]
    return (
        alt.Chart(g, title=f"Announced amounts by lead investor (top {len(order)})")
        .mark_bar()
        .encode(
            x=alt.X("sum(amount_bn):Q", title="USD billions"),
            y=alt.Y("lead_investor:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("phase:N", scale=_phase_scale(colours, labels), title="Phase"),
            tooltip=[
                alt.Tooltip("lead_investor:N", title="lead investor"),
                alt.Tooltip("phase:N"),
                alt.Tooltip("sum(amount_bn):Q", title="USD bn", format=",.2f"),
                alt.Tooltip("sum(records):Q", title="records"),
            ],
        )
        .properties(height=28 * len(order) + 20)
    )


def by_phase(
    investments: pd.DataFrame, colours: Mapping[str, str] = PHASE_COLOURS, labels: Mapping[str, str] | None = None
) -> alt.Chart | None:
    import altair as alt

    df = _frame(investments, labels)
    if df.empty:
        return None
    g = df.groupby("phase", as_index=False).agg(amount_bn=("amount_bn", "sum"), records=("id", "count"))
    return (
        alt.Chart(g, title="Announced amounts by phase")
        .mark_bar()
        .encode(
            x=alt.X(
                "phase:N", sort=[(labels or {}).get(k, k) for k in colours], title=None, axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("amount_bn:Q", title="USD billions"),
            color=alt.Color("phase:N", scale=_phase_scale(colours, labels), legend=None),
            tooltip=["phase:N", alt.Tooltip("amount_bn:Q", title="USD bn", format=",.2f"), "records:Q"],
        )
        .properties(height=260)
    )


def over_time(
    investments: pd.DataFrame, colours: Mapping[str, str] = PHASE_COLOURS, labels: Mapping[str, str] | None = None
) -> alt.Chart | None:
    import altair as alt

    df = _frame(investments, labels)
    if df.empty:
        return None
    df["quarter"] = df["reported"].dt.to_period("Q").astype(str).str.replace("Q", " Q")
    g = df.groupby(["quarter", "phase"], as_index=False).agg(amount_bn=("amount_bn", "sum"), records=("id", "count"))
    return (
        alt.Chart(g, title="Announced amounts by quarter first reported")
        .mark_bar()
        .encode(
            x=alt.X("quarter:O", title=None, sort="ascending", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(amount_bn):Q", title="USD billions"),
            color=alt.Color("phase:N", scale=_phase_scale(colours, labels), title="Phase"),
            tooltip=["quarter:O", "phase:N", alt.Tooltip("amount_bn:Q", title="USD bn", format=",.2f"), "records:Q"],
        )
        .properties(height=260)
    )
