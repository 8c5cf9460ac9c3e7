"""What changed, and how fresh: the catalog's events in date order, and the age of each record's newest source.

An event is a record first reported, a status it reached (from status_history.csv or its current
status) or its retirement. A record is stale when its newest source is older than the chosen number
of days (GEODATA_STALE_DAYS): it is then marked "no update found since <date>".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geodata import settings
from geodata.catalog.edit import RETIRED
from geodata.catalog.load import LAYERS, Catalog
from geodata.dates import PartialDate, parse_date
from geodata.values import is_missing

NEW, STATUS, RETIREMENT = "new record", "status", "retired"


@dataclass(frozen=True)
class Freshness:
    newest: str  # the newest source date, as precise as it is
    age_days: int  # days from the end of that date's period to today
    stale: bool

    @property
    def note(self) -> str:
        """'no update found since 2025-10-21' for a stale record, else ''."""
        return f"no update found since {self.newest}" if self.stale else ""

    @property
    def text(self) -> str:
        age = f"{self.age_days} day{'s' if self.age_days != 1 else ''} ago" if self.age_days >= 0 else "future date"
        return f"{self.newest} ({age})" + (f"; {self.note}" if self.stale else "")


def freshness(as_of, today: date | None = None, days: int | None = None) -> Freshness | None:
    """How old the newest source `as_of` is; None for a record without one (an imported parcel)."""
    if is_missing(as_of) or as_of == "":
        return None
    d: PartialDate = parse_date(as_of)
    today = today or date.today()
    days = settings.stale_days() if days is None else days
    age = (today - d.end).days
    return Freshness(d.text, age, age > days)


def with_freshness(df: pd.DataFrame, today: date | None = None, days: int | None = None) -> pd.DataFrame:
    """A copy with newest_source, source_age_days and update_note (empty unless stale) after as_of."""
    if "as_of" not in df.columns:
        return df
    out = df.copy()
    fresh = [freshness(v, today, days) for v in out["as_of"]]
    at = out.columns.get_loc("as_of") + 1
    out.insert(at, "source_age_days", [f.age_days if f else None for f in fresh])
    out.insert(at + 1, "update_note", [f.note if f else "" for f in fresh])
    return out


def stale_records(catalog: Catalog, days: int, today: date | None = None) -> pd.DataFrame:
    """Records whose newest source is more than `days` old, oldest first (retired records left out)."""
    rows = []
    for layer in LAYERS:
        for _, r in catalog.layer(layer).iterrows():
            f = freshness(r["as_of"], today, days)
            if f and f.stale and r["status"] != RETIRED:
                rows.append(
                    {"id": r["id"], "layer": layer, "name": r["name"], "status": r["status"], "newest_source": f.newest}
                    | {"age_days": f.age_days}
                )
    return pd.DataFrame(rows, columns=["id", "layer", "name", "status", "newest_source", "age_days"]).sort_values(
        ["age_days", "id"], ascending=[False, True], ignore_index=True
    )


def _report(catalog: Catalog, ids: list[str], when: PartialDate) -> list[str]:
    """Of a record's sources, those that reported an event of `when`: dated then, else the first after it."""
    dated = [(catalog.sources[i].date, i) for i in ids if i in catalog.sources]
    same = [i for d, i in dated if d.text == when.text]
    after = sorted((d, i) for d, i in dated if d.start > when.end)
    before = sorted((d, i) for d, i in dated if d.start <= when.end)
    return same or [i for _, i in after[:1]] or [i for _, i in before[-1:]] or list(ids)


def events(catalog: Catalog) -> pd.DataFrame:
    """Every event of the catalog, newest first: date, record, what happened, its sources and note."""
    rows = []
    for layer in LAYERS:
        for _, r in catalog.layer(layer).iterrows():
            base = {"record_id": r["id"], "layer": layer, "name": r["name"], "phase": r["phase"]}
            first = parse_date(r["first_reported"])
            mine = []
            for e in catalog.history.get(r["id"], []):
                mine.append(
                    base
                    | {"date": e.date.text, "_date": e.date.start, "kind": STATUS, "status": e.status}
                    | {"sources": list(e.sources), "note": e.note or ""}
                )
            when = parse_date(r["status_date"])
            note = r.get("status_note")
            mine.append(
                base
                | {"date": when.text, "_date": when.start, "status": r["status"]}
                | {"kind": RETIREMENT if r["status"] == RETIRED else STATUS}
                | {"sources": _report(catalog, r["sources"], when), "note": "" if is_missing(note) else note}
            )
            # A record that arrives with its first status is one event, not two.
            if mine[0]["date"] == first.text and mine[0]["kind"] == STATUS:
                mine[0] = mine[0] | {"kind": NEW}
            else:
                mine.insert(
                    0,
                    base
                    | {"date": first.text, "_date": first.start, "kind": NEW, "status": ""}
                    | {"sources": _report(catalog, r["sources"], first), "note": ""},
                )
            rows.extend(mine)
    cols = ["date", "_date", "kind", "record_id", "layer", "name", "phase", "status", "sources", "note"]
    df = pd.DataFrame(rows, columns=cols)
    order = {RETIREMENT: 0, STATUS: 1, NEW: 2}  # on one day: a retirement, then a status, then the arrival
    df["_order"] = df["kind"].map(order)
    return df.sort_values(["_date", "_order", "record_id"], ascending=[False, True, True], ignore_index=True).drop(
        columns="_order"
    )


def changes_since(catalog: Catalog, since: date) -> pd.DataFrame:
    """Events dated on or after `since`, newest first (a month-only date counts from its first day)."""
    ev = events(catalog)
    return ev[ev["_date"] >= since].reset_index(drop=True)
