"""`import` commands: padus, blm-sma (and any ArcGIS REST layer), file.

Each prints what it read, kept, repaired and dropped, and writes OUT only when
everything succeeded. To see an imported layer in the app, write it into
$GEODATA_HOME/layers/ (the app lists every file there).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geodata.cli.numbers import finite
from geodata.importers.files import import_file, parse_bbox
from geodata.importers.limits import Limits
from geodata.importers.padus import FEDERAL_AGENCIES, import_padus, parse_codes
from geodata.layers.store import layer_slug
from geodata.problems import UserError


def register(sub) -> None:
    p = sub.add_parser("import", help="import federal land (PAD-US, BLM SMA, ArcGIS REST) or your own parcels")
    imp = p.add_subparsers(dest="import_command", metavar="SOURCE", parser_class=type(p))
    imp.required = True

    def common(a, bbox_required: bool = False) -> None:
        a.add_argument(
            "-o",
            "--output",
            metavar="OUT",
            help="output file; the extension picks the format (.parquet, .gpkg, .geojson, .fgb)",
        )
        a.add_argument(
            "--to",
            choices=("file", "db"),
            default="file",
            help="file: write OUT (default); db: load into the shared database (GEODATA_DATABASE_URL) as --name",
        )
        a.add_argument("--name", metavar="NAME", help="layer name in the database (default: from the input's name)")
        a.add_argument("--bbox", required=bbox_required, metavar="W,S,E,N", help="area of interest in degrees")
        a.add_argument("--max-mb", type=finite, metavar="MB", help="refuse inputs larger than this")

    a = imp.add_parser("padus", help="USGS PAD-US: GeoPackage, File Geodatabase, Shapefile, GeoJSON or GeoParquet")
    a.add_argument("path", metavar="PATH")
    common(a)
    a.add_argument("--state", metavar="XX,YY", help="two-letter state codes")
    a.add_argument("--agency", metavar="CODE,..", help=f"managing agency codes: {', '.join(FEDERAL_AGENCIES)}")
    a.add_argument("--layer", help="layer of a geodatabase or GeoPackage (default: the Fee layer)")
    a.add_argument("--member", help="dataset inside a zip archive, when it holds several")
    a.set_defaults(run=cmd_padus)

    for name, help_text in (
        ("blm-sma", "BLM Surface Management Agency (or any ArcGIS REST layer with --url)"),
        ("arcgis", "any ArcGIS REST feature or map-service layer (--url)"),
    ):
        a = imp.add_parser(name, help=help_text)
        common(a, bbox_required=True)
        a.add_argument(
            "--url",
            required=name == "arcgis",
            metavar="URL",
            help="layer URL, e.g. .../MapServer/1 (default for blm-sma: the national SMA layer)",
        )
        a.add_argument("--agency", metavar="CODE,..", help="ADMIN_AGENCY_CODE values to keep (SMA layers)")
        a.add_argument("--where", default=None, metavar="SQL", help="attribute filter sent to the server")
        a.add_argument(
            "--polygons",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="keep polygons only (default; --no-polygons keeps points and lines too)",
        )
        a.add_argument("--page-size", type=int, metavar="N", help="features per request (default: the layer's maximum)")
        a.add_argument("--retries", type=int, default=5, metavar="N", help="retries per page on errors")
        a.add_argument("--no-progress", action="store_true", help="no progress bar")
        a.set_defaults(run=cmd_arcgis)

    for name, help_text in (
        ("roads", "Census TIGER/Line primary roads: interstates for the scores"),
        ("transmission", "HIFLD transmission lines or substations for the scores"),
        ("power-plants", "EIA-860 power plants for the scores"),
    ):
        a = imp.add_parser(name, help=help_text)
        a.add_argument("path", metavar="PATH")
        a.add_argument("-o", "--output", metavar="OUT", help="default: $GEODATA_HOME/reference/, used by `score`")
        a.add_argument("--home", metavar="DIR", help="data folder (default: $GEODATA_HOME)")
        a.add_argument("--max-mb", type=finite, metavar="MB", help="refuse inputs larger than this")
        if name == "transmission":
            a.add_argument("--min-kv", type=finite, default=115, metavar="KV", help="keep lines of at least this (115)")
        if name == "power-plants":
            a.add_argument("--min-mw", type=finite, default=100, metavar="MW", help="keep plants of at least this")
        a.set_defaults(run=cmd_reference, kind=name)

    a = imp.add_parser("file", help="your own GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, FlatGeobuf or CSV")
    a.add_argument("path", metavar="PATH")
    common(a)
    a.add_argument("--crs", metavar="CRS", help="CRS of a CSV with x/y or WKT columns (never guessed)")
    a.add_argument("--layer", help="layer of a multi-layer file")
    a.add_argument("--member", help="dataset inside a zip archive, when it holds several")
    a.add_argument("--polygons", action="store_true", help="refuse anything that is not a polygon")
    a.set_defaults(run=cmd_file)


def _limits(args) -> Limits:
    try:
        return Limits.from_env().with_max_mb(args.max_mb)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _print(report) -> int:
    for line in report.lines():
        print(line)
    return 0


def _into(args, run, default_name: str) -> int:
    """Run an import into OUT, or (--to db) into the shared database in one transaction."""
    if args.to == "db":
        from geodata.cli.db_cmds import database_url
        from geodata.layers.pg_store import PgLayerStore

        if args.output:
            raise UserError("give either -o OUT (a file) or --to db, not both")
        store = PgLayerStore(database_url())
        name, report = store.save(args.name or default_name, run)
        _print(report)
        print(f"loaded into layer {name!r} of the database {store.dir}")
        return 0
    if not args.output:
        raise UserError("say where the layer goes: -o OUT (a file), or --to db (the shared database)")
    return _print(run(args.output))


def cmd_padus(args) -> int:
    return _into(args, lambda out: _padus(args, out), Path(args.path).stem)


def _padus(args, out):
    return import_padus(
        args.path,
        out,
        _limits(args),
        states=parse_codes(args.state, "state"),
        agencies=parse_codes(args.agency, "agency", set(FEDERAL_AGENCIES)),
        bbox=parse_bbox(args.bbox),
        layer=args.layer,
        member=args.member,
    )


def cmd_file(args) -> int:
    if args.to == "db" and not args.output:
        return _file_to_db(args)
    return _into(args, lambda out: _file(args, out), Path(args.path).stem)


def _file_to_db(args) -> int:
    """Straight into the database: each batch read, cleaned and sent through COPY, no intermediate file."""
    from geodata.cli.db_cmds import database_url
    from geodata.importers.files import streamed
    from geodata.layers.pg_store import PgLayerStore

    store = PgLayerStore(database_url())
    name = layer_slug(args.name or Path(args.path).stem)
    store.refuse_existing(name)
    options = {"crs": args.crs, "bbox": parse_bbox(args.bbox), "layer": args.layer, "member": args.member}
    with streamed(args.path, _limits(args), polygons_only=args.polygons, **options) as (report, batches):
        n = store.load_tables(name, batches, source=Path(args.path).name)
    report.notes.append(f"wrote {n:,} feature(s) to the database (EPSG:4326)")
    _print(report)
    print(f"loaded into layer {name!r} of the database {store.dir}")
    return 0


def _file(args, out):
    return import_file(
        args.path,
        out,
        _limits(args),
        crs=args.crs,
        bbox=parse_bbox(args.bbox),
        layer=args.layer,
        member=args.member,
        polygons_only=args.polygons,
    )


def cmd_arcgis(args) -> int:
    from geodata.importers import arcgis

    url = args.url or arcgis.BLM_SMA_URL
    where = args.where
    agencies = parse_codes(args.agency, "agency")
    if agencies:
        clause = "ADMIN_AGENCY_CODE IN (" + ",".join(f"'{a}'" for a in agencies) + ")"
        where = f"({where}) AND {clause}" if where else clause
    if args.page_size is not None and args.page_size < 1:
        raise UserError("--page-size must be at least 1")
    return _into(args, lambda out: _arcgis(args, url, where, out), "arcgis")


def _arcgis(args, url, where, out):
    from geodata.importers import arcgis

    return arcgis.import_arcgis(
        url,
        Path(out),
        bbox=parse_bbox(args.bbox),
        where=where or "1=1",
        limits=_limits(args),
        polygons_only=args.polygons,
        page_size=args.page_size,
        max_retries=args.retries,
        progress=not args.no_progress,
    )


def cmd_reference(args) -> int:
    from geodata.importers.reference import import_reference

    report = import_reference(
        args.kind,
        args.path,
        _limits(args),
        out=args.output,
        home=args.home,
        min_kv=getattr(args, "min_kv", None),
        min_mw=getattr(args, "min_mw", None),
    )
    return _print(report)
