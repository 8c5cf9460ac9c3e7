"""Every filter described once: its field, link parameter, CLI flag, labels, vocabulary, layers and column.

The `Filters` value, the link parameters (dashboard/render/urlstate.py), the CLI flags
(geodata/cli/filter_args.py), the sidebar widgets (dashboard/sidebar.py), the
masks and the filter sentence (geodata/catalog/filters.py) are all built from
SPECS, so a new filter is one entry there. Text from a link or the command line
is read by one function, `parse_filters`, which reports what it cannot use as
typed `FilterProblem`s; each front end words them for its own users.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from geodata.catalog.area import Area, parse_area
from geodata.catalog.load import LAYERS
from geodata.dates import PartialDate, parse_date
from geodata.money import format_usd, parse_amount

if TYPE_CHECKING:
    from geodata.catalog.load import Catalog


def join_or(values: Iterable[object]) -> str:
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def amount_text(value: float) -> str:
    """Text `parse_amount` reads back as exactly `value`, in the largest unit that stays exact: 1B, 2.5B, 375M."""
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3), ("", 1.0)):
        if abs(value) >= size or not unit:
            text = f"{value / size:.12g}{unit}"
            if parse_amount(text) == value:
                return text
    return repr(value)


# ---------------------------------------------------------------- kinds of value


class Kind:
    """How a filter's value is read from text, written back as text, and shown in the sentence."""

    multiple = False  # a list: a repeatable flag, comma-separated in a link
    empty: object = None  # the value of a filter that is not set
    annotation = "object"

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> object:
        """The value for one non-blank text; ValueError saying what is wrong (no flag, no parameter)."""
        raise NotImplementedError

    def text(self, value) -> str:
        return str(value)

    def show(self, value) -> str:
        return str(value)

    def json(self, value):
        return self.text(value)

    # where a value starts and ends, for telling an inverted range
    def low(self, value):
        return value

    def high(self, value):
        return value


class _List(Kind):
    multiple = True
    empty = ()
    annotation = "tuple[str, ...]"

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> str:
        return text

    def text(self, value) -> str:
        return ",".join(value)

    def show(self, value) -> str:
        return join_or(value)

    def json(self, value):
        return list(value)


class Terms(_List):
    """Terms of the filter's vocabulary, spelled as in vocabularies.toml."""

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> str:
        msg = catalog.vocab.problem(spec.vocab, text)
        if msg:
            raise ValueError(msg)
        return text


class Names(_List):
    """Free text, each matched as part of a name in any case."""


class Codes(_List):
    """Codes such as state abbreviations, upper-cased."""

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> str:
        return text.upper()


class Amount(Kind):
    """US dollars as people write them (500M, 2.5B), written back exactly."""

    annotation = "float | None"

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> float:
        return parse_amount(text)

    def text(self, value) -> str:
        return amount_text(value)

    def show(self, value) -> str:
        return format_usd(value)

    def json(self, value):
        return value


class Day(Kind):
    """A date to a day, a month or a year; a range end covers all of it."""

    annotation = "PartialDate | None"

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> PartialDate:
        return parse_date(text)

    def text(self, value) -> str:
        return value.text

    def low(self, value):
        return value.start

    def high(self, value):
        return value.end


class PastDay(Kind):
    """A day that has happened: the last day of the period written, not after today."""

    annotation = "date | None"

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> date:
        when = parse_date(text)
        if when.end > date.today():
            raise ValueError(f"{when.text} is in the future")
        return when.end

    def text(self, value) -> str:
        return value.isoformat()


class Text(Kind):
    """Free text, trimmed and capped: it travels in links."""

    empty = ""
    annotation = "str"
    limit = 200

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> str:
        return text[: self.limit].strip()


class Region(Kind):
    """An area of interest: a box W,S,E,N or a drawn polygon's corners (geodata/catalog/area.py)."""

    annotation = "Area | None"

    def parse(self, text: str, spec: FilterSpec, catalog: Catalog) -> Area:
        return parse_area(text)

    def text(self, value) -> str:
        return value.text

    def show(self, value) -> str:
        return value.show()


