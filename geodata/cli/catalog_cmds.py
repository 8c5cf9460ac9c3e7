"""Catalog commands: validate, list, export, approx-polygon."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from geodata.catalog.changes import stale_records
from geodata.catalog.filters import apply_filters, describe
from geodata.catalog.load import ACREAGE_TOLERANCE, FILES, LAYERS, check_catalog
from geodata.cli.filter_args import add_catalog_arg, add_filter_args, catalog_from_args, filters_from_args
from geodata.cli.numbers import finite
from geodata.cli.tables import text_table
from geodata.export import formats as exporters
from geodata.geometry import approx_circle, geometry_json
from geodata.money import format_range
from geodata.problems import InvalidValue, UserError
from geodata.values import is_missing

TABLE_COLUMNS = {
    "sites": ["id", "name", "phase", "status", "agency", "state", "reported_acres", "as_of"],
    "investments": ["id", "name", "phase", "status", "amount", "sector", "state", "as_of"],
    "facilities": ["id", "name", "company", "type", "state", "phase", "status", "as_of"],
}


def register(sub) -> None:
    p = sub.add_parser("validate", help="check the catalog; list every problem")
    p.add_argument(
        "--stale",
        type=int,
        metavar="DAYS",
        help="also list records whose newest source is more than DAYS old ('no update found since …')",
    )
    add_catalog_arg(p)
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("list", help="list records of one layer, filtered")
    p.add_argument("layer", choices=LAYERS)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_catalog_arg(p)
    add_filter_args(p)
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("export", help="export one layer, filtered, to a GIS file or CSV")
    p.add_argument("layer", choices=LAYERS)
    p.add_argument("--format", choices=exporters.EXPORT_FORMATS, help="default: from the extension of -o")
    p.add_argument("-o", "--output", required=True, metavar="PATH")
    add_catalog_arg(p)
    add_filter_args(p)
    p.set_defaults(run=cmd_export)

    p = sub.add_parser(
        "approx-polygon", help="print an approximate outline (GeoJSON) around a point, sized to an acreage"
    )
    p.add_argument("lon", type=finite)
    p.add_argument("lat", type=finite)
    p.add_argument("acres", type=finite, nargs="?", help="reported acreage (omit for a nominal 1 km circle)")
    p.set_defaults(run=cmd_approx_polygon)


def cmd_validate(args) -> int:
    if args.stale is not None and args.stale < 0:
        raise InvalidValue("stale", args.stale, f"must be 0 or more days, got {args.stale}")
    catalog, problems = check_catalog(args.catalog)
    if problems:
        for p in problems:
            print(p)
        print(f"{len(problems)} problem(s); the catalog was not loaded", file=sys.stderr)
        return 1
    print(f"catalog {catalog.directory}: valid")
    for name, n in catalog.counts().items():
        print(f"  {name:<12} {n:>4}")
    print(f"  {'sources':<12} {len(catalog.sources):>4}")
    print(f"  {'history':<12} {sum(map(len, catalog.history.values())):>4}  earlier statuses ({FILES['history']})")
    print(f"  {'companies':<12} {len(catalog.companies.companies):>4}")
    print(f"  {'stances':<12} {len(catalog.companies.stances):>4}  reported stances ({FILES['stances']})")
    off = catalog.sites[catalog.sites["acreage_diff"].abs() > ACREAGE_TOLERANCE]
    if len(off):
        print(
            f"{len(off)} site outline(s) differ from the reported acreage by more than {ACREAGE_TOLERANCE:.0%} "
            "(each explains why in area_note): " + ", ".join(off["id"])
        )
    if args.stale is not None:
        _list_stale(catalog, args.stale)
    return 0


def _list_stale(catalog, days: int) -> None:
    stale = stale_records(catalog, days)
    print(f"{len(stale)} record(s) with no source newer than {days} days:")
    for _, r in stale.iterrows():
        print(f"  {r['id']:<40} {r['layer']:<12} no update found since {r['newest_source']} ({r['age_days']} days)")


def _selected(args):
    catalog = catalog_from_args(args)
    filters = filters_from_args(args, catalog)
    return catalog, filters, apply_filters(catalog, args.layer, filters)


def cmd_list(args) -> int:
    catalog, filters, df = _selected(args)
    frame = exporters.export_frame(catalog, df)
    if args.format == "json":
        json.dump(json_records(frame), sys.stdout, indent=2, ensure_ascii=False, default=str)
        print()
    elif args.format == "csv":
        sys.stdout.buffer.write(exporters.render(frame, "csv", args.layer))
    else:
        rows = frame.drop(columns="geometry").to_dict("records")
        if args.layer == "investments":
            for r in rows:
                r["amount"] = format_range(r["amount_usd_low"], r["amount_usd_high"])
        for r in rows:
            if isinstance(r.get("reported_acres"), float) and not is_missing(r["reported_acres"]):
                r["reported_acres"] = f"{r['reported_acres']:,.0f}"
        print(text_table(rows, TABLE_COLUMNS[args.layer]))
        print(f"{_matches(len(frame))}: {describe(filters, args.layer)}")
    return 0


def json_records(frame) -> list[dict]:
    """Records as JSON-ready dicts: lists stay lists, a point as lon/lat."""
    out = []
    for _, row in frame.iterrows():
        rec = {k: (None if is_missing(v) else v) for k, v in row.drop(labels="geometry").items()}
        for k in ("sources", "companies", "state", "company_stances"):
            if isinstance(rec.get(k), str):
                rec[k] = [p for p in rec[k].split("; ") if p]
            elif rec.get(k) is None:
                rec[k] = []
        g = row.geometry
        p = None if is_missing(g) else (g if g.geom_type == "Point" else g.representative_point())
        rec["lon"], rec["lat"] = (round(p.x, 6), round(p.y, 6)) if p is not None else (None, None)
        out.append(rec)
    return out


def cmd_export(args) -> int:
    path = Path(args.output)
    fmt = args.format or exporters.format_from_path(path, exporters.EXPORT_FORMATS)
    catalog, filters, df = _selected(args)
    if df.empty:
        raise UserError(f"nothing matches ({describe(filters, args.layer)}); {path} not written")
    exporters.write(exporters.export_frame(catalog, df), fmt, path, args.layer)
    print(f"wrote {_matches(len(df))} ({describe(filters, args.layer)}) to {path} as {fmt}")
    return 0


def _matches(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"


# A circle in one equal-area projection stops meaning anything long before this (a billion acres).
MAX_APPROX_ACRES = 1e9


def cmd_approx_polygon(args) -> int:
    if not (-180 <= args.lon <= 180 and -90 <= args.lat <= 90):
        raise UserError(f"lon {args.lon}, lat {args.lat} are not degrees; give LON first, then LAT")
    if args.acres is not None and not 0 < args.acres <= MAX_APPROX_ACRES:
        raise UserError(f"acres must be greater than 0 and at most {MAX_APPROX_ACRES:,.0f}, got {args.acres:g}")
    print(json.dumps(geometry_json(approx_circle(args.lon, args.lat, args.acres)), allow_nan=False))
    return 0
