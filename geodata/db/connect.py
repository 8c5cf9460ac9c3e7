"""Connections to the shared PostGIS database, with every failure turned into one clear line.

The connection URL may hold a password: messages name the database by
`describe(url)` (user, host, port and database, never the password), and any
driver message is scrubbed of the URL's password before it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import unquote, urlsplit

import psycopg

from geodata.problems import UserError

CONNECT_TIMEOUT_S = 5


class DatabaseUnavailable(UserError):
    """The database cannot be reached, refused the login, or the connection was lost; nothing was written."""


class DatabaseReadOnly(UserError):
    """The database accepts reads only; nothing was written."""


class SchemaMismatch(UserError):
    """The database has no atlas schema yet, an older one, or one newer than this code knows."""


def describe(url: str) -> str:
    """The database as it may be shown: user@host:port/db, no password."""
    try:
        parts = urlsplit(url)
        user = f"{unquote(parts.username)}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        return f"postgresql://{user}{parts.hostname or 'localhost'}{port}{parts.path}"
    except ValueError:
        return "the database in GEODATA_DATABASE_URL"


def _secrets(url: str) -> list[str]:
    try:
        pw = urlsplit(url).password
    except ValueError:
        return [url]
    return [s for s in (pw, unquote(pw) if pw else None, url) if s]


def scrub(text: str, url: str) -> str:
    """`text` without the URL or its password."""
    for secret in _secrets(url):
        text = text.replace(secret, "***")
    return text


def _first_line(exc: BaseException, url: str) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return scrub(lines[-1] if lines else type(exc).__name__, url)


def translate(exc: BaseException, url: str) -> UserError:
    """A driver error as the typed error a user reads (what happened, that nothing was written, what to do)."""
    where = describe(url)
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return DatabaseReadOnly(
            f"the database {where} is read-only just now, so nothing was saved; try again when it accepts writes"
        )
    if isinstance(exc, psycopg.errors.UndefinedTable):
        return SchemaMismatch(f"the database {where} has no atlas tables yet: initialise it with `geodata db init`")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return DatabaseUnavailable(
            f"cannot use the database {where}: {_first_line(exc, url)}; nothing was saved. "
            "Check that it is running and reachable, then try again"
        )
    return DatabaseUnavailable(
        f"the database {where} refused the operation: {_first_line(exc, url)}; nothing was saved"
    )


@contextmanager
def connect(url: str, autocommit: bool = True) -> Iterator[psycopg.Connection]:
    """A connection; any driver error becomes a UserError (see `translate`)."""
    try:
        con = psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise translate(exc, url) from None
    try:
        yield con
    except psycopg.Error as exc:
        raise translate(exc, url) from None
    finally:
        with suppress(psycopg.Error):
            con.close()


@contextmanager
def transaction(url: str) -> Iterator[psycopg.Connection]:
    """One transaction: committed when the block ends, rolled back (nothing written) on any error."""
    with connect(url, autocommit=False) as con:
        try:
            yield con
        except BaseException:
            with suppress(psycopg.Error):
                con.rollback()
            raise
        con.commit()


class QmarkConnection:
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


@contextmanager
def locked_transaction(url: str, lock: int) -> Iterator[QmarkConnection]:
    """One transaction holding advisory lock `lock` (the stores' writes, serialised as SQLite's BEGIN IMMEDIATE
    serialises them), taking the SQLite stores' `?` placeholders."""
    with transaction(url) as con:
        con.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
        yield QmarkConnection(con)
