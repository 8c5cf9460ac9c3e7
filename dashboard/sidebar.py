"""Sidebar filters with facet counts; returns a geodata Filters value.

One widget per entry of the filter table (geodata/catalog/filterspec.py; the
two ends of a range share one). Widget values live in st.session_state under
each entry's `widget` key, so the URL can seed them before the widgets exist
and a reset can clear them.

Option labels never carry the facet counts. The browser sends a multiselect's
choice back as the label text it was shown, and Streamlit maps that text to an
option only through the labels of the current run: once a count in a label
changed (another filter was picked), the old label came back as if it were a
value, "Phase 1 (38)", and matched nothing. Labels here stay the same for an
option, the counts go in a caption under the box, and what the session holds
is mapped back to vocabulary keys before it becomes a filter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date

import streamlit as st

from dashboard.render.text import esc, md_escape
from geodata.catalog.area import parse_area
from geodata.catalog.filters import facet_counts
from geodata.catalog.filterspec import (
    SPEC,
    SPECS,
    Amount,
    Day,
    Filters,
    FilterSpec,
    PastDay,
    Region,
    Text,
    parse_items,
)
from geodata.catalog.load import Catalog
from geodata.money import format_usd

# session-state key -> the filters its widget sets (one, or the two ends of a range)
WIDGETS: dict[str, tuple[FilterSpec, ...]] = {}
for _spec in SPECS:
    WIDGETS[_spec.widget] = (*WIDGETS.get(_spec.widget, ()), _spec)
KEYS = {s.name: s.widget for s in SPECS}  # Filters field -> session-state key
MORE = "f_more"  # the "More filters" expander
NO_LIMIT = math.inf
AMOUNT_STEPS = [0, 10e6, 50e6, 100e6, 500e6, 1e9, 5e9, 10e9, 50e9, 100e9, 500e9, NO_LIMIT]
EARLIEST = date(2000, 1, 1)
COUNTS_SHOWN = 6  # values with their counts under a box; the selected ones are always among them
_COUNT_SUFFIX = re.compile(r"\s*\(\d+\)$")  # how labels carried counts before


def widget_kind(specs: tuple[FilterSpec, ...]) -> str:
    """Which widget draws these filters; LookupError for a filter the sidebar cannot draw yet."""
    kind = specs[0].kind
    if len(specs) == 1 and kind.multiple:
        return "multiselect"
    if len(specs) == 2 and isinstance(kind, Amount):
        return "amount range"
    if len(specs) == 2 and isinstance(kind, Day):
        return "date range"
    if len(specs) == 1 and isinstance(kind, Text):
        return "text"
    if len(specs) == 1 and isinstance(kind, PastDay):
        return "day"
    if len(specs) == 1 and isinstance(kind, Region):
        return "area"
    raise LookupError(f"no sidebar widget for {[s.name for s in specs]} ({type(kind).__name__})")


def _amount_label(v: float) -> str:
    if v == NO_LIMIT:
        return "no limit"
    return "$0" if v == 0 else format_usd(v)


def amount_options(extra: tuple[float, ...] = ()) -> list[float]:
    return sorted({*AMOUNT_STEPS, *(v for v in extra if v is not None)})


# ---------------------------------------------------------------- filters <-> widget state


def _state_of(kind: str, specs: tuple[FilterSpec, ...], filters: Filters):
    values = [getattr(filters, s.name) for s in specs]
    if kind == "multiselect":
        return list(values[0])
    if kind == "amount range":
        lo, hi = values
        return (lo or 0, NO_LIMIT if hi is None else hi)
    if kind == "date range":
        return tuple(v.text if v else "" for v in values)
    if kind == "area":
        return values[0].text if values[0] else ""
    if kind == "day":
        return values[0].isoformat() if values[0] else ""
    return values[0]


def option_keys(spec: FilterSpec, held, catalog: Catalog) -> tuple[str, ...]:
    """The filter values for what a multiselect's state holds: vocabulary keys, never labels.

    A label that reaches the session state instead of its key (with a count, from
    an older page) is mapped back to its key; anything else unknown is dropped.
    """
    items = [held] if isinstance(held, str) else list(held or ())
    by_label = {}
    if spec.vocab:
        by_label = {catalog.vocab.label(spec.vocab, k).casefold(): k for k in catalog.vocab.values(spec.vocab)}
        by_label |= {k.casefold(): k for k in catalog.vocab.values(spec.vocab)}
    out = []
    for item in items:
        text = str(item).strip()
        if spec.vocab and catalog.vocab.problem(spec.vocab, text) is None:
            out.append(text)
            continue
        text = _COUNT_SUFFIX.sub("", text)
        out.append(by_label.get(text.casefold(), text))
    return parse_items(spec, out, catalog)[0]


def _filters_of(kind: str, specs: tuple[FilterSpec, ...], held, catalog: Catalog) -> dict[str, object]:
    names = [s.name for s in specs]
    if kind == "multiselect":
        return {names[0]: option_keys(specs[0], held, catalog)}
    if kind == "amount range":
        lo, hi = held or (0, NO_LIMIT)
        return {names[0]: lo or None, names[1]: None if hi == NO_LIMIT else hi}
    if kind == "date range":
        return {name: _typed_date(spec, text, catalog) for name, spec, text in zip(names, specs, held, strict=True)}
    if kind == "text":
        return {names[0]: (held or "").strip()}
    if kind == "area":
        try:
            return {names[0]: parse_area(held) if (held or "").strip() else None}
        except ValueError:
            return {names[0]: None}  # the box under the widget says why
    if kind == "day":
        return {names[0]: _typed_date(specs[0], held, catalog)}
    return {names[0]: held}


ERROR = ":material/error:"


def _problem_of(spec: FilterSpec, text, catalog: Catalog) -> str | None:
    """Why a typed date is not used (None when it is, or when nothing is typed)."""
    try:
        _ = spec.kind.parse(text.strip(), spec, catalog) if (text or "").strip() else None
    except ValueError as exc:
        return str(exc)
    return None


def _typed_date(spec: FilterSpec, text, catalog: Catalog):
    try:
        return spec.kind.parse(text.strip(), spec, catalog) if (text or "").strip() else None
    except ValueError:
        return None  # the line under the field says why


def _keys(key: str, kind: str) -> tuple[str, ...]:
    """The session-state keys of one sidebar widget: a date range is two fields, from and to."""
    return (f"{key}_from", f"{key}_to") if kind == "date range" else (key,)


def state_keys() -> set[str]:
    """Every session-state key the filter widgets hold."""
    return {k for key, specs in WIDGETS.items() for k in _keys(key, widget_kind(specs))}


def seed(filters: Filters) -> None:
    """Put a Filters value into the widgets' session state (before they are drawn)."""
    for key, specs in WIDGETS.items():
        kind = widget_kind(specs)
        state = _state_of(kind, specs, filters)
        for k, v in zip(_keys(key, kind), state if kind == "date range" else (state,), strict=True):
            st.session_state[k] = v


