"""Candidate sites in the shared PostGIS database, so a team's shortlists can name everyone's own sites.

A shortlist in the shared database may hold `drawn:<slug>` ids; kept in one
colleague's data folder, those sites would be unknown to everyone else. The
statements are the SQLite store's own (placeholders adapted); each change is one
transaction, and the table also keeps the outline as a PostGIS geometry for
anyone querying it in SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from geodata.candidates.store import CandidateStore
from geodata.db import schema
from geodata.db.connect import QmarkConnection, describe, locked_transaction

_WRITE_LOCK = 727276  # serialises two saves choosing the same new id


class PgCandidateStore(CandidateStore):
    """Everyone's candidate sites in one PostGIS database (GEODATA_DATABASE_URL)."""

    def __init__(self, url: str):
        self.url = url
        self.home = None
        self.path = describe(url)  # what messages name: never the password
        schema.require_current(url)

    @contextmanager
    def _db(self) -> Iterator[QmarkConnection]:
        with locked_transaction(self.url, _WRITE_LOCK) as con:
            yield con

    def _exists(self) -> bool:
        return True
