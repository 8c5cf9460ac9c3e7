"""`shortlist` commands: list, create, add, remove, move, note, rename, show, export, delete, history, restore."""

from __future__ import annotations

import dataclasses
import getpass
import json
import sys
from pathlib import Path

from geodata import storage
from geodata.candidates.sites import user_sites
from geodata.catalog.filters import apply_filters, describe
from geodata.catalog.load import Catalog
from geodata.cli.filter_args import add_catalog_arg, add_filter_args, catalog_from_args, filters_from_args
from geodata.cli.tables import text_table
from geodata.export import formats as exporters
from geodata.ids import Resolver
from geodata.problems import UnknownId, UserError
from geodata.shortlists import export as shortlist_export


def register(sub) -> None:
    p = sub.add_parser("shortlist", help="build, edit and export shortlists of sites")
    ss = p.add_subparsers(dest="shortlist_command", metavar="ACTION", parser_class=type(p))
    ss.required = True

    def action(name: str, help_text: str, func, catalog: bool = False):
        a = ss.add_parser(name, help=help_text)
        a.add_argument("--home", metavar="DIR", help="data folder (default: $GEODATA_HOME or the per-user folder)")
        a.add_argument("--by", metavar="NAME", help="who makes the change, recorded in the history (default: $USER)")
        if catalog:
            add_catalog_arg(a)
        a.set_defaults(run=func)
        return a

    action("list", "list the shortlists", cmd_list)
    a = action(
        "create", "create an empty shortlist (or one holding the candidate sites that match)", cmd_create, catalog=True
    )
    a.add_argument("name")
    a.add_argument(
        "--add-matching", action="store_true", help="add every candidate site matching the filters, in catalog order"
    )
    add_filter_args(a)
    a = action("add", "add a site", cmd_add, catalog=True)
    a.add_argument("name")
    a.add_argument("site_id")
    a.add_argument("--note", default="")
    a.add_argument("--rank", type=int, help="position (default: last)")
    a = action("remove", "remove a site", cmd_remove)
    a.add_argument("name")
    a.add_argument("site_id")
    a = action("move", "move a site to a rank", cmd_move)
    a.add_argument("name")
    a.add_argument("site_id")
    a.add_argument("rank", type=int)
    a = action("note", "set the note of a site", cmd_note)
    a.add_argument("name")
    a.add_argument("site_id")
    a.add_argument("text")
    a = action("rename", "rename a shortlist", cmd_rename)
    a.add_argument("name")
    a.add_argument("new_name")
    a = action("show", "show a shortlist", cmd_show, catalog=True)
    a.add_argument("name")
    a.add_argument("--format", choices=("table", "json"), default="table")
    a = action("export", "export a shortlist", cmd_export, catalog=True)
    a.add_argument("name")
    a.add_argument("--format", choices=shortlist_export.FORMATS, help="default: from the extension of -o")
    a.add_argument("-o", "--output", required=True, metavar="PATH")
    a = action("delete", "delete a shortlist", cmd_delete)
    a.add_argument("name")
    a = action("history", "every recorded change of a shortlist (also a deleted one)", cmd_history)
    a.add_argument("name")
    a = action("restore", "bring a shortlist back to how it stood at a time (a new change)", cmd_restore)
    a.add_argument("name")
    a.add_argument("--at", required=True, metavar="TIME", help="ISO time in UTC, e.g. 2026-11-29T21:05:00")


def _store(args) -> storage.ShortlistBackend:
    return storage.shortlists(args.home).acting_as(args.by if getattr(args, "by", None) else _login())


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _checked_store(args, catalog: Catalog) -> storage.ShortlistBackend:
    """A store that refuses ids naming no site or parcel, worded for the command line."""
    resolver = Resolver(catalog, storage.layers(args.home), candidates=storage.candidates(args.home))

    def check(site_id: str) -> None:
        try:
            resolver.require_site(site_id)
        except UnknownId as exc:
            if exc.kind == "site" and not (exc.suggestions or exc.found):
                raise UserError(f"{exc}; `geodata list sites` lists them") from None
            raise

    return _store(args).checked(check)


def cmd_list(args) -> int:
    rows = _store(args).summaries()
    if not rows:
        print("no shortlists yet; create one with `python -m geodata shortlist create NAME`")
        return 0
    print(text_table(rows, ["name", "sites", "version", "updated_at", "filter_sentence"]))
    return 0