def reset() -> None:
    seed(Filters())


def from_state(catalog: Catalog) -> Filters:
    """The filters as the widgets hold them right now."""
    values: dict[str, object] = {}
    ss = st.session_state
    for key, specs in WIDGETS.items():
        kind = widget_kind(specs)
        held = tuple(ss.get(k) for k in _keys(key, kind)) if kind == "date range" else ss.get(key)
        values |= _filters_of(kind, specs, held, catalog)
    return Filters(**values)


def _settle(catalog: Catalog) -> Filters:
    """from_state, with each multiselect's state rewritten as keys where it held anything else.

    Run before the widgets are drawn (Streamlit refuses the write after): the
    box then shows, and the browser sends back, what the filter really holds.
    """
    current = from_state(catalog)
    ss = st.session_state
    for key, specs in WIDGETS.items():
        if widget_kind(specs) == "multiselect" and key in ss:
            keys = list(getattr(current, specs[0].name))
            if list(ss[key] or ()) != keys:
                ss[key] = keys
    return current


# ---------------------------------------------------------------- drawing


@st.cache_resource(show_spinner=False, max_entries=512)
def facet_totals(_catalog: Catalog, catalog_key: tuple, filters: Filters, name: str) -> dict[str, int]:
    """Facet counts; `catalog_key` identifies the catalog version (data.stamp)."""
    total: dict[str, int] = {}
    for layer in SPEC[name].layers:
        for k, v in facet_counts(_catalog, layer, filters, name).items():
            total[k] = total.get(k, 0) + v
    return total


