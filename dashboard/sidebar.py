"""Sidebar filters with facet counts; returns a geodata Filters value.

Widget values live in st.session_state under the keys in KEYS, so the URL
can seed them before the widgets exist and a reset can clear them.
"""

from __future__ import annotations

import math
from datetime import date
from functools import partial

import streamlit as st

from geodata.catalog.filters import APPLIES, Filters, facet_counts
from geodata.catalog.load import LAYERS, Catalog
from geodata.dates import PartialDate
from geodata.money import format_usd

KEYS = {
    "phase": "f_phase",
    "status": "f_status",
    "sector": "f_sector",
    "company": "f_company",
    "agency": "f_agency",
    "role": "f_role",
    "land_status": "f_land",
    "facility_type": "f_type",
    "state": "f_state",
    "confidence": "f_conf",
    "amount": "f_amount",
    "dates": "f_dates",
    "text": "f_text",
    "as_of": "f_asof",
}
NO_LIMIT = math.inf
AMOUNT_STEPS = [0, 10e6, 50e6, 100e6, 500e6, 1e9, 5e9, 10e9, 50e9, 100e9, 500e9, NO_LIMIT]
EARLIEST = date(2000, 1, 1)


def _amount_label(v: float) -> str:
    if v == NO_LIMIT:
        return "no limit"
    return "$0" if v == 0 else format_usd(v)


def amount_options(extra: tuple[float, ...] = ()) -> list[float]:
    return sorted({*AMOUNT_STEPS, *(v for v in extra if v is not None)})


def seed(filters: Filters) -> None:
    """Put a Filters value into the widgets' session state (before they are drawn)."""
    ss = st.session_state
    for name in (
        "phase",
        "status",
        "sector",
        "company",
        "agency",
        "role",
        "land_status",
        "facility_type",
        "state",
        "confidence",
    ):
        ss[KEYS[name]] = list(getattr(filters, name))
    ss[KEYS["amount"]] = (filters.min_amount or 0, NO_LIMIT if filters.max_amount is None else filters.max_amount)
    ss[KEYS["dates"]] = tuple(
        d for d in (filters.since.start if filters.since else None, filters.until.end if filters.until else None) if d
    )
    ss[KEYS["text"]] = filters.text
    ss[KEYS["as_of"]] = filters.as_of


def reset() -> None:
    seed(Filters())


@st.cache_resource(show_spinner=False, max_entries=512)
def _total_counts(_catalog: Catalog, catalog_key: tuple, filters: Filters, name: str) -> dict[str, int]:
    """Facet counts; `catalog_key` identifies the catalog version (data.stamp)."""
    total: dict[str, int] = {}
    for layer in APPLIES[name]:
        for k, v in facet_counts(_catalog, layer, filters, name).items():
            total[k] = total.get(k, 0) + v
    return total


def _multiselect(
    catalog: Catalog,
    catalog_key: tuple,
    filters: Filters,
    name: str,
    label: str,
    help_text: str,
    labels: dict[str, str] | None = None,
) -> list[str]:
    counts = _total_counts(catalog, catalog_key, filters, name)
    key = KEYS[name]
    options = list(counts)
    for v in st.session_state.get(key, []):  # a value from a link stays selectable
        if v not in options:
            options.append(v)

    def fmt(v: str) -> str:
        text = labels.get(v, v) if labels else v
        return f"{text} ({counts.get(v, 0)})"

    return st.multiselect(label, options, key=key, format_func=fmt, help=help_text, placeholder="any")


def _applies(name: str) -> str:
    layers = APPLIES[name]
    return "all layers" if set(layers) == set(LAYERS) else " and ".join(layers) + " only"


def _value(key: str, default) -> dict:
    """`value=` only when the widget has no state yet (Streamlit warns about both)."""
    return {} if key in st.session_state else {"value": default}


