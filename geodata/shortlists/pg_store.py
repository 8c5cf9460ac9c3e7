"""Shortlists in the shared PostGIS database: the SQLite store's behaviour, on a server a team shares.

The statements, the version check (stale writes refused), the history and the
restore are the SQLite store's own; only the connection differs. Every change
is one transaction holding a lock that serialises shortlist writes (as SQLite's
BEGIN IMMEDIATE does), so two colleagues saving at once never interleave.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from geodata.db import schema
from geodata.db.connect import connect, describe, transaction
from geodata.shortlists.store import ShortlistStore

_WRITE_LOCK = 727275


class _Adapted:
    """A psycopg connection that takes the SQLite store's `?` placeholders."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql: str, params=()):
        return self.con.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows):
        rows = list(rows)
        if rows:
            with self.con.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), rows)


class PgShortlistStore(ShortlistStore):
    """All shortlists in one PostGIS database (GEODATA_DATABASE_URL)."""

    def __init__(self, url: str, check_site: Callable[[str], object] | None = None):
        self.url = url
        self.path = describe(url)  # what messages name: never the password
        self.home = None
        self._check_site = check_site
        schema.require_current(url)

    def checked(self, check_site: Callable[[str], object]) -> PgShortlistStore:
        clone = copy.copy(self)
        clone._check_site = check_site
        return clone

    @contextmanager
    def _connect(self) -> Iterator[_Adapted]:
        with connect(self.url) as con:
            yield _Adapted(con)

    @contextmanager
    def _write(self) -> Iterator[_Adapted]:
        with transaction(self.url) as con:
            con.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            yield _Adapted(con)

    def integrity(self) -> str:
        with self._connect() as con:
            con.execute("SELECT count(*) FROM shortlists")
        return "ok"