def cmd_create(args) -> int:
    catalog = catalog_from_args(args)
    filters = filters_from_args(args, catalog)
    active = filters.active()
    sentence = describe(filters, "sites") if active else ""
    store = _checked_store(args, catalog)
    to_add: list[str] = []
    if args.add_matching:
        matching = apply_filters(catalog, "sites", filters)
        to_add = list(matching[matching["role"] == "candidate"]["id"])
        if not to_add:
            raise UserError(f"no candidate site matches ({describe(filters, 'sites')}); nothing created")
    sl = store.create(args.name, sentence, filters.to_json() if active else None)
    for sid in to_add:
        sl = store.add(sl.name, sid, expected_version=sl.version)
    print(f"created shortlist {sl.name!r} with {len(sl.items)} site(s)")
    return 0


def cmd_add(args) -> int:
    catalog = catalog_from_args(args)
    sl = _checked_store(args, catalog).add(args.name, args.site_id, args.note, position=args.rank)
    rank = sl.site_ids.index(args.site_id) + 1
    print(f"added {args.site_id} to {sl.name!r} at rank {rank} of {len(sl.items)}")
    return 0


def cmd_remove(args) -> int:
    sl = _store(args).remove(args.name, args.site_id)
    print(f"removed {args.site_id} from {sl.name!r}; {len(sl.items)} site(s) left")
    return 0


def cmd_move(args) -> int:
    sl = _store(args).move(args.name, args.site_id, args.rank)
    print(f"moved {args.site_id} to rank {args.rank} in {sl.name!r}")
    return 0


def cmd_note(args) -> int:
    sl = _store(args).note(args.name, args.site_id, args.text)
    print(f"noted {args.site_id} in {sl.name!r}")
    return 0


def cmd_rename(args) -> int:
    sl = _store(args).rename(args.name, args.new_name)
    print(f"renamed {args.name!r} to {sl.name!r}")
    return 0


def cmd_show(args) -> int:
    catalog = catalog_from_args(args)
    sl = _store(args).get(args.name)
    parcels = user_sites(storage.layers(args.home), storage.candidates(args.home), sl.site_ids)
    names = dict(zip(catalog.sites["id"], catalog.sites["name"], strict=True))
    names.update(zip(parcels["id"], parcels["name"], strict=True))
    if args.format == "json":
        doc = dataclasses.asdict(sl)
        for item in doc["items"]:
            item["name"] = names.get(item["site_id"])
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    print(f"{sl.name} (version {sl.version}, updated {sl.updated_at})")
    if sl.filter_sentence:
        print(f"from: {sl.filter_sentence}")
    if sl.weights:
        print("weights: " + ", ".join(f"{k}={v:g}" for k, v in sl.weights.items()))
    rows = [
        {
            "rank": i.rank,
            "id": i.site_id,
            "name": names.get(i.site_id, "(not in the catalog)"),
            "score": f"{i.score:.3f}" if i.score is not None else "",
            "note": i.note,
        }
        for i in sl.items
    ]
    cols = ["rank", "id", "name", *(["score"] if sl.weights else []), "note"]
    print(text_table(rows, cols) if rows else "(empty)")
    return 0


def cmd_export(args) -> int:
    path = Path(args.output)
    fmt = args.format or exporters.format_from_path(path, shortlist_export.FORMATS)
    catalog = catalog_from_args(args)
    sl = _store(args).get(args.name)
    extra = user_sites(storage.layers(args.home), storage.candidates(args.home), sl.site_ids)
    shortlist_export.export(catalog, sl, fmt, path, extra)
    print(f"wrote shortlist {sl.name!r} ({len(sl.items)} site(s)) to {path} as {fmt}")
    return 0


def cmd_delete(args) -> int:
    store = _store(args)
    sl = store.get(args.name)
    store.delete(sl.name, expected_version=sl.version)
    print(f"deleted shortlist {sl.name!r} ({len(sl.items)} site(s))")
    return 0


def cmd_history(args) -> int:
    changes = _store(args).history(args.name)
    rows = [
        {
            "version": c.version,
            "at (UTC)": c.at[:23],  # to the millisecond: what `restore --at` takes
            "by": c.by or "-",
            "change": c.action,
            "sites": len(c.shortlist.items) if c.shortlist else "-",
        }
        for c in changes
    ]
    print(text_table(rows, ["version", "at (UTC)", "by", "change", "sites"]))
    return 0


def cmd_restore(args) -> int:
    sl = _store(args).restore(args.name, args.at)
    print(f"restored {sl.name!r} as it stood at {args.at}: {len(sl.items)} site(s), now version {sl.version}")
    return 0
