"""`geodata changes --since DATE`: what changed in the catalog, newest first, with its sources."""

from __future__ import annotations

import json
import sys

from geodata.catalog.changes import changes_since
from geodata.cli.filter_args import add_catalog_arg, catalog_from_args
from geodata.cli.tables import text_table
from geodata.dates import parse_date
from geodata.problems import InvalidValue


def register(sub) -> None:
    p = sub.add_parser("changes", help="status changes, new records and retirements since a date, newest first")
    p.add_argument("--since", required=True, metavar="DATE", help="YYYY-MM-DD, YYYY-MM or YYYY")
    p.add_argument("--format", choices=("table", "json"), default="table")
    add_catalog_arg(p)
    p.set_defaults(run=cmd_changes)


def cmd_changes(args) -> int:
    try:
        since = parse_date(args.since)
    except ValueError as exc:
        raise InvalidValue("since", args.since, str(exc)) from None
    catalog = catalog_from_args(args)
    df = changes_since(catalog, since.start)
    labels = {k: catalog.vocab.label("status", k) for k in catalog.vocab.values("status")}
    rows = [
        {
            "date": r["date"],
            "what": r["kind"] + (f": {labels.get(r['status'], r['status'])}" if r["status"] else ""),
            "record": r["record_id"],
            "name": r["name"],
            "sources": "; ".join(r["sources"]),
            "note": r["note"],
        }
        for _, r in df.iterrows()
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    if rows:
        print(text_table(rows, ["date", "what", "record", "sources", "note"]))
    print(f"{len(rows)} change(s) since {since.text}")
    return 0
