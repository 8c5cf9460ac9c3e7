"""Filter flags shared by `list`, `export` and `score`, turned into a Filters value."""

from __future__ import annotations

import argparse
from datetime import date

from geodata.catalog.filters import VOCAB_FILTERS, Filters
from geodata.catalog.load import Catalog, load_catalog
from geodata.dates import parse_date
from geodata.money import parse_amount
from geodata.problems import UserError

# flag -> Filters field, for the repeatable / comma-separated list flags
LIST_FLAGS = {
    "phase": "phase",
    "status": "status",
    "sector": "sector",
    "company": "company",
    "agency": "agency",
    "role": "role",
    "land_status": "land_status",
    "type": "facility_type",
    "state": "state",
    "confidence": "confidence",
}


def add_catalog_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="DIR", help="catalog directory (default: the shipped catalog)")


def add_filter_args(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("filters (repeat a flag or separate values with commas)")
    g.add_argument("--phase", action="append", metavar="P", help="concept, phase-1, phase-2, context")
    g.add_argument("--status", action="append", metavar="S", help="status, e.g. selected, announced")
    g.add_argument("--sector", action="append", metavar="S", help="investments and facilities")
    g.add_argument("--company", action="append", metavar="NAME", help="part of a company name, any case")
    g.add_argument("--agency", action="append", metavar="A", help="sites: BLM, DOE, DAF, ARMY, ...")
    g.add_argument("--role", action="append", metavar="R", help="sites: candidate, exclusion, context")
    g.add_argument(
        "--land-status",
        action="append",
        metavar="L",
        dest="land_status",
        help="sites: federal, state-trust, private, mixed",
    )
    g.add_argument("--type", action="append", metavar="T", help="facilities: fab, data-center, ...")
    g.add_argument("--state", action="append", metavar="XX", help="two-letter state code")
    g.add_argument("--confidence", action="append", metavar="C", help="high, medium, low")
    g.add_argument("--min-amount", metavar="USD", help="investments: e.g. 500M, 2B")
    g.add_argument("--max-amount", metavar="USD", help="investments: e.g. 10B")
    g.add_argument("--since", metavar="DATE", help="first reported on or after (YYYY[-MM[-DD]])")
    g.add_argument("--until", metavar="DATE", help="first reported on or before (YYYY[-MM[-DD]])")
    g.add_argument("--search", metavar="TEXT", help="free text in names, descriptions, companies, places")
    g.add_argument("--as-of", metavar="DATE", dest="as_of", help="the catalog as reported on this date")


def _split(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return tuple(dict.fromkeys(out))


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def filters_from_args(args: argparse.Namespace, catalog: Catalog) -> Filters:
    values: dict = {}
    for flag, field in LIST_FLAGS.items():
        items = _split(getattr(args, flag))
        if field == "state":
            items = tuple(s.upper() for s in items)
        if field in VOCAB_FILTERS:
            for v in items:
                msg = catalog.vocab.problem(VOCAB_FILTERS[field], v)
                if msg:
                    raise UserError(f"{_flag(flag)}: {msg}")
        values[field] = items
    for flag in ("min_amount", "max_amount"):
        raw = getattr(args, flag)
        if raw is not None:
            try:
                values[flag] = parse_amount(raw)
            except ValueError as exc:
                raise UserError(f"{_flag(flag)}: {exc}") from None
    for flag in ("since", "until", "as_of"):
        raw = getattr(args, flag)
        if raw is not None:
            try:
                d = parse_date(raw)
            except ValueError as exc:
                raise UserError(f"{_flag(flag)}: {exc}") from None
            values[flag] = d.end if flag == "as_of" else d
    if args.search:
        values["text"] = args.search.strip()
    f = Filters(**values)
    problems = f.problems(catalog)
    if problems:
        raise UserError(problems[0])
    if f.as_of and f.as_of > date.today():
        raise UserError(f"--as-of: {f.as_of} is in the future")
    return f


def catalog_from_args(args: argparse.Namespace) -> Catalog:
    return load_catalog(args.catalog)
