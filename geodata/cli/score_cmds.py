"""`score`: rank candidate sites by a transparent weighted score."""

from __future__ import annotations

import csv
import json
import sys

from geodata import storage
from geodata.candidates.sites import with_candidates
from geodata.catalog.filters import apply_filters, describe
from geodata.cli.filter_args import add_catalog_arg, add_filter_args, catalog_from_args, filters_from_args
from geodata.cli.tables import text_table
from geodata.export.csvsafe import neutralise
from geodata.problems import UserError
from geodata.scoring import reference as reference_layers
from geodata.scoring.score import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    EXCLUSION_POLICIES,
    SCALES,
    parse_weights,
    save_as_shortlist,
    score_sites,
)
from geodata.values import is_missing


def register(sub) -> None:
    defaults = ",".join(f"{k}={v:g}" for k, v in DEFAULT_WEIGHTS.items())
    p = sub.add_parser(
        "score",
        help="rank candidate sites by a weighted suitability score",
        description="Criteria and scales: " + "; ".join(f"{k}: {v}" for k, v in SCALES.items()),
    )
    p.add_argument("--weights", metavar="NAME=W,...", help=f"criteria weights (default {defaults})")
    p.add_argument(
        "--exclusion",
        choices=EXCLUSION_POLICIES,
        default="flag",
        help="flag sites that overlap exclusion areas, or remove the overlap (and sites inside them)",
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--home", metavar="DIR", help="data folder with imported reference layers")
    p.add_argument("--shortlist", metavar="NAME", help="also save the top sites as a new shortlist")
    p.add_argument("--top", type=int, default=10, metavar="N", help="how many sites --shortlist keeps (10)")
    add_catalog_arg(p)
    add_filter_args(p)
    p.set_defaults(run=cmd_score)


def cmd_score(args) -> int:
    weights = parse_weights(args.weights)
    catalog = catalog_from_args(args)
    filters = filters_from_args(args, catalog)
    sites = with_candidates(apply_filters(catalog, "sites", filters), storage.candidates(args.home), filters)
    if args.top < 1:
        raise UserError("--top must be at least 1")
    ranking = score_sites(catalog, sites, reference_layers.load(catalog, args.home), weights, args.exclusion)
    if not ranking.sites:
        raise UserError(f"no candidate site to score ({describe(filters, 'sites')})")
    if args.format == "json":
        json.dump([s.as_json(weights) for s in ranking.sites], sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif args.format == "csv":
        frame = ranking.frame()
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            w.writerow([neutralise(v) if isinstance(v, str) else "" if is_missing(v) else v for v in row])
    else:
        frame = ranking.frame()
        cols = ["rank", "id", "score", *[c for c in CRITERIA if c in frame.columns], "flags"]
        print(text_table(frame.to_dict("records"), cols))
        print(
            f"{len(ranking.sites)} candidate sites ranked ({describe(filters, 'sites')}); weights "
            + ", ".join(f"{k}={v:g}" for k, v in weights.items())
        )
    for crit, why in ranking.missing.items():
        print(f"note: {crit} left out: {why}", file=sys.stderr)
    for rid, why in ranking.removed:
        print(f"note: {rid} removed: {why}", file=sys.stderr)
    if args.shortlist:
        sl = save_as_shortlist(
            storage.shortlists(args.home),
            args.shortlist,
            ranking,
            describe(filters, "sites"),
            filters.to_json(),
            args.top,
        )
        print(f"saved the top {len(sl.items)} as shortlist {sl.name!r}", file=sys.stderr)
    return 0
