"""`db` and `layers` commands: the shared PostGIS database (init, status) and moving layers between backends."""

from __future__ import annotations

from geodata import settings, storage
from geodata.importers.output import write_layer
from geodata.problems import UserError

NO_URL = "GEODATA_DATABASE_URL is not set: set it to postgresql://user:password@host:port/db of the shared database"


def register(sub) -> None:
    p = sub.add_parser("db", help="the shared PostGIS database (GEODATA_DATABASE_URL): create, upgrade, inspect")
    db = p.add_subparsers(dest="db_command", metavar="ACTION", parser_class=type(p))
    db.required = True
    db.add_parser("init", help="create the atlas schema, or upgrade it to this version").set_defaults(run=cmd_init)
    db.add_parser("status", help="schema version, shortlists and layers in the database").set_defaults(run=cmd_status)

    p = sub.add_parser("layers", help="list imported layers, copy one between the data folder and the database")
    ly = p.add_subparsers(dest="layers_command", metavar="ACTION", parser_class=type(p))
    ly.required = True
    a = ly.add_parser("list", help="imported layers of the current backend")
    a.add_argument("--home", metavar="DIR", help="data folder (default: $GEODATA_HOME)")
    a.set_defaults(run=cmd_list)
    a = ly.add_parser("copy", help="copy a layer from the data folder to the database, or back")
    a.add_argument("name", help="the layer's name")
    a.add_argument("--from", dest="source", choices=("file", "db"), required=True, help="where the layer is now")
    a.add_argument("--to", dest="dest", choices=("file", "db"), required=True, help="where the copy goes")
    a.add_argument("--as", dest="new_name", metavar="NAME", help="name of the copy (default: the same)")
    a.add_argument("--home", metavar="DIR", help="data folder (default: $GEODATA_HOME)")
    a.set_defaults(run=cmd_copy)


def database_url() -> str:
    url = settings.database_url()
    if not url:
        raise UserError(NO_URL)
    return url


def _store(kind: str, home) -> storage.LayerBackend:
    if kind == "file":
        return storage.file_layers(home)
    from geodata.layers.pg_store import PgLayerStore

    return PgLayerStore(database_url())


def cmd_init(args) -> int:
    from geodata.db import schema
    from geodata.db.connect import describe

    url = database_url()
    applied = schema.init(url)
    if applied:
        for line in applied:
            print(f"applied migration {line}")
        print(f"the database {describe(url)} is at schema version {schema.VERSION}")
    else:
        print(f"the database {describe(url)} is already at schema version {schema.VERSION}; nothing to do")
    return 0


def cmd_status(args) -> int:
    from geodata.db import schema

    st = schema.status(database_url())
    for line in st.lines():
        print(line)
    return 0 if st.version == schema.VERSION else 1


def cmd_list(args) -> int:
    store = storage.layers(args.home)
    layers = store.list()
    if not layers:
        print(f"no imported layers in {store.dir}")
    for info in layers:
        print(f"{info.name}  ({info.size_bytes / 2**20:,.1f} MB, {info.backend})")
    return 0


def cmd_copy(args) -> int:
    if args.source == args.dest:
        raise UserError("--from and --to name the same backend; copy from file to db, or from db to file")
    src, dest = _store(args.source, args.home), _store(args.dest, args.home)
    info = src.get(args.name)
    name = args.new_name or args.name
    if src.backend == "file":
        n = dest.load(name, info.path, source=info.path.name)
    else:
        gdf = src.read(info)
        n = len(gdf)
        dest.save(name, lambda path: write_layer(gdf, path))
    print(f"copied layer {args.name!r} ({n:,} features) from {src.dir} to {dest.dir} as {name!r}")
    return 0
