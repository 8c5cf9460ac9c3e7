"""The story as a timeline: one point per catalog event (Altair), coloured by phase.

Clicking a point selects its date; the What's new panel turns that into the as-of date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from dashboard.render.styles import PHASE_COLOURS

if TYPE_CHECKING:  # altair costs 0.4 s to import: paid when a chart is first drawn, not at start
    import altair as alt

SELECTION = "pick"  # the selection parameter's name: st.altair_chart reports the pick under it
KIND_ROW = {"new record": "New record", "status": "Status change", "retired": "Retired"}


def timeline(
    events: pd.DataFrame, status_labels: Mapping[str, str], colours: Mapping[str, str] = PHASE_COLOURS
) -> alt.Chart | None:
    import altair as alt

    if events.empty:
        return None
    df = pd.DataFrame(
        {
            "day": [d.isoformat() for d in events["_date"]],
            "when": pd.to_datetime(events["_date"]),
            "date": events["date"],
            "event": [KIND_ROW.get(k, k) for k in events["kind"]],
            "phase": events["phase"],
            "record": events["name"],
            "status": [status_labels.get(s, s) if s else "" for s in events["status"]],
        }
    )
    pick = alt.selection_point(name=SELECTION, fields=["day"], on="click", clear="dblclick")
    return (
        alt.Chart(df, title="Events by date (click a point to see the map as reported that day)")
        .mark_circle(size=90, opacity=0.85, stroke="#ffffff", strokeWidth=0.8)
        .encode(
            x=alt.X("when:T", title=None),
            y=alt.Y("event:N", title=None, sort=list(KIND_ROW.values())),
            yOffset=alt.YOffset("phase:N", scale=alt.Scale(domain=list(colours))),
            color=alt.Color(
                "phase:N", scale=alt.Scale(domain=list(colours), range=list(colours.values())), title="Phase"
            ),
            tooltip=[
                alt.Tooltip("date:N", title="date"),
                alt.Tooltip("record:N"),
                alt.Tooltip("event:N"),
                alt.Tooltip("status:N"),
                alt.Tooltip("phase:N"),
            ],
        )
        .add_params(pick)
        .properties(height=220)
    )


def picked_day(selection: Mapping | None) -> str | None:
    """The ISO day of the clicked point from st.altair_chart's selection state, else None."""
    if not selection:
        return None
    chosen = (selection.get("selection") or {}).get(SELECTION) or []
    if chosen and isinstance(chosen[0], Mapping) and chosen[0].get("day"):
        return str(chosen[0]["day"])
    return None
