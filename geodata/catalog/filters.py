"""Filters shared by the app and the CLI, the "as of" view, and the filter sentence.

A `Filters` value is plain data (tuples, numbers, dates), so it can be put in
a URL, stored with a shortlist, compared and hashed for caching. Some filters
only make sense for one layer (agency for sites, amount for investments);
they narrow that layer and leave the others alone, and the sentence says so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd

from geodata.catalog.load import LAYERS, Catalog
from geodata.dates import PartialDate, parse_date
from geodata.money import format_usd

# Which layers each filter narrows.
APPLIES: dict[str, tuple[str, ...]] = {
    "phase": LAYERS,
    "status": LAYERS,
    "sector": ("investments", "facilities"),
    "company": LAYERS,
    "agency": ("sites",),
    "role": ("sites",),
    "land_status": ("sites",),
    "facility_type": ("facilities",),
    "state": LAYERS,
    "confidence": LAYERS,
    "min_amount": ("investments",),
    "max_amount": ("investments",),
    "since": LAYERS,
    "until": LAYERS,
    "text": LAYERS,
    "as_of": LAYERS,
}
# Filters whose values come from a vocabulary, and which vocabulary.
VOCAB_FILTERS = {
    "phase": "phase",
    "status": "status",
    "sector": "sector",
    "agency": "agency",
    "role": "role",
    "land_status": "land_status",
    "facility_type": "facility_type",
    "confidence": "confidence",
}
# The record column each vocabulary filter reads.
COLUMN = {"facility_type": "type"}
TEXT_COLUMNS = (
    "id",
    "name",
    "description",
    "companies",
    "investor",
    "recipient",
    "company",
    "location",
    "city",
    "agency_detail",
    "note",
    "amount_text",
    "reported_area_text",
)
NOUNS = {"sites": "sites", "investments": "investments", "facilities": "facilities", None: "records"}


@dataclass(frozen=True)
class Filters:
    phase: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    company: tuple[str, ...] = ()
    agency: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    land_status: tuple[str, ...] = ()
    facility_type: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    confidence: tuple[str, ...] = ()
    min_amount: float | None = None
    max_amount: float | None = None
    since: PartialDate | None = None
    until: PartialDate | None = None
    text: str = ""
    as_of: date | None = None

    def active(self) -> dict[str, object]:
        """The filters that are set, by name."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) not in ((), None, "")
        }

    def to_json(self) -> dict:
        """The active filters as plain JSON values (stored with a shortlist)."""
        out: dict = {}
        for name, value in self.active().items():
            if isinstance(value, tuple):
                out[name] = list(value)
            elif isinstance(value, (int, float, str)):
                out[name] = value
            else:  # dates
                out[name] = value.text if isinstance(value, PartialDate) else value.isoformat()
        return out

    def replace(self, **changes) -> Filters:
        return dataclasses.replace(self, **changes)

    def without(self, name: str) -> Filters:
        return dataclasses.replace(self, **{name: dataclasses.fields(self)[_INDEX[name]].default})

    def problems(self, catalog: Catalog) -> list[str]:
        """Messages for values that no vocabulary knows and for inverted ranges."""
        out = []
        for name, vocab_name in VOCAB_FILTERS.items():
            for v in getattr(self, name):
                msg = catalog.vocab.problem(vocab_name, v)
                if msg:
                    out.append(f"{name}: {msg}")
        if self.min_amount is not None and self.max_amount is not None and self.min_amount > self.max_amount:
            out.append(
                f"amount range: minimum {format_usd(self.min_amount)} is above maximum {format_usd(self.max_amount)}"
            )
        if self.since and self.until and self.since.start > self.until.end:
            out.append(f"date range: since {self.since} is after until {self.until}")
        return out


_INDEX = {f.name: i for i, f in enumerate(dataclasses.fields(Filters))}


# ---------------------------------------------------------------- as of


def status_as_of(catalog: Catalog, row: pd.Series, when: date) -> tuple[str, str]:
    """(status, status_date) of a record as it stood on `when`."""
    events = [(e.date, e.status) for e in catalog.history.get(row["id"], [])]
    events.append((parse_date(row["status_date"]), row["status"]))
    past = [e for e in events if e[0].start <= when]
    chosen = past[-1] if past else events[0]
    return chosen[1], chosen[0].text


def as_of_view(catalog: Catalog, layer: str, when: date) -> gpd.GeoDataFrame:
    """The layer as reported on `when`: later records hidden, statuses and sources as they stood."""
    df = catalog.layer(layer)
    df = df[df["_first_reported"] <= when].copy()
    if df.empty:
        return df
    statuses = [status_as_of(catalog, row, when) for _, row in df.iterrows()]
    df["status"] = [s for s, _ in statuses]
    df["status_date"] = [d for _, d in statuses]
    df["_status_date"] = [parse_date(d).start for d in df["status_date"]]
    srcs = catalog.sources

    def known(ids: list[str]) -> list[str]:
        kept = [i for i in ids if srcs[i].date.start <= when]
        return kept or ids

    df["sources"] = [known(ids) for ids in df["sources"]]
    df["as_of"] = [max(srcs[i].date for i in ids).text for ids in df["sources"]]
    df["_as_of"] = [parse_date(v).start for v in df["as_of"]]
    return df


# ---------------------------------------------------------------- applying


def _contains_any(values, wanted: tuple[str, ...]) -> bool:
    return any(v in wanted for v in values or ())