def _help(spec: FilterSpec, extra: str = "") -> str:
    applies = "all layers" if spec.everywhere else " and ".join(spec.layers) + " only"
    return " ".join(t for t in (spec.help, f"Applies to {applies}.", extra) if t)


def counts_line(counts: dict[str, int], label: Callable[[str], str], chosen: tuple[str, ...]) -> str:
    """ "Phase 1 (38) · Context (66) · +2 more": the chosen values first, then the most frequent."""
    rest = sorted((k for k in counts if counts[k] and k not in chosen), key=lambda k: -counts[k])
    order = [*chosen, *rest]
    shown = order[: max(COUNTS_SHOWN, len(chosen))]
    # a part of a name from a link ("bank") has no count of its own: it matches several names
    text = " · ".join(f"{label(k)} ({counts[k]})" if k in counts else label(k) for k in shown)
    more = len(order) - len(shown)
    return (text + (f" · +{more} more" if more else "")) or "no records under the other filters"


def _multiselect(catalog: Catalog, catalog_key: tuple, filters: Filters, specs: tuple[FilterSpec, ...]) -> None:
    spec = specs[0]
    counts = facet_totals(catalog, catalog_key, filters, spec.name)
    chosen = getattr(filters, spec.name)
    # a name typed in a link in another case ("softbank") is the option itself ("SoftBank"), not a second one
    spelled = {k.casefold(): k for k in counts}
    same = tuple(dict.fromkeys(v if v in counts else spelled.get(v.casefold(), v) for v in chosen))
    if same != chosen and spec.widget in st.session_state:
        st.session_state[spec.widget] = list(same)
        chosen = same
    options = [*counts, *(v for v in chosen if v not in counts)]  # a value from a link stays selectable
    labels = {}
    if spec.vocab and spec.labels:
        labels = {k: catalog.vocab.label(spec.vocab, k) for k in catalog.vocab.values(spec.vocab)}

    def label(v: str) -> str:
        return labels.get(v, v)

    st.multiselect(
        spec.label,
        options,
        key=spec.widget,
        format_func=label,
        help=_help(spec, "The numbers under the box count records per value under the other filters."),
        placeholder="any",
    )
    st.caption(md_escape(counts_line(counts, label, chosen)))


def _value(key: str, default) -> dict:
    """`value=` only when the widget has no state yet (Streamlit warns about both)."""
    return {} if key in st.session_state else {"value": default}


def _amount_range(catalog: Catalog, catalog_key: tuple, filters: Filters, specs: tuple[FilterSpec, ...]) -> None:
    key = specs[0].widget
    stored = tuple(st.session_state.get(key) or (0, NO_LIMIT))
    st.select_slider(
        specs[0].label,
        options=amount_options(stored),
        key=key,
        **_value(key, (0, NO_LIMIT)),
        format_func=_amount_label,
        help=_help(specs[0]),
    )


def _date_range(catalog: Catalog, catalog_key: tuple, filters: Filters, specs: tuple[FilterSpec, ...]) -> None:
    # two text fields, not st.date_input: a typed date applies on Enter (the picker waited for the focus to
    # leave it), and a year or a month is a range of its own ("2025" from its first day to its last)
    start, end = _keys(specs[0].widget, "date range")
    # one label over both fields: two labels in half a sidebar wrap and stand at different heights
    st.markdown(f'<p class="atlas-field-label">{esc(specs[0].label)}</p>', unsafe_allow_html=True, help=_help(specs[0]))
    left, right = st.columns(2, gap="small")
    left.text_input(f"{specs[0].label}: from", key=start, placeholder="from", label_visibility="collapsed")
    right.text_input(f"{specs[0].label}: to", key=end, placeholder="to", label_visibility="collapsed")
    lo, hi = (_problem_of(spec, st.session_state.get(k), catalog) for spec, k in zip(specs, (start, end), strict=True))
    for problem in (lo, hi):
        if problem:
            st.error(md_escape(f"Date not used: {problem}. Type it as YYYY-MM-DD, e.g. 2025-06-30."), icon=ERROR)
    since, until = getattr(filters, specs[0].name), getattr(filters, specs[1].name)
    if since and until and since.start > until.end:
        st.error(f"No record can match: {since.text} is after {until.text}.", icon=ERROR)