TERMS, NAMES, CODES, AMOUNT, DAY, PAST_DAY, TEXT = Terms(), Names(), Codes(), Amount(), Day(), PastDay(), Text()
REGION = Region()


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class FilterSpec:
    name: str  # the Filters field
    kind: Kind
    url: str  # query parameter in a shared link
    flag: str  # CLI option, without the dashes
    label: str  # sidebar label; the two ends of a range share the lower end's widget and label
    help: str  # sidebar help; "Applies to ..." is added from `layers`
    hint: str  # CLI help; the layers are added when not all
    metavar: str
    widget: str  # session-state key of the sidebar widget
    column: str | None  # the record column the mask reads (None: several, or none)
    mask: str  # how filters.apply_filters narrows a layer by it (a key of filters.MASKS)
    phrase: str  # its words in the filter sentence, "{}" standing for the value
    rank: int  # place of the phrase in the sentence; the sidebar, flags and links keep table order
    layers: tuple[str, ...] = LAYERS
    vocab: str | None = None
    labels: bool = True  # the sidebar shows the vocabulary's labels; False: its keys, short codes people know
    place: str = "after"  # "before" the noun ("phase-1 sites"), "after" it, or a "suffix" after a comma
    lower: str | None = None  # on the upper end of a range: the field of the lower end
    both: str = ""  # on the upper end: the phrase when both ends are set, "{lo}" and "{hi}"
    inverted: str = ""  # on the upper end: the problem when the range is upside down
    more: bool = False  # the sidebar keeps it under "More filters" (drawn when opened), not always in view

    @property
    def everywhere(self) -> bool:
        return set(self.layers) == set(LAYERS)


