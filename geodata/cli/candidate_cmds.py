"""`candidates`: the user's own candidate sites (list, add from a polygon file, delete)."""

from __future__ import annotations

import json
import sys

import shapely

from geodata import storage
from geodata.cli.tables import text_table
from geodata.geometry import WGS84
from geodata.importers.limits import Limits
from geodata.importers.readers import read_any
from geodata.problems import UserError


def register(sub) -> None:
    p = sub.add_parser("candidates", help="your own candidate sites: list, add from a polygon file, delete")
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    acts.required = True
    a = acts.add_parser("list", help="list your candidate sites")
    a.add_argument("--format", choices=("table", "json"), default="table")
    a.add_argument("--home", metavar="DIR")
    a.set_defaults(run=cmd_list)
    a = acts.add_parser("add", help="save the polygon of a file (GeoJSON or any importable file) as a candidate site")
    a.add_argument("path", metavar="FILE")
    a.add_argument("--name", required=True)
    a.add_argument("--note", default="")
    a.add_argument("--home", metavar="DIR")
    a.set_defaults(run=cmd_add)
    a = acts.add_parser("delete", help="delete a candidate site by id (drawn:...)")
    a.add_argument("id")
    a.add_argument("--home", metavar="DIR")
    a.set_defaults(run=cmd_delete)


def cmd_list(args) -> int:
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "acres": round(c.acres, 1),
            "origin": c.origin,
            "saved": c.created_at,
            "note": c.note,
        }
        for c in storage.candidates(args.home).list()
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif rows:
        print(text_table(rows, ["id", "name", "acres", "origin", "saved", "note"]))
    else:
        print("no candidate sites yet: draw one on the map, or `geodata candidates add FILE --name NAME`")
    return 0


def cmd_add(args) -> int:
    gdf = read_any(args.path, Limits.from_env()).gdf.to_crs(WGS84)
    polygons = [g for g in gdf.geometry if g is not None and g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise UserError(f"{args.path} holds no polygon to save")
    c = storage.candidates(args.home).add(args.name, shapely.union_all(polygons), args.note, "drawn")
    print(f"saved {c.id} ({c.acres:,.0f} acres)")
    return 0


def cmd_delete(args) -> int:
    storage.candidates(args.home).delete(args.id)
    print(f"deleted {args.id}")
    return 0
