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
from geodata.db.connect import QmarkConnection, connect, describe, locked_transaction
from geodata.shortlists.store import ShortlistStore

_WRITE_LOCK = 727275


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
    def _connect(self) -> Iterator[QmarkConnection]:
        with connect(self.url) as con:
            yield QmarkConnection(con)

    @contextmanager
    def _write(self) -> Iterator[QmarkConnection]:
        with locked_transaction(self.url, _WRITE_LOCK) as con:
            yield con

    def integrity(self) -> str:
        with self._connect() as con:
            con.execute("SELECT count(*) FROM shortlists")
        return "ok"