SPECS: tuple[FilterSpec, ...] = (
    FilterSpec(
        name="phase",
        kind=TERMS,
        vocab="phase",
        url="phase",
        flag="phase",
        label="Project phase",
        help="Concept: the original Crystal Land city. Phase 1: data-center equipment and power "
        "from Japan's $550B. Phase 2: AI chips. Context: related projects outside the parks.",
        hint="concept, phase-1, phase-2, context",
        metavar="P",
        widget="f_phase",
        column="phase",
        mask="isin",
        phrase="phase {}",
        place="before",
        rank=0,
    ),
    FilterSpec(
        name="status",
        kind=TERMS,
        vocab="status",
        url="status",
        flag="status",
        label="Status",
        help="Lifecycle as reported.",
        hint="status, e.g. selected, announced",
        metavar="S",
        widget="f_status",
        column="status",
        mask="isin",
        phrase="with status {}",
        rank=30,
    ),
    FilterSpec(
        name="sector",
        kind=TERMS,
        vocab="sector",
        layers=("investments", "facilities"),
        url="sector",
        flag="sector",
        label="Sector",
        help="",
        hint="e.g. fiber-optics, nuclear",
        metavar="S",
        widget="f_sector",
        column="sector",
        mask="isin",
        phrase="in the {} sector",
        rank=40,
    ),
    FilterSpec(
        name="company",
        kind=NAMES,
        url="company",
        flag="company",
        label="Company",
        help="Companies named in a record.",
        hint="part of a company name, any case",
        metavar="NAME",
        widget="f_company",
        column="companies",
        mask="names",
        phrase="involving {}",
        rank=60,
    ),
    FilterSpec(
        name="stance",
        more=True,
        kind=TERMS,
        vocab="stance",
        url="stance",
        flag="stance",
        label="Company stance",
        help="Records of companies with this stance towards a programme (Crystal Land, Japan's $550B, "
        "Stargate), as reported; a subsidiary's records count for its parent. See the Companies tab.",
        hint="e.g. declined, in-talks, open-to-cooperation",
        metavar="S",
        widget="f_stance",
        column="_stances",
        mask="any",
        phrase="of companies that are {}",
        rank=65,
    ),
    FilterSpec(
        name="agency",
        kind=TERMS,
        vocab="agency",
        labels=False,
        layers=("sites",),
        url="agency",
        flag="agency",
        label="Managing agency",
        help="",
        hint="BLM, DOE, DAF, ARMY, ...",
        metavar="A",
        widget="f_agency",
        column="agency",
        mask="isin",
        phrase="managed by {}",
        rank=20,
    ),
    FilterSpec(
        name="role",
        more=True,
        kind=TERMS,
        vocab="role",
        layers=("sites",),
        url="role",
        flag="role",
        label="Site role",
        help="",
        hint="candidate, exclusion, context",
        metavar="R",
        widget="f_role",
        column="role",
        mask="isin",
        phrase="role {}",
        place="before",
        rank=0,
    ),
    FilterSpec(
        name="land_status",
        more=True,
        kind=TERMS,
        vocab="land_status",
        layers=("sites",),
        url="land",
        flag="land-status",
        label="Land status",
        help="",
        hint="federal, state-trust, private, mixed",
        metavar="L",
        widget="f_land",
        column="land_status",
        mask="isin",
        phrase="on {} land",
        rank=10,
    ),
    FilterSpec(
        name="facility_type",
        more=True,
        kind=TERMS,
        vocab="facility_type",
        layers=("facilities",),
        url="type",
        flag="type",
        label="Facility type",
        help="",
        hint="fab, data-center, ...",
        metavar="T",
        widget="f_type",
        column="type",
        mask="isin",
        phrase="of type {}",
        rank=50,
    ),
    FilterSpec(
        name="state",
        kind=CODES,
        url="state",
        flag="state",
        label="State",
        help="Two-letter state codes.",
        hint="two-letter state code",
        metavar="XX",
        widget="f_state",
        column="state",
        mask="any",
        phrase="in {}",
        rank=70,
    ),
    FilterSpec(
        name="confidence",
        more=True,
        kind=TERMS,
        vocab="confidence",
        labels=False,
        url="conf",
        flag="confidence",
        label="Confidence",
        help="How well the record is sourced: high, medium or low.",
        hint="high, medium, low",
        metavar="C",
        widget="f_conf",
        column="confidence",
        mask="isin",
        phrase="with {} confidence",
        rank=100,
    ),
    FilterSpec(
        name="min_amount",
        more=True,
        kind=AMOUNT,
        layers=("investments",),
        url="min",
        flag="min-amount",
        label="Amount (investments)",
        help="Headline amount: the upper figure where a ceiling or range is reported. "
        "Investments with no reported amount drop out once a bound is set.",
        hint="e.g. 500M, 2B",
        metavar="USD",
        widget="f_amount",
        column="amount_usd",
        mask="at_least",
        phrase="worth {} or more",
        rank=80,
    ),
    FilterSpec(
        name="max_amount",
        more=True,
        kind=AMOUNT,
        layers=("investments",),
        url="max",
        flag="max-amount",
        label="Amount (investments)",
        help="",
        hint="e.g. 10B",
        metavar="USD",
        widget="f_amount",
        column="amount_usd",
        mask="at_most",
        phrase="worth up to {}",
        rank=80,
        lower="min_amount",
        both="worth {lo} to {hi}",
        inverted="minimum {lo} is above maximum {hi}",
    ),
    FilterSpec(
        name="since",
        more=True,
        kind=DAY,
        url="since",
        flag="since",
        label="First reported between",
        help="",
        hint="first reported on or after (YYYY[-MM[-DD]])",
        metavar="DATE",
        widget="f_dates",
        column="_first_reported",
        mask="since",
        phrase="first reported since {}",
        rank=90,
    ),
    FilterSpec(
        name="until",
        more=True,
        kind=DAY,
        url="until",
        flag="until",
        label="First reported between",
        help="",
        hint="first reported on or before (YYYY[-MM[-DD]])",
        metavar="DATE",
        widget="f_dates",
        column="_first_reported",
        mask="until",
        phrase="first reported until {}",
        rank=90,
        lower="since",
        both="first reported from {lo} to {hi}",
        inverted="since {lo} is after until {hi}",
    ),
    FilterSpec(
        name="text",
        kind=TEXT,
        url="q",
        flag="search",
        label="Search",
        help="All words must appear, in names, descriptions, companies or places.",
        hint="free text in names, descriptions, companies, places",
        metavar="TEXT",
        widget="f_text",
        column=None,
        mask="words",
        phrase='matching "{}"',
        rank=110,
    ),
    FilterSpec(
        name="area",
        more=True,
        kind=REGION,
        url="area",
        flag="bbox",
        label="Area",
        help="Only what lies in this area: draw a rectangle or polygon on the map, or type W,S,E,N in degrees.",
        hint="W,S,E,N in degrees, or lon,lat,... corners of a polygon (see also --within FILE)",
        metavar="W,S,E,N",
        widget="f_area",
        column=None,
        mask="intersects",
        phrase="within {}",
        rank=120,
    ),
    FilterSpec(
        name="as_of",
        kind=PAST_DAY,
        url="asof",
        flag="as-of",
        label="As reported on",
        help="Show the map as it was reported on this date: later records are hidden "
        "and statuses are shown as they stood. Leave empty for the latest.",
        hint="the catalog as reported on this date",
        metavar="DATE",
        widget="f_asof",
        column=None,
        mask="view",
        phrase="as reported on {}",
        place="suffix",
        rank=200,
    ),
)
SPEC: dict[str, FilterSpec] = {s.name: s for s in SPECS}