def _text(catalog: Catalog, catalog_key: tuple, filters: Filters, specs: tuple[FilterSpec, ...]) -> None:
    spec = specs[0]
    st.text_input(
        spec.label,
        key=spec.widget,
        max_chars=spec.kind.limit,
        placeholder="name, company, place…",
        help=_help(spec),
    )


def _day(catalog: Catalog, catalog_key: tuple, filters: Filters, specs: tuple[FilterSpec, ...]) -> None:
    # A text field, not st.date_input: the date picker takes a typed date only when the focus leaves it, so
    # Enter did nothing; a text field applies on Enter, and takes a year or a month as well as a day.
    spec = specs[0]
    text = st.text_input(spec.label, key=spec.widget, placeholder="YYYY-MM-DD (or a year, a month)", help=_help(spec))
    problem = _problem_of(spec, text, catalog)
    if problem:
        st.error(md_escape(f"Date not used: {problem}. Type it as YYYY-MM-DD, e.g. 2025-06-30."), icon=ERROR)
    elif (text or "").strip():
        when = spec.kind.parse(text.strip(), spec, catalog)
        if when.isoformat() != text.strip():
            st.caption(f"As reported on {when.isoformat()} (the end of {md_escape(text.strip())})")


def _area(catalog: Catalog, catalog_key: tuple, filters: Filters, specs: tuple[FilterSpec, ...]) -> None:
    spec = specs[0]
    text = st.text_input(spec.label, key=spec.widget, placeholder="draw on the map, or W,S,E,N", help=_help(spec))
    if (text or "").strip():
        try:
            st.caption(md_escape(parse_area(text).show()))
        except ValueError as exc:
            st.error(md_escape(f"Area not used: {exc}"), icon=":material/error:")


DRAW = {
    "multiselect": _multiselect,
    "amount range": _amount_range,
    "date range": _date_range,
    "text": _text,
    "day": _day,
    "area": _area,
}


def render(catalog: Catalog, catalog_key: tuple) -> Filters:
    """Draw the filters with facet counts under the other active filters; return them."""
    current = _settle(catalog)
    main = [specs for specs in WIDGETS.values() if not specs[0].more and specs[0].place != "suffix"]
    more = [specs for specs in WIDGETS.values() if specs[0].more]
    suffix = [specs for specs in WIDGETS.values() if specs[0].place == "suffix"]
    with st.sidebar:
        st.header("Filters")
        st.button("Reset filters", on_click=reset, width="stretch")
        for specs in main:
            DRAW[widget_kind(specs)](catalog, catalog_key, current, specs)
        # the rest only when opened: fewer widgets to build and draw on every page (their values are kept)
        # (a label that changed with the count would make a new expander, closed, under the user's typing)
        box = st.expander("More filters", key=MORE, on_change="rerun")
        if box.open:
            with box:
                for specs in more:
                    DRAW[widget_kind(specs)](catalog, catalog_key, current, specs)
        else:
            held = [specs[0].label for specs in more if any(_is_set(getattr(current, s.name)) for s in specs)]
            if held:
                st.caption(md_escape("Also set under More filters: " + ", ".join(held)))
        for specs in suffix:  # it changes what every other filter sees, so it stands apart
            st.divider()
            DRAW[widget_kind(specs)](catalog, catalog_key, current, specs)
    return from_state(catalog)


def _is_set(value) -> bool:
    return value not in (None, (), "")


def kept_keys() -> list[str]:
    """The session-state keys of the filters under "More filters": kept while it is closed (layout.keep)."""
    return [k for key, specs in WIDGETS.items() if specs[0].more for k in _keys(key, widget_kind(specs))]
