"""`geodata companies`: each company's stance towards each programme, and the plants it touches."""

from __future__ import annotations

import csv
import io
import json
import sys

from geodata.catalog.companies import stance_rows
from geodata.catalog.filters import Filters, apply_filters
from geodata.catalog.filterspec import SPEC, parse_items
from geodata.catalog.load import LAYERS
from geodata.cli.filter_args import add_catalog_arg, catalog_from_args, problem_line
from geodata.cli.tables import text_table
from geodata.export.csvsafe import neutralise
from geodata.money import format_usd
from geodata.problems import UserError

COLUMNS = ["company", "program", "stance", "stance_date", "sources", "facilities", "amount"]
CSV_COLUMNS = [
    "company",
    "company_id",
    "parent",
    "program",
    "stance",
    "stance_date",
    "current",
    "confidence",
    "sources",
    "note",
    "facilities",
    "facility_ids",
    "investment_ids",
    "amount_usd",
]


def register(sub) -> None:
    p = sub.add_parser("companies", help="each company's stance towards each programme, with the plants it touches")
    p.add_argument("--stance", action="append", metavar="S", help="e.g. declined, in-talks (repeat or use commas)")
    p.add_argument("--program", action="append", metavar="P", help="crystal-land, japan-550b, stargate")
    p.add_argument("--as-of", metavar="DATE", help="the stances as they stood on this date")
    p.add_argument("--history", action="store_true", help="every reported stance, not only the latest")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_catalog_arg(p)
    p.set_defaults(run=cmd_companies)


def _terms(catalog, vocab: str, flag: str, given: list[str] | None) -> tuple[str, ...]:
    items = [part.strip() for text in given or () for part in text.split(",") if part.strip()]
    for item in items:
        message = catalog.vocab.problem(vocab, item)
        if message:
            raise UserError(f"{flag}: {message}")
    return tuple(dict.fromkeys(items))


def cmd_companies(args) -> int:
    catalog = catalog_from_args(args)
    stances, bad = parse_items(SPEC["stance"], [p for t in args.stance or () for p in t.split(",")], catalog)
    if bad:
        raise UserError(problem_line(bad[0]))
    programs = _terms(catalog, "program", "--program", args.program)
    when = None
    if args.as_of:
        try:
            when = SPEC["as_of"].kind.parse(args.as_of.strip(), SPEC["as_of"], catalog)
        except ValueError as exc:
            raise UserError(f"--as-of: {exc}") from None
    frames = {layer: apply_filters(catalog, layer, Filters(as_of=when)) for layer in LAYERS}
    rows = stance_rows(
        catalog.companies, frames, catalog.vocab.values("stance"), when, stances, programs, history=args.history
    )
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif args.format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: _csv_cell(r[k]) for k in CSV_COLUMNS})
        sys.stdout.write(buf.getvalue())
    else:
        table = [
            {
                **r,
                "sources": "; ".join(r["sources"]),
                "facilities": "; ".join(r["facilities"]),
                "amount": format_usd(r["amount_usd"]) if r["amount_usd"] else "",
            }
            for r in rows
        ]
        print(text_table(table, COLUMNS))
        when_text = f" as reported on {when.isoformat()}" if when else ""
        print(f"{len(rows)} stance(s){when_text}; amount: headline amounts of the investments each company touches")
    return 0


def _csv_cell(v):
    if isinstance(v, list):
        v = "; ".join(map(str, v))
    if isinstance(v, bool):
        return "yes" if v else "no"
    return neutralise(v) if isinstance(v, str) else v