def from_state() -> Filters:
    """The filters as the widgets hold them right now."""
    ss = st.session_state

    def tup(name: str) -> tuple[str, ...]:
        return tuple(ss.get(KEYS[name]) or ())

    lo, hi = ss.get(KEYS["amount"]) or (0, NO_LIMIT)
    dates = ss.get(KEYS["dates"]) or ()
    dates = tuple(dates) if isinstance(dates, (tuple, list)) else (dates,)
    return Filters(
        phase=tup("phase"),
        status=tup("status"),
        sector=tup("sector"),
        company=tup("company"),
        agency=tup("agency"),
        role=tup("role"),
        land_status=tup("land_status"),
        facility_type=tup("facility_type"),
        state=tup("state"),
        confidence=tup("confidence"),
        min_amount=lo or None,
        max_amount=None if hi == NO_LIMIT else hi,
        since=PartialDate(dates[0], dates[0].isoformat()) if len(dates) >= 1 else None,
        until=PartialDate(dates[1], dates[1].isoformat()) if len(dates) == 2 else None,
        text=(ss.get(KEYS["text"]) or "").strip(),
        as_of=ss.get(KEYS["as_of"]),
    )


def render(catalog: Catalog, catalog_key: tuple) -> Filters:
    """Draw the filters with facet counts under the other active filters; return them."""
    current = from_state()
    pick = partial(_multiselect, catalog, catalog_key, current)
    v = catalog.vocab
    sb = st.sidebar
    with sb:
        st.header("Filters")
        st.button("Reset filters", on_click=reset, width="stretch")
        pick(
            "phase",
            "Project phase",
            "Concept: the original Crystal Land city. Phase 1: data-center equipment and power "
            "from Japan's $550B. Phase 2: AI chips. Context: related projects outside the parks. "
            "Applies to " + _applies("phase") + ".",
            {k: v.label("phase", k) for k in v.values("phase")},
        )
        pick(
            "status",
            "Status",
            "Lifecycle as reported. Applies to all layers.",
            {k: v.label("status", k) for k in v.values("status")},
        )
        pick(
            "sector",
            "Sector",
            "Applies to " + _applies("sector") + ".",
            {k: v.label("sector", k) for k in v.values("sector")},
        )
        pick("company", "Company", "Companies named in a record. Applies to all layers.")
        pick("agency", "Managing agency", "Applies to " + _applies("agency") + ".")
        pick(
            "role",
            "Site role",
            "Applies to " + _applies("role") + ".",
            {k: v.label("role", k) for k in v.values("role")},
        )
        pick(
            "land_status",
            "Land status",
            "Applies to " + _applies("land_status") + ".",
            {k: v.label("land_status", k) for k in v.values("land_status")},
        )
        pick(
            "facility_type",
            "Facility type",
            "Applies to " + _applies("facility_type") + ".",
            {k: v.label("facility_type", k) for k in v.values("facility_type")},
        )
        pick("state", "State", "Two-letter state codes. Applies to all layers.")
        pick("confidence", "Confidence", "How well the record is sourced (fact-sheet H/M/L).")
        stored = tuple(st.session_state.get(KEYS["amount"]) or (0, NO_LIMIT))
        options = amount_options(stored)
        st.select_slider(
            "Amount (investments)",
            options=options,
            key=KEYS["amount"],
            **_value(KEYS["amount"], (0, NO_LIMIT)),
            format_func=_amount_label,
            help="Headline amount: the upper figure where a ceiling or range is reported. "
            "Investments with no reported amount drop out once a bound is set.",
        )
        st.date_input(
            "First reported between",
            key=KEYS["dates"],
            **_value(KEYS["dates"], ()),
            min_value=EARLIEST,
            max_value=date.today(),
            help="Applies to all layers.",
            format="YYYY-MM-DD",
        )
        st.text_input(
            "Search",
            key=KEYS["text"],
            max_chars=200,
            placeholder="name, company, place…",
            help="All words must appear.",
        )
        st.divider()
        st.date_input(
            "As reported on",
            key=KEYS["as_of"],
            **_value(KEYS["as_of"], None),
            min_value=EARLIEST,
            max_value=date.today(),
            format="YYYY-MM-DD",
            help="Show the map as it was reported on this date: later records are hidden "
            "and statuses are shown as they stood. Leave empty for the latest.",
        )
    return from_state()
