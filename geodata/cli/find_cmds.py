"""`find`: candidate tracts in an imported or given land layer (geodata/sitefinder)."""

from __future__ import annotations

import csv
import io
import json
import sys

from geodata import storage
from geodata.cli.filter_args import add_catalog_arg, catalog_from_args
from geodata.cli.tables import text_table
from geodata.export.csvsafe import neutralise
from geodata.export.formats import atomic_write_bytes
from geodata.geometry import geometry_json, round_geometry
from geodata.importers.files import parse_bbox
from geodata.problems import UserError
from geodata.scoring.score import parse_weights
from geodata.sitefinder.search import NEAR, FindRequest, FindResult, find, parse_keep, parse_near


def register(sub) -> None:
    p = sub.add_parser(
        "find",
        help="find candidate tracts: kept parcels merged, exclusions cut out, big and wide enough, ranked",
        description="One row per tract: id, area_acres, width_m (the diameter of the largest circle inside it) "
        "and the parcels it merged, ranked by the suitability score.",
    )
    p.add_argument("--land", required=True, metavar="FILE_OR_LAYER", help="a land file, or an imported layer's name")
    p.add_argument(
        "--keep",
        required=True,
        action="append",
        metavar="FIELD=VALUE[,VALUE...]",
        help="parcels to keep, e.g. Mang_Name=BLM (repeat: all must hold)",
    )
    p.add_argument("--min-acres", required=True, type=float, metavar="N")
    p.add_argument("--min-width-m", type=float, default=0.0, metavar="M", help="smallest inscribed diameter (0)")
    p.add_argument("--exclude", action="append", default=[], metavar="FILE_OR_LAYER", help="areas to cut out")
    p.add_argument("--no-catalog-exclusions", action="store_true", help="do not cut out the catalog's exclusion areas")
    p.add_argument("--buffer-m", type=float, default=0.0, metavar="B", help="widen every exclusion by B metres")
    p.add_argument("--near", metavar="NAME=KM,...", help=f"within KM of each NAME ({', '.join(NEAR)})")
    p.add_argument("--bbox", metavar="W,S,E,N", help="search only this area (degrees)")
    p.add_argument("--weights", metavar="NAME=W,...", help="ranking weights, as for `score`")
    p.add_argument("--format", choices=("table", "csv", "json", "geojson"), default="table")
    p.add_argument("-o", "--output", metavar="OUT", help="write to this file instead of standard output")
    p.add_argument("--home", metavar="DIR", help="data folder with imported layers")
    p.add_argument(
        "--save", type=int, default=0, metavar="N", help="also save the top N tracts as your own candidate sites"
    )
    add_catalog_arg(p)
    p.set_defaults(run=cmd_find)


def request_from_args(args) -> FindRequest:
    return FindRequest(
        land=args.land,
        keep=[parse_keep(k) for k in args.keep],
        min_acres=args.min_acres,
        min_width_m=args.min_width_m,
        exclude=list(args.exclude),
        catalog_exclusions=not args.no_catalog_exclusions,
        buffer_m=args.buffer_m,
        near=parse_near(args.near),
        bbox=parse_bbox(args.bbox),
        weights=parse_weights(args.weights),
    )


def render(result: FindResult, fmt: str) -> str:
    frame = result.frame()
    if fmt == "geojson":
        features = []
        for row in frame.to_dict("records"):
            geom = row.pop("geometry")
            row["parcels"] = row["parcels"].split(";")
            features.append({"type": "Feature", "properties": row, "geometry": geometry_json(round_geometry(geom, 6))})
        doc = {"type": "FeatureCollection", "search": result.request.describe(), "features": features}
        return json.dumps(doc, ensure_ascii=False, default=float) + "\n"
    if fmt == "json":
        rows = []
        for t in result.tracts:
            rows.append(
                {
                    "rank": t.rank,
                    "id": t.id,
                    "score": round(t.score, 4),
                    "area_acres": round(t.area_acres, 1),
                    "width_m": round(t.width_m),
                    "parcels": t.parcels,
                    "criteria": t.criteria,
                    "why": t.why,
                }
            )
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    table = frame.drop(columns="geometry")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(table.columns)
        for row in table.itertuples(index=False):
            w.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
        return buf.getvalue()
    cols = [c for c in table.columns if c not in ("parcels", "why")]
    return text_table(table.to_dict("records"), cols) + "\n"


def cmd_find(args) -> int:
    request = request_from_args(args)
    catalog = catalog_from_args(args)
    result = find(request, catalog, args.home)
    if not result.tracts:
        raise UserError(f"no tract passed: {result.funnel.sentence(request)}")
    text = render(result, args.format)
    if args.output:
        path = atomic_write_bytes(args.output, text.encode("utf-8"))
        print(f"wrote {len(result.tracts)} tracts to {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if args.save:
        store = storage.candidates(args.home)
        for t in result.tracts[: args.save]:
            c = store.add(f"Tract {t.rank} {t.id}", t.geometry, f"{t.why} ({request.describe()})", "found")
            print(f"saved {c.id} as your candidate site", file=sys.stderr)
    if args.format == "table" or args.output:
        print(
            f"{len(result.tracts)} tracts ({result.request.describe()}); {result.funnel.sentence(request)}",
            file=sys.stderr,
        )
    return 0
