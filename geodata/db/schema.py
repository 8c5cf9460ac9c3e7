"""The atlas schema in PostGIS: versioned migrations, `geodata db init` and `geodata db status`.

Each migration is applied once, in order, in one transaction with its version
number; a database whose version is newer than this code knows is refused
rather than written to by code that does not understand it.
"""

from __future__ import annotations

from dataclasses import dataclass

from geodata.db.connect import SchemaMismatch, connect, describe, transaction

# (version, what it adds, SQL). Append only: a released migration never changes.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "shortlists, their items and change history; imported and reference layers",
        """
        CREATE EXTENSION IF NOT EXISTS postgis;
        CREATE TABLE shortlists (
            id BIGSERIAL PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            filter_sentence TEXT NOT NULL DEFAULT '',
            filters_json TEXT,
            weights_json TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE shortlist_items (
            shortlist_id BIGINT NOT NULL REFERENCES shortlists(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            site_id TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            score DOUBLE PRECISION,
            criteria_json TEXT,
            PRIMARY KEY (shortlist_id, site_id)
        );
        CREATE INDEX items_by_position ON shortlist_items(shortlist_id, position);
        CREATE TABLE shortlist_history (
            id BIGSERIAL PRIMARY KEY,
            shortlist_id BIGINT NOT NULL,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            version INTEGER NOT NULL,
            at TEXT NOT NULL,
            by TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL,
            snapshot_json TEXT
        );
        CREATE INDEX history_by_list ON shortlist_history(shortlist_id, id);
        CREATE INDEX history_by_name ON shortlist_history(name_key, id);
        CREATE TABLE layers (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'layer',
            table_name TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL DEFAULT '',
            features BIGINT NOT NULL,
            label_column TEXT NOT NULL,
            fields_json TEXT NOT NULL,
            columns_json TEXT NOT NULL,
            imported_ns BIGINT NOT NULL
        );
        CREATE SEQUENCE layer_tables;
        """,
    ),
    (
        2,
        "candidate sites (drawn or found), shared like the shortlists that name them",
        """
        CREATE TABLE candidates (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL,
            geometry TEXT NOT NULL,
            created_at TEXT NOT NULL,
            geom geometry(Geometry, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromGeoJSON(geometry), 4326)) STORED
        );
        CREATE INDEX candidates_geom ON candidates USING gist (geom);
        """,
    ),
]
VERSION = MIGRATIONS[-1][0]
_LOCK = 727274  # advisory lock serialising migrations between two `db init` at once


def current_version(con) -> int | None:
    """The schema version stored in the database, None when it has no atlas schema."""
    exists = con.execute("SELECT to_regclass('public.geodata_schema')").fetchone()[0]
    if exists is None:
        return None
    row = con.execute("SELECT max(version) FROM geodata_schema").fetchone()
    return row[0] or 0


def refuse_newer(version: int | None, url: str) -> None:
    if version is not None and version > VERSION:
        raise SchemaMismatch(
            f"the database {describe(url)} has schema version {version}, newer than this code knows "
            f"({VERSION}); upgrade the atlas before using it"
        )


def require_current(url: str) -> None:
    """Refuse to use a database without the schema this code writes."""
    with connect(url) as con:
        version = current_version(con)
    refuse_newer(version, url)
    if version is None:
        raise SchemaMismatch(
            f"the database {describe(url)} has no atlas tables yet: initialise it with `geodata db init`"
        )
    if version < VERSION:
        raise SchemaMismatch(
            f"the database {describe(url)} has schema version {version}, older than this code's {VERSION}: "
            "upgrade it with `geodata db init`"
        )


def init(url: str) -> list[str]:
    """Create or upgrade the schema; what was applied, one line per migration."""
    applied = []
    with transaction(url) as con:
        con.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        version = current_version(con)
        refuse_newer(version, url)
        if version is None:
            con.execute(
                "CREATE TABLE geodata_schema (version INTEGER PRIMARY KEY, what TEXT NOT NULL, "
                "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            version = 0
        for number, what, sql in MIGRATIONS:
            if number > version:
                con.execute(sql)
                con.execute("INSERT INTO geodata_schema (version, what) VALUES (%s, %s)", (number, what))
                applied.append(f"{number}: {what}")
    return applied


@dataclass
class Status:
    where: str
    version: int | None
    postgis: str | None
    shortlists: int = 0
    history: int = 0
    candidates: int = 0
    layers: list[tuple[str, str, int]] | None = None  # (name, kind, features)

    def lines(self) -> list[str]:
        out = [f"database: {self.where}", f"PostGIS: {self.postgis or 'not installed in this database'}"]
        if self.version is None:
            out.append("schema: none yet (run `geodata db init`)")
            return out
        state = (
            "current"
            if self.version == VERSION
            else (
                "older: run `geodata db init`" if self.version < VERSION else "NEWER than this code: upgrade the atlas"
            )
        )
        out.append(f"schema: version {self.version} ({state})")
        if self.version > VERSION:
            return out
        out.append(f"shortlists: {self.shortlists} ({self.history} recorded changes)")
        out.append(f"candidate sites: {self.candidates}")
        if not self.layers:
            out.append("layers: none")
        for name, kind, n in self.layers or []:
            out.append(f"{kind}: {name} ({n:,} features)")
        return out


def status(url: str) -> Status:
    with connect(url) as con:
        pg = con.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'").fetchone()
        version = current_version(con)
        st = Status(describe(url), version, pg[0] if pg else None)
        if version is not None and version <= VERSION:
            st.shortlists = con.execute("SELECT count(*) FROM shortlists").fetchone()[0]
            st.history = con.execute("SELECT count(*) FROM shortlist_history").fetchone()[0]
            if version >= 2:
                st.candidates = con.execute("SELECT count(*) FROM candidates").fetchone()[0]
            st.layers = [tuple(r) for r in con.execute("SELECT name, kind, features FROM layers ORDER BY kind, name")]
    return st