# Derived views of the table, under the names the rest of the code has always used.
APPLIES: dict[str, tuple[str, ...]] = {s.name: s.layers for s in SPECS}
VOCAB_FILTERS: dict[str, str] = {s.name: s.vocab for s in SPECS if s.vocab}
COLUMN: dict[str, str] = {s.name: s.column for s in SPECS if s.column}


def upper_end(name: str) -> FilterSpec | None:
    """The upper end of the range whose lower end is `name`, if it is one."""
    return next((s for s in SPECS if s.lower == name), None)


def _check_table() -> None:
    """Mistakes in SPECS stop the import: every front end would repeat them."""
    for attr in ("name", "url", "flag"):
        seen = [getattr(s, attr) for s in SPECS]
        dupes = sorted({v for v in seen if seen.count(v) > 1})
        if dupes:
            raise ValueError(f"filter {attr}s used twice: {dupes}")
    for s in SPECS:
        where = f"filter {s.name!r}"
        if not s.name.isidentifier() or s.flag.startswith("-"):
            raise ValueError(f"{where}: name must be an identifier and flag written without dashes")
        if (s.vocab is not None) != isinstance(s.kind, Terms):
            raise ValueError(f"{where}: a vocabulary goes with kind TERMS, and only with it")
        if not set(s.layers) <= set(LAYERS) or not s.layers:
            raise ValueError(f"{where}: layers must be some of {LAYERS}")
        if s.place not in ("before", "after", "suffix") or "{}" not in s.phrase:
            raise ValueError(f"{where}: place is before, after or suffix, and the phrase holds {{}}")
        if s.lower is not None:
            low = SPEC.get(s.lower)
            if low is None or SPECS.index(low) > SPECS.index(s) or low.widget != s.widget:
                raise ValueError(f"{where}: its lower end {s.lower!r} comes first and shares its widget")
            if low.more != s.more:
                raise ValueError(f"{where}: both ends of a range sit in the same part of the sidebar")
            if type(low.kind) is not type(s.kind) or "{lo}" not in s.both or "{lo}" not in s.inverted:
                raise ValueError(f"{where}: a range needs ends of one kind, and both/inverted phrases")
    for s in SPECS:
        partners = {s.name, s.lower, getattr(upper_end(s.name), "name", None)} - {None}
        if {o.name for o in SPECS if o.widget == s.widget} != partners:
            raise ValueError(f"filter {s.name!r}: only the two ends of a range share a widget")


_check_table()


# ---------------------------------------------------------------- the value


class _FilterMethods:
    """Behaviour of `Filters`; its fields come from SPECS."""

    def active(self) -> dict[str, object]:
        """The filters that are set, by name."""
        return {s.name: getattr(self, s.name) for s in SPECS if getattr(self, s.name) != s.kind.empty}

    def to_json(self) -> dict:
        """The active filters as plain JSON values (stored with a shortlist)."""
        return {name: SPEC[name].kind.json(value) for name, value in self.active().items()}

    def texts(self) -> dict[str, str]:
        """The active filters as the text `parse_filters` reads back, by name."""
        return {name: SPEC[name].kind.text(value) for name, value in self.active().items()}

    def replace(self, **changes) -> Filters:
        return dataclasses.replace(self, **changes)

    def without(self, name: str) -> Filters:
        return dataclasses.replace(self, **{name: SPEC[name].kind.empty})

    def problems(self, catalog: Catalog) -> list[FilterProblem]:
        """Values that no vocabulary knows, dates in the future and inverted ranges."""
        return parse_filters(self.texts(), catalog)[1]