def _company_match(companies, wanted: tuple[str, ...]) -> bool:
    names = [c.casefold() for c in companies or ()]
    return any(w.casefold() in n for w in wanted for n in names)


def _haystack(row: pd.Series) -> str:
    parts = []
    for col in TEXT_COLUMNS:
        v = row.get(col)
        if isinstance(v, list):
            parts.extend(map(str, v))
        elif isinstance(v, str):
            parts.append(v)
    return " ".join(parts).casefold()


def apply_filters(catalog: Catalog, layer: str, filters: Filters) -> gpd.GeoDataFrame:
    """The layer's records that pass every filter that applies to it."""
    df = as_of_view(catalog, layer, filters.as_of) if filters.as_of else catalog.layer(layer)
    if df.empty:
        return df
    keep = pd.Series(True, index=df.index)
    for name, value in filters.active().items():
        if layer not in APPLIES[name] or name == "as_of":
            continue
        keep &= _mask(df, name, value)
    return df[keep]


def _mask(df: gpd.GeoDataFrame, name: str, value) -> pd.Series:
    if name in VOCAB_FILTERS:
        return df[COLUMN.get(name, name)].isin(value)
    if name == "state":
        return df["state"].map(lambda s: _contains_any(s, value))
    if name == "company":
        return df["companies"].map(lambda c: _company_match(c, value))
    if name == "min_amount":
        return df["amount_usd"].ge(value).fillna(False).astype(bool)
    if name == "max_amount":
        return df["amount_usd"].le(value).fillna(False).astype(bool)
    if name == "since":
        return df["_first_reported"] >= value.start
    if name == "until":
        return df["_first_reported"] <= value.end
    if name == "text":
        words = value.casefold().split()
        return df.apply(lambda row: all(w in _haystack(row) for w in words), axis=1).astype(bool)
    raise KeyError(name)


def facet_counts(catalog: Catalog, layer: str, filters: Filters, name: str) -> dict[str, int]:
    """Counts per value of one filter, under every other active filter."""
    if layer not in APPLIES[name]:
        return {}
    df = apply_filters(catalog, layer, filters.without(name))
    if name in VOCAB_FILTERS:
        col = COLUMN.get(name, name)
        counts = df[col].value_counts()
        return {k: int(counts.get(k, 0)) for k in catalog.vocab.values(VOCAB_FILTERS[name])}
    if name in ("state", "company"):
        col = "state" if name == "state" else "companies"
        exploded = df[col].explode().dropna()
        return {str(k): int(v) for k, v in exploded.value_counts().sort_index().items()}
    raise KeyError(f"no facets for {name!r}")


# ---------------------------------------------------------------- the sentence


def _join_or(values) -> str:
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def _amount_phrase(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"worth {format_usd(lo)} to {format_usd(hi)}"
    if lo is not None:
        return f"worth {format_usd(lo)} or more"
    return f"worth up to {format_usd(hi)}"


def _qualifiers(f: Filters, layer: str | None) -> list[str]:
    """Phrases for the active filters that apply to `layer` (None: to every layer)."""

    def on(name: str) -> bool:
        value = getattr(f, name)
        if value in ((), None, ""):
            return False
        return set(APPLIES[name]) == set(LAYERS) if layer is None else layer in APPLIES[name]

    out = []
    if on("land_status"):
        out.append(f"on {_join_or(f.land_status)} land")
    if on("agency"):
        out.append(f"managed by {_join_or(f.agency)}")
    if on("status"):
        out.append(f"with status {_join_or(f.status)}")
    if on("sector"):
        out.append(f"in the {_join_or(f.sector)} sector")
    if on("facility_type"):
        out.append(f"of type {_join_or(f.facility_type)}")
    if on("company"):
        out.append(f"involving {_join_or(f.company)}")
    if on("state"):
        out.append(f"in {_join_or(f.state)}")
    if on("min_amount") or on("max_amount"):
        out.append(_amount_phrase(f.min_amount, f.max_amount))
    if on("since") and on("until"):
        out.append(f"first reported from {f.since} to {f.until}")
    elif on("since"):
        out.append(f"first reported since {f.since}")
    elif on("until"):
        out.append(f"first reported until {f.until}")
    if on("confidence"):
        out.append(f"with {_join_or(f.confidence)} confidence")
    if on("text"):
        out.append(f'matching "{f.text}"')
    return out


def describe(f: Filters, layer: str | None = None) -> str:
    """The filter set as a sentence: "phase-1 sites managed by DOE in ID or TN".

    With no layer the sentence covers all three layers and adds, in brackets,
    the filters that narrow only one of them.
    """
    noun = NOUNS[layer]
    if layer in (None, "sites") and f.role:
        noun = f"{_join_or(f.role)} sites" if layer == "sites" else noun
    subject = f"{_join_or(f.phase)} {noun}" if f.phase else noun
    words = [subject, *_qualifiers(f, layer)]
    if layer is None:
        extra = []
        for name in LAYERS:
            only = [q for q in _qualifiers(f, name) if q not in _qualifiers(f, None)]
            if name == "sites" and f.role:
                only.insert(0, f"role {_join_or(f.role)}")
            if only:
                extra.append(f"{name} {' '.join(only)}")
        if extra:
            words.append(f"({'; '.join(extra)})")
    sentence = " ".join(words)
    if not f.active() or list(f.active()) == ["as_of"]:
        sentence = f"all {sentence}"
    if f.as_of:
        sentence += f", as reported on {f.as_of.isoformat()}"
    return sentence
