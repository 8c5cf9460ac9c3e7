"""Catalog-editing commands: `source add` and `record add | set-status | edit | retire`.

Each one names its source, validates the whole catalog before writing, and
writes nothing when the change would break it (see geodata.catalog.edit).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from geodata.catalog import edit
from geodata.catalog.load import LAYERS
from geodata.cli.filter_args import add_catalog_arg
from geodata.geometry import geometry_json
from geodata.importers.limits import Limits
from geodata.importers.readers import read_any
from geodata.problems import InvalidValue, UserError

RECORD_FILE_MAX_BYTES = 1_000_000


def register(sub) -> None:
    p = sub.add_parser("source", help="add a source (a citation records point at)")
    acts = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    acts.required = True
    a = acts.add_parser("add", help="add a source to sources.csv")
    a.add_argument("id", help="source id, e.g. woub-2026-06-15")
    a.add_argument("--publisher", required=True)
    a.add_argument("--title", required=True)
    a.add_argument("--date", required=True, help="YYYY-MM-DD, YYYY-MM or YYYY")
    a.add_argument("--url")
    a.add_argument("--note")
    add_catalog_arg(a)
    a.set_defaults(run=cmd_source_add)

    p = sub.add_parser("record", help="add or change a site, investment or facility")
    acts = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    acts.required = True

    a = acts.add_parser("add", help="add a record from FIELD=VALUE pairs or a small JSON/TOML file")
    a.add_argument("layer", choices=LAYERS)
    a.add_argument(
        "fields", nargs="*", metavar="FIELD=VALUE", help="lists separated by ';' (state=AK;WA); pairs before options"
    )
    a.add_argument("--file", metavar="PATH", help="a .json or .toml file of fields (FIELD=VALUE pairs win)")
    _geometry_arg(a)
    _source_arg(a)
    a.set_defaults(run=cmd_record_add)

    a = acts.add_parser("set-status", help="give a record a new status (the old one goes to the history)")
    a.add_argument("id")
    a.add_argument("status")
    a.add_argument("--date", required=True, help="when the new status was reported")
    a.add_argument("--note", help="why: kept with the status")
    _source_arg(a)
    a.set_defaults(run=cmd_set_status)

    a = acts.add_parser("edit", help="set fields of a record, citing the source of the change")
    a.add_argument("id")
    a.add_argument("fields", nargs="*", metavar="FIELD=VALUE")
    _geometry_arg(a)
    _source_arg(a)
    a.set_defaults(run=cmd_edit)

    a = acts.add_parser("retire", help="mark a record retired: kept, with its history and the reason")
    a.add_argument("id")
    a.add_argument("--reason", required=True)
    a.add_argument("--date", help="default: today")
    _source_arg(a)
    a.set_defaults(run=cmd_retire)


def _source_arg(p) -> None:
    p.add_argument(
        "--source", action="append", metavar="ID", help="source id(s) reporting the change (repeat, or S1;S2)"
    )
    add_catalog_arg(p)


def _geometry_arg(p) -> None:
    p.add_argument("--geometry", metavar="PATH", help="a site's outline: a GeoJSON, GeoPackage, KML, ... file")


def _sources(args) -> list[str]:
    return [s for given in args.source or [] for s in given.split(";") if s.strip()]


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise InvalidValue("fields", item, f"{item!r} is not FIELD=VALUE (e.g. confidence=medium)", label="field")
        out[name.strip()] = value
    return out


def _record_file(path: str) -> dict[str, str]:
    p = Path(path)
    if p.suffix.lower() not in (".json", ".toml"):
        raise UserError(f"{p}: a record file is .json or .toml (an object of FIELD: VALUE)")
    if not p.is_file():
        raise UserError(f"{p} does not exist")
    if p.stat().st_size > RECORD_FILE_MAX_BYTES:
        raise UserError(f"{p} is larger than {RECORD_FILE_MAX_BYTES:,} bytes; a record file holds one record")
    try:
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{p} cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"{p} must hold one object of FIELD: VALUE")

    def text_of(v) -> str:
        if isinstance(v, list):
            return ";".join(str(x) for x in v)
        if isinstance(v, bool):
            return str(v).lower()
        return "" if v is None else str(v)

    return {str(k): text_of(v) for k, v in data.items()}


def _geometry(path: str | None) -> dict | None:
    if not path:
        return None
    result = read_any(path, Limits.from_env())
    gdf = result.gdf.to_crs(4326) if result.gdf.crs is not None else result.gdf
    shapes = [g for g in gdf.geometry if g is not None and not g.is_empty]
    if not shapes:
        raise UserError(f"{path} holds no outline")
    union = shapes[0] if len(shapes) == 1 else gdf.geometry.union_all()
    return geometry_json(union)


def cmd_source_add(args) -> int:
    sid = edit.add_source(
        args.catalog, args.id, publisher=args.publisher, title=args.title, date=args.date, url=args.url, note=args.note
    )
    print(f"added source {sid}")
    return 0


def cmd_record_add(args) -> int:
    fields = _record_file(args.file) if args.file else {}
    fields |= _pairs(args.fields)
    rid = edit.add_record(args.catalog, args.layer, fields, _sources(args), _geometry(args.geometry))
    print(f"added {args.layer[:-1] if args.layer != 'facilities' else 'facility'} {rid}")
    return 0


def cmd_set_status(args) -> int:
    outcome = edit.set_status(args.catalog, args.id, args.status, args.date, _sources(args), args.note)
    said = {
        "new": "the previous status is now in the history",
        "earlier": "an earlier status, added to the history",
        "refined": "the current status, dated more precisely",
    }
    print(f"{args.id}: status {args.status} as of {args.date} ({said[outcome]})")
    return 0


def cmd_edit(args) -> int:
    changes = _pairs(args.fields)
    rid = edit.edit_record(args.catalog, args.id, changes, _sources(args), _geometry(args.geometry))
    what = ", ".join(changes) + (", geometry" if args.geometry else "")
    print(f"{rid}: set {what}")
    return 0


def cmd_retire(args) -> int:
    rid = edit.retire_record(args.catalog, args.id, args.reason, _sources(args), args.date)
    print(f"{rid}: retired ({args.reason})")
    return 0
