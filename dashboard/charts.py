"""Altair charts of announced amounts; they take the already-filtered investments."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.styles import PHASE_COLOURS

NOTE = ("Headline amounts: the upper figure where a ceiling or range is reported. "
        "'Up to' figures are ceilings for candidate projects, not disbursements, and pledges overlap.")


def _frame(investments: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(investments.drop(columns="geometry", errors="ignore"))
    df = df[df["amount_usd"].notna()].copy()
    df["amount_bn"] = df["amount_usd"] / 1e9
    df["reported"] = pd.to_datetime(df["_first_reported"])
    return df


def _phase_scale() -> alt.Scale:
    return alt.Scale(domain=list(PHASE_COLOURS), range=list(PHASE_COLOURS.values()))


def by_investor(investments: pd.DataFrame, top: int = 15) -> alt.Chart | None:
    df = _frame(investments)
    if df.empty:
        return None
    g = df.groupby(["investor", "phase"], as_index=False)["amount_bn"].sum()
    order = g.groupby("investor")["amount_bn"].sum().sort_values(ascending=False).head(top).index.tolist()
    g = g[g["investor"].isin(order)]
    return alt.Chart(g, title=f"Announced amounts by investor (top {len(order)})").mark_bar().encode(
        x=alt.X("sum(amount_bn):Q", title="USD billions"),
        y=alt.Y("investor:N", sort=order, title=None),
        color=alt.Color("phase:N", scale=_phase_scale(), title="Phase"),
        tooltip=[alt.Tooltip("investor:N"), alt.Tooltip("phase:N"),
                 alt.Tooltip("sum(amount_bn):Q", title="USD bn", format=",.2f")],
    ).properties(height=max(160, 22 * len(order)))


def by_phase(investments: pd.DataFrame) -> alt.Chart | None:
    df = _frame(investments)
    if df.empty:
        return None
    g = df.groupby("phase", as_index=False).agg(amount_bn=("amount_bn", "sum"), records=("id", "count"))
    return alt.Chart(g, title="Announced amounts by phase").mark_bar().encode(
        x=alt.X("phase:N", sort=list(PHASE_COLOURS), title=None),
        y=alt.Y("amount_bn:Q", title="USD billions"),
        color=alt.Color("phase:N", scale=_phase_scale(), legend=None),
        tooltip=["phase:N", alt.Tooltip("amount_bn:Q", title="USD bn", format=",.2f"), "records:Q"],
    ).properties(height=260)


def over_time(investments: pd.DataFrame) -> alt.Chart | None:
    df = _frame(investments)
    if df.empty:
        return None
    df["quarter"] = df["reported"].dt.to_period("Q").dt.start_time
    g = df.groupby(["quarter", "phase"], as_index=False).agg(amount_bn=("amount_bn", "sum"),
                                                             records=("id", "count"))
    return alt.Chart(g, title="Announced amounts by quarter first reported").mark_bar().encode(
        x=alt.X("quarter:T", title=None, axis=alt.Axis(format="%Y Q%q")),
        y=alt.Y("sum(amount_bn):Q", title="USD billions"),
        color=alt.Color("phase:N", scale=_phase_scale(), title="Phase"),
        tooltip=[alt.Tooltip("quarter:T", format="%Y Q%q"), "phase:N",
                 alt.Tooltip("amount_bn:Q", title="USD bn", format=",.2f"), "records:Q"],
    ).properties(height=260)