# Built from the table so that a new filter cannot be a field without a flag,
# a link parameter and a widget. A plain frozen dataclass: hashable (caching),
# comparable, and keyword-constructed as before: Filters(phase=("phase-1",)).
Filters = dataclasses.make_dataclass(
    "Filters",
    [(s.name, s.kind.annotation, dataclasses.field(default=s.kind.empty)) for s in SPECS],
    bases=(_FilterMethods,),
    frozen=True,
    namespace={
        "__module__": __name__,
        "__doc__": "The active filters: plain data (tuples, numbers, dates), one field per entry of SPECS.",
    },
)


# ---------------------------------------------------------------- reading text


@dataclass(frozen=True)
class FilterProblem:
    """Input a front end gave that `parse_filters` left out, and why.

    `fields` is one field, or both ends of an inverted range; `values` holds the
    text left out for each. `message` names neither a CLI flag nor a link
    parameter, so each front end can put its own name in front of it.
    """

    fields: tuple[str, ...]
    values: tuple[str, ...]
    message: str
    allowed: tuple[str, ...] = ()

    @property
    def field(self) -> str:
        return self.fields[0]

    def __str__(self) -> str:
        return f"{'/'.join(self.fields)}: {self.message}"


Raw = Mapping[str, str | Sequence[str] | None]


def _texts(raw: str | Sequence[str] | None) -> list[str]:
    items = [raw] if isinstance(raw, str) else list(raw or ())
    return [t.strip() for t in items if isinstance(t, str) and t.strip()]


def parse_items(spec: FilterSpec, items: Iterable[str], catalog: Catalog) -> tuple[tuple, list[FilterProblem]]:
    """A list filter's value from separate items (not split at commas), and the items left out."""
    good, problems = [], []
    allowed = tuple(catalog.vocab.values(spec.vocab)) if spec.vocab else ()
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        try:
            good.append(spec.kind.parse(item, spec, catalog))
        except ValueError as exc:
            problems.append(FilterProblem((spec.name,), (item,), str(exc), allowed))
    return tuple(dict.fromkeys(good)), problems


def parse_filters(raw: Raw, catalog: Catalog) -> tuple[Filters, list[FilterProblem]]:
    """Filters from text by field name, keeping every value it can use.

    A list filter takes several texts and commas within them; any other filter
    takes the last non-blank text. A value that cannot be used is left out (for
    a list, just that item), and so is an inverted range, both ends; each is
    reported, in table order, as a FilterProblem.
    """
    unknown = set(raw) - set(SPEC)
    if unknown:
        raise KeyError(f"not filters: {sorted(unknown)}")
    values: dict[str, object] = {}
    problems: list[FilterProblem] = []
    for spec in SPECS:
        texts = _texts(raw.get(spec.name))
        if not texts:
            continue
        if spec.kind.multiple:
            items = [part for t in texts for part in t.split(",")]
            values[spec.name], bad = parse_items(spec, items, catalog)
            problems += bad
            continue
        try:
            value = spec.kind.parse(texts[-1], spec, catalog)
        except ValueError as exc:
            problems.append(FilterProblem((spec.name,), (texts[-1],), str(exc)))
            continue
        if value != spec.kind.empty:
            values[spec.name] = value
    for spec in SPECS:
        if spec.lower in values and spec.name in values:
            low, lo, hi = SPEC[spec.lower], values[spec.lower], values[spec.name]
            if low.kind.low(lo) > spec.kind.high(hi):
                message = spec.inverted.format(lo=low.kind.show(lo), hi=spec.kind.show(hi))
                problems.append(FilterProblem((low.name, spec.name), (low.kind.text(lo), spec.kind.text(hi)), message))
                del values[low.name], values[spec.name]
    return Filters(**values), problems
