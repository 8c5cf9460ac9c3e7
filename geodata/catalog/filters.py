"""Filters shared by the app and the CLI, the "as of" view, and the filter sentence.

A `Filters` value is plain data (tuples, numbers, dates), so it can be put in
a URL, stored with a shortlist, compared and hashed for caching. Some filters
only make sense for one layer (agency for sites, amount for investments);
they narrow that layer and leave the others alone, and the sentence says so.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd

from geodata.catalog import companies as co
from geodata.catalog.filterspec import (
    APPLIES,
    COLUMN,
    SPEC,
    SPECS,
    VOCAB_FILTERS,
    FilterProblem,
    Filters,
    FilterSpec,
    parse_filters,
    upper_end,
)
from geodata.catalog.load import LAYERS, Catalog
from geodata.dates import parse_date

# The table in filterspec.py says which layers each filter narrows, which
# column it reads and how it is read from text; this module applies it.
__all__ = [
    "APPLIES",
    "COLUMN",
    "VOCAB_FILTERS",
    "FilterProblem",
    "Filters",
    "apply_filters",
    "as_of_view",
    "describe",
    "facet_counts",
    "parse_filters",
    "status_as_of",
]

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
    return co.annotate(df, catalog.companies, catalog.vocab.values("stance"), when)


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


def _all_words(df: gpd.GeoDataFrame, spec: FilterSpec, value: str) -> pd.Series:
    words = value.casefold().split()
    return df.apply(lambda row: all(w in _haystack(row) for w in words), axis=1).astype(bool)


# FilterSpec.mask -> (frame, spec, value) -> which rows pass. "view" filters (as of)
# change the frame itself before any mask runs.
MASKS = {
    "isin": lambda df, spec, value: df[spec.column].isin(value),
    "any": lambda df, spec, value: df[spec.column].map(lambda v: _contains_any(v, value)),
    "names": lambda df, spec, value: df[spec.column].map(lambda v: _company_match(v, value)),
    "at_least": lambda df, spec, value: df[spec.column].ge(value).fillna(False).astype(bool),
    "at_most": lambda df, spec, value: df[spec.column].le(value).fillna(False).astype(bool),
    "since": lambda df, spec, value: df[spec.column] >= value.start,
    "until": lambda df, spec, value: df[spec.column] <= value.end,
    "words": _all_words,
    "intersects": lambda df, spec, value: df.geometry.notna() & df.geometry.intersects(value.polygon),
    "view": None,
}
_missing = sorted({s.mask for s in SPECS} - set(MASKS))
if _missing:
    raise ValueError(f"filterspec names masks that filters.MASKS lacks: {_missing}")


def apply_filters(catalog: Catalog, layer: str, filters: Filters) -> gpd.GeoDataFrame:
    """The layer's records that pass every filter that applies to it."""
    df = as_of_view(catalog, layer, filters.as_of) if filters.as_of else catalog.layer(layer)
    if df.empty:
        return df
    keep = pd.Series(True, index=df.index)
    for name, value in filters.active().items():
        spec = SPEC[name]
        if layer in spec.layers and MASKS[spec.mask] is not None:
            keep &= MASKS[spec.mask](df, spec, value)
    return df[keep]


def facet_counts(catalog: Catalog, layer: str, filters: Filters, name: str) -> dict[str, int]:
    """Counts per value of one list filter, under every other active filter."""
    spec = SPEC[name]
    if not spec.kind.multiple:
        raise KeyError(f"no facets for {name!r}")
    if layer not in spec.layers:
        return {}
    df = apply_filters(catalog, layer, filters.without(name))
    if spec.vocab:
        column = df[spec.column]
        if column.map(lambda v: isinstance(v, list)).any():  # a record may carry several terms (stances)
            column = column.explode()
        counts = column.value_counts()
        return {k: int(counts.get(k, 0)) for k in catalog.vocab.values(spec.vocab)}
    exploded = df[spec.column].explode().dropna()
    return {str(k): int(v) for k, v in exploded.value_counts().sort_index().items()}


# ---------------------------------------------------------------- the sentence


def _applies(spec: FilterSpec, layer: str | None) -> bool:
    """Whether the sentence for `layer` (None: every layer) speaks of the filter."""
    return spec.everywhere if layer is None else layer in spec.layers


def _qualifiers(f: Filters, layer: str | None) -> list[str]:
    """Phrases after the noun for the active filters that apply to `layer` (None: to every layer)."""
    active = f.active()

    def on(spec: FilterSpec | None) -> bool:
        return spec is not None and spec.name in active and _applies(spec, layer)

    out = []
    for spec in sorted(SPECS, key=lambda s: s.rank):
        if spec.place != "after" or spec.lower:  # an upper end is written with its lower end
            continue
        upper = upper_end(spec.name)
        if upper and on(spec) and on(upper):
            lo, hi = spec.kind.show(active[spec.name]), upper.kind.show(active[upper.name])
            out.append(upper.both.format(lo=lo, hi=hi))
        elif on(spec):
            out.append(spec.phrase.format(spec.kind.show(active[spec.name])))
        elif upper and on(upper):
            out.append(upper.phrase.format(upper.kind.show(active[upper.name])))
    return out


def _before(f: Filters, layer: str | None) -> list[FilterSpec]:
    """The active filters written before the noun ("phase-1 exclusion sites")."""
    active = f.active()
    return [s for s in SPECS if s.place == "before" and s.name in active and _applies(s, layer)]


def describe(f: Filters, layer: str | None = None) -> str:
    """The filter set as a sentence: "phase-1 sites managed by DOE in ID or TN".

    With no layer the sentence covers all three layers and adds, in brackets,
    the filters that narrow only one of them.
    """
    active = f.active()
    adjectives = [s.kind.show(active[s.name]) for s in _before(f, layer)]
    words = [" ".join([*adjectives, NOUNS[layer]]), *_qualifiers(f, layer)]
    if layer is None:
        common = _qualifiers(f, None)
        extra = []
        for name in LAYERS:
            only = [s.phrase.format(s.kind.show(active[s.name])) for s in _before(f, name) if not s.everywhere]
            only += [q for q in _qualifiers(f, name) if q not in common]
            if only:
                extra.append(f"{name} {' '.join(only)}")
        if extra:
            words.append(f"({'; '.join(extra)})")
    sentence = " ".join(words)
    if all(SPEC[name].place == "suffix" for name in active):
        sentence = f"all {sentence}"
    for spec in SPECS:
        if spec.place == "suffix" and spec.name in active:
            sentence += ", " + spec.phrase.format(spec.kind.show(active[spec.name]))
    return sentence
