"""Shortlists of sites, stored in SQLite under GEODATA_HOME.

Each change is one SQLite transaction, so a crash or `kill -9` mid-save loses
at most that change, never the file (WAL journal, synchronous=FULL). Every
shortlist carries a version number; a change made against an older version
than the stored one is refused (StaleWrite) instead of silently overwriting
what another session saved. Different shortlists never conflict.

Every change is also recorded in shortlist_history (when, by whom, what, and
the shortlist as it stood afterwards), so a shortlist can be shown and restored
as it was at an earlier time; a deletion is recorded too. Files written before
the history existed (schema 1) gain the table and one starting snapshot per
shortlist the first time they are opened.

The store sits behind a small interface (ShortlistStore) so a shared
PostGIS-backed store can replace it later.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from geodata import settings
from geodata.problems import UserError, one_line

DB_NAME = "shortlists.sqlite"
SCHEMA_VERSION = 2
MAX_NAME = 120
MAX_NOTE = 4000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shortlists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    filter_sentence TEXT NOT NULL DEFAULT '',
    filters_json TEXT,
    weights_json TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shortlist_items (
    shortlist_id INTEGER NOT NULL REFERENCES shortlists(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    score REAL,
    criteria_json TEXT,
    PRIMARY KEY (shortlist_id, site_id)
);
CREATE INDEX IF NOT EXISTS items_by_position ON shortlist_items(shortlist_id, position);
CREATE TABLE IF NOT EXISTS shortlist_history (
    id INTEGER PRIMARY KEY,
    shortlist_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    by TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    snapshot_json TEXT
);
CREATE INDEX IF NOT EXISTS history_by_list ON shortlist_history(shortlist_id, id);
CREATE INDEX IF NOT EXISTS history_by_name ON shortlist_history(name_key, id);
"""


BUSY_TIMEOUT_S = 15
# Written into every store this code creates (SQLite's header, offset 68), so a store is told from
# another program's database before anything is changed. Stores made before it was set read 0.
APPLICATION_ID = 0x47445348  # "GDSH"
SQLITE_MAGIC = b"SQLite format 3\x00"
OUR_TABLES = {"meta", "shortlists", "shortlist_items"}


class StaleWrite(UserError):
    """The shortlist changed since the caller read it."""


class _Busy(UserError):
    """Another connection held the database longer than the busy timeout."""


@dataclass(frozen=True)
class Item:
    rank: int
    site_id: str
    note: str
    score: float | None = None
    criteria: dict | None = None


@dataclass(frozen=True)
class Change:
    """One recorded change: the shortlist as it stood after it (None after a deletion)."""

    version: int
    at: str  # ISO 8601 UTC, microseconds
    by: str
    action: str
    name: str
    shortlist: Shortlist | None


@dataclass(frozen=True)
class Shortlist:
    name: str
    filter_sentence: str
    filters: dict | None
    weights: dict | None
    version: int
    created_at: str
    updated_at: str
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def site_ids(self) -> list[str]:
        return [i.site_id for i in self.items]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _stamp() -> str:
    """A history time: fine enough to order two changes made in the same second."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    """A time a user typed (ISO 8601: a date, or a date and time; without a zone it is UTC)."""
    raw = str(text).strip()
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1) if "T" not in raw else raw)
    except ValueError:
        raise UserError(f"{raw[:40]!r} is not a time: write it as 2026-11-29T21:05:00 (UTC) or 2026-11-29") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _unit_us(text: str) -> int:
    """The resolution of a typed time, in microseconds (a date or minutes: nothing is added)."""
    m = re.search(r"T?\d\d:\d\d:\d\d(?:\.(\d{1,6}))?", text)
    if not m:
        return 1
    return 10 ** (6 - len(m.group(1))) if m.group(1) else 1_000_000


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str:
    text = " ".join(str(name).split())
    if not text:
        raise UserError("a shortlist needs a name")
    if len(text) > MAX_NAME:
        raise UserError(f"a shortlist name has at most {MAX_NAME} characters (got {len(text)})")
    return text


def clean_note(note: str | None) -> str:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise UserError(f"a note has at most {MAX_NOTE} characters (got {len(text)})")
    return text


class ShortlistStore:
    """All shortlists of one data directory."""

    _by = ""  # who makes the changes (see acting_as)

    def __init__(self, home: str | Path | None = None, check_site: Callable[[str], object] | None = None):
        """`check_site` (e.g. `Resolver.require_site`) refuses an id that names no site before anything is written."""
        self.home = settings.home_or(home)
        self._check_site = check_site
        self.path = self.home / DB_NAME
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"cannot create the data folder {self.home}: {exc.strerror}; set GEODATA_HOME to a writable folder"
            ) from None
        self._initialise()

    def checked(self, check_site: Callable[[str], object]) -> ShortlistStore:
        """The same store, refusing unknown site ids on add (an app caches one store and checks per run)."""
        clone = copy.copy(self)
        clone._check_site = check_site
        return clone

    def _refuse(self, what: str) -> UserError:
        return UserError(
            f"the shortlist store {self.path} {what}; it was left as it is: move it aside to start a new store "
            "(or set GEODATA_HOME to another folder), or restore it from a backup"
        )

    def _check_existing(self) -> bool:
        """Whether a store exists here; one that is not ours, or looks damaged, is refused before any change.

        Only reads: the header, then (read-only) the table names and SQLite's quick check.
        """
        path = self.path
        if not path.exists() and not path.is_symlink():
            return False
        if not path.is_file():
            raise self._refuse("is not a regular file")
        try:
            with open(path, "rb") as fh:
                head = fh.read(100)
        except OSError as exc:
            raise self._refuse(f"cannot be read ({exc.strerror})") from None
        if not head:
            raise self._refuse("is empty (0 bytes): the shortlists it held are lost, or it was never written")
        if not head.startswith(SQLITE_MAGIC) or len(head) < 100:
            raise self._refuse("is not an SQLite database: it is damaged or another kind of file")
        app_id = int.from_bytes(head[68:72], "big")
        if app_id not in (0, APPLICATION_ID):
            raise self._refuse(f"belongs to another program (SQLite application id {app_id:#010x})")
        # Read-only; with no -wal beside it (no writer at work), also `immutable`, which makes no -wal or -shm
        # file of its own: a damaged store is left exactly as found, folder included.
        live = Path(f"{path}-wal").exists()
        uri = f"file:{quote(str(path.resolve()))}?mode=ro" + ("" if live else "&immutable=1")
        try:
            con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
            try:
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                check = con.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error as exc:
            raise self._refuse(f"cannot be read ({exc}): it looks damaged") from None
        if check != "ok":
            raise self._refuse(f"is damaged (SQLite's check: {one_line(check)[:120]})")
        if not tables >= OUR_TABLES:  # more tables are a later version's, not a stranger's
            raise self._refuse(
                "is an SQLite database but not a shortlist store (tables: "
                + (", ".join(sorted(tables)) or "none")
                + ")"
            )
        return True

    def _create(self) -> None:
        """A new store, built under a temporary name and linked into place whole: never seen half made."""
        fd, tmp_name = tempfile.mkstemp(prefix=".shortlists-", suffix=".sqlite", dir=self.home)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            tmp.unlink()
            con = sqlite3.connect(tmp, isolation_level=None)
            try:
                con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(SCHEMA)
                con.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            finally:
                con.close()
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs (checked)
                os.link(tmp, self.path)
        except (OSError, sqlite3.Error) as exc:
            raise UserError(f"cannot create the shortlist store {self.path}: {exc}") from None
        finally:
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                leftover.unlink(missing_ok=True)

    def acting_as(self, who: str | None) -> ShortlistStore:
        """The same store, recording `who` as the author of each change (the history's "by")."""
        clone = copy.copy(self)
        clone._by = " ".join(str(who or "").split())[:MAX_NAME]
        return clone

    def _initialise(self) -> None:
        """Check the store that is there, or create one; then create missing tables and switch to WAL, once.

        Switching the journal mode needs an exclusive lock, which a second
        process starting at the same moment may hold; retry for a while.
        """
        if not self._check_existing():
            self._create()
            self._check_existing()
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                with self._connect() as con:
                    if con.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                        con.execute("PRAGMA journal_mode=WAL")
                    if con.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                        con.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # a store made before it was set
                    con.execute("BEGIN IMMEDIATE")
                    try:
                        self._migrate(con)
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                    con.execute("COMMIT")
                return
            except _Busy:
                if time.monotonic() > deadline:
                    raise UserError(
                        f"the shortlist store {self.path} stayed locked for {BUSY_TIMEOUT_S} s; "
                        "is another program holding it?"
                    ) from None
                time.sleep(0.05)

    def _migrate(self, con: sqlite3.Connection) -> None:
        """Create the tables, or bring a file of an older schema up to SCHEMA_VERSION (refusing a newer one)."""
        found = None
        if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            found = int(row[0]) if row and str(row[0]).isdigit() else None
        if found is not None and found > SCHEMA_VERSION:
            raise UserError(
                f"the shortlist store {self.path} was written by a newer version of the atlas (schema {found}, "
                f"this one knows {SCHEMA_VERSION}); upgrade the atlas to use it"
            )
        for statement in SCHEMA.split(";"):
            if statement.strip():
                con.execute(statement)
        if found is not None and found < 2:
            # history begins now: one snapshot per existing shortlist, so a later change can be undone
            for (sid,) in con.execute("SELECT id FROM shortlists").fetchall():
                self._record(con, sid, "history begins (kept from before)", by="")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise UserError(f"cannot open {self.path}: {exc}") from None
        try:
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA foreign_keys=ON")
            yield con
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise _Busy(
                    f"the shortlist store {self.path} is busy: another program has held it for "
                    f"{BUSY_TIMEOUT_S} s; try again"
                ) from None
            raise UserError(f"the shortlist store {self.path} cannot be used: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise UserError(f"the shortlist store {self.path} cannot be used: {exc}") from None
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; BEGIN IMMEDIATE takes the write lock before reading versions."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # ------------------------------------------------------------ reading

    def names(self) -> list[str]:
        with self._connect() as con:
            return [r[0] for r in con.execute("SELECT name FROM shortlists ORDER BY name_key")]

    def summaries(self) -> list[dict]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT s.name, s.version, s.updated_at, COUNT(i.site_id), s.filter_sentence "
                "FROM shortlists s LEFT JOIN shortlist_items i ON i.shortlist_id = s.id "
                "GROUP BY s.id ORDER BY s.name_key"
            ).fetchall()
        return [
            {"name": r[0], "version": r[1], "updated_at": r[2], "sites": r[3], "filter_sentence": r[4]} for r in rows
        ]

    def get(self, name: str) -> Shortlist:
        with self._connect() as con:
            return self._read(con, name)

    def _row(self, con: sqlite3.Connection, name: str) -> tuple:
        row = con.execute(
            "SELECT id, name, filter_sentence, filters_json, weights_json, version, created_at, updated_at "
            "FROM shortlists WHERE name_key = ?",
            (_key(name),),
        ).fetchone()
        if row is None:
            known = [r[0] for r in con.execute("SELECT name FROM shortlists ORDER BY name_key")]
            hint = f"; shortlists: {', '.join(known)}" if known else "; there are no shortlists yet"
            raise UserError(f"no shortlist named {name!r}{hint}")
        return row

    def _read(self, con: sqlite3.Connection, name: str) -> Shortlist:
        return self._from_row(con, self._row(con, name))

    def _from_row(self, con, row: tuple) -> Shortlist:
        sid, real, sentence, fj, wj, version, created, updated = row
        items = tuple(
            Item(rank=n + 1, site_id=r[0], note=r[1], score=r[2], criteria=json.loads(r[3]) if r[3] else None)
            for n, r in enumerate(
                con.execute(
                    "SELECT site_id, note, score, criteria_json FROM shortlist_items "
                    "WHERE shortlist_id = ? ORDER BY position",
                    (sid,),
                )
            )
        )
        return Shortlist(
            real,
            sentence,
            json.loads(fj) if fj else None,
            json.loads(wj) if wj else None,
            version,
            created,
            updated,
            items,
        )

    # ------------------------------------------------------------ writing

    def _check_version(self, con, name: str, expected: int | None) -> tuple:
        row = self._row(con, name)
        if expected is not None and row[5] != expected:
            raise StaleWrite(
                f"shortlist {row[1]!r} was changed elsewhere (now version {row[5]}, you had {expected}); "
                "reload it, then make your change again"
            )
        return row

    def _bump(self, con, sid: int, action: str) -> None:
        con.execute("UPDATE shortlists SET version = version + 1, updated_at = ? WHERE id = ?", (_now(), sid))
        self._record(con, sid, action)

    def _record(self, con, sid: int, action: str, by: str | None = None, deleted: bool = False) -> None:
        """Append one change to the history, with the shortlist as it now stands (in the same transaction)."""
        row = con.execute(
            "SELECT id, name, filter_sentence, filters_json, weights_json, version, created_at, updated_at "
            "FROM shortlists WHERE id = ?",
            (sid,),
        ).fetchone()
        sl = self._from_row(con, row)
        snapshot = None if deleted else json.dumps(_snapshot(sl))
        con.execute(
            "INSERT INTO shortlist_history (shortlist_id, name, name_key, version, at, by, action, snapshot_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sid,
                sl.name,
                _key(sl.name),
                sl.version + (1 if deleted else 0),
                _stamp(),
                self._by if by is None else by,
                action,
                snapshot,
            ),
        )

    def create(
        self, name: str, filter_sentence: str = "", filters: dict | None = None, weights: dict | None = None
    ) -> Shortlist:
        name = clean_name(name)
        with self._write() as con:
            if con.execute("SELECT 1 FROM shortlists WHERE name_key = ?", (_key(name),)).fetchone():
                raise UserError(f"a shortlist named {name!r} already exists; choose another name")
            now = _now()
            con.execute(
                "INSERT INTO shortlists (name, name_key, filter_sentence, filters_json, weights_json, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    _key(name),
                    filter_sentence,
                    json.dumps(filters) if filters is not None else None,
                    json.dumps(weights) if weights is not None else None,
                    now,
                    now,
                ),
            )
            sid = self._row(con, name)[0]
            self._record(con, sid, "created")
            return self._read(con, name)

    def add(
        self,
        name: str,
        site_id: str,
        note: str = "",
        expected_version: int | None = None,
        position: int | None = None,
        score: float | None = None,
        criteria: dict | None = None,
    ) -> Shortlist:
        note = clean_note(note)
        if self._check_site is not None:
            self._check_site(site_id)
        with self._write() as con:
            sid, real = self._check_version(con, name, expected_version)[:2]
            if con.execute(
                "SELECT 1 FROM shortlist_items WHERE shortlist_id=? AND site_id=?", (sid, site_id)
            ).fetchone():
                raise UserError(f"{site_id!r} is already on shortlist {real!r}")
            ids = self._ordered(con, sid)
            at = len(ids) if position is None else max(0, min(position - 1, len(ids)))
            ids.insert(at, site_id)
            con.execute(
                "INSERT INTO shortlist_items (shortlist_id, position, site_id, note, score, criteria_json) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (sid, at, site_id, note, score, json.dumps(criteria) if criteria else None),
            )
            self._renumber(con, sid, ids)
            self._bump(con, sid, f"added {site_id} at rank {at + 1}" + (" with a note" if note else ""))
            return self._read(con, name)

    def remove(self, name: str, site_id: str, expected_version: int | None = None) -> Shortlist:
        with self._write() as con:
            sid, real = self._check_version(con, name, expected_version)[:2]
            ids = self._ordered(con, sid)
            if site_id not in ids:
                raise UserError(f"{site_id!r} is not on shortlist {real!r}")
            con.execute("DELETE FROM shortlist_items WHERE shortlist_id=? AND site_id=?", (sid, site_id))
            ids.remove(site_id)
            self._renumber(con, sid, ids)
            self._bump(con, sid, f"removed {site_id}")
            return self._read(con, name)

    def move(self, name: str, site_id: str, rank: int, expected_version: int | None = None) -> Shortlist:
        with self._write() as con:
            sid, real = self._check_version(con, name, expected_version)[:2]
            ids = self._ordered(con, sid)
            if site_id not in ids:
                raise UserError(f"{site_id!r} is not on shortlist {real!r}")
            if not 1 <= rank <= len(ids):
                raise UserError(f"rank must be between 1 and {len(ids)}, got {rank}")
            ids.remove(site_id)
            ids.insert(rank - 1, site_id)
            self._renumber(con, sid, ids)
            self._bump(con, sid, f"moved {site_id} to rank {rank}")
            return self._read(con, name)

    def apply_edits(self, name: str, items: list[tuple[str, str]], expected_version: int | None) -> Shortlist:
        """Replace the order and notes in one transaction; sites left out are removed.

        `items` is [(site_id, note), ...] in the new order; every site must
        already be on the shortlist.
        """
        cleaned = [(sid, clean_note(note)) for sid, note in items]
        with self._write() as con:
            sid, real = self._check_version(con, name, expected_version)[:2]
            current = set(self._ordered(con, sid))
            unknown = [s for s, _ in cleaned if s not in current]
            if unknown:
                raise UserError(f"not on shortlist {real!r}: {', '.join(unknown)}")
            if len({s for s, _ in cleaned}) != len(cleaned):
                raise UserError("a site appears twice in the new order")
            keep = [s for s, _ in cleaned]
            con.executemany(
                "DELETE FROM shortlist_items WHERE shortlist_id=? AND site_id=?",
                [(sid, s) for s in current - set(keep)],
            )
            con.executemany(
                "UPDATE shortlist_items SET note=? WHERE shortlist_id=? AND site_id=?",
                [(note, sid, s) for s, note in cleaned],
            )
            self._renumber(con, sid, keep)
            gone = sorted(current - set(keep))
            self._bump(con, sid, "edited order and notes" + (f"; removed {', '.join(gone)}" if gone else ""))
            return self._read(con, name)

    def note(self, name: str, site_id: str, text: str, expected_version: int | None = None) -> Shortlist:
        text = clean_note(text)
        with self._write() as con:
            sid, real = self._check_version(con, name, expected_version)[:2]
            cur = con.execute(
                "UPDATE shortlist_items SET note=? WHERE shortlist_id=? AND site_id=?", (text, sid, site_id)
            )
            if cur.rowcount == 0:
                raise UserError(f"{site_id!r} is not on shortlist {real!r}")
            self._bump(con, sid, f"note on {site_id}" + (" cleared" if not text else " changed"))
            return self._read(con, name)

    def rename(self, name: str, new_name: str, expected_version: int | None = None) -> Shortlist:
        new_name = clean_name(new_name)
        with self._write() as con:
            sid, old = self._check_version(con, name, expected_version)[:2]
            clash = con.execute(
                "SELECT name FROM shortlists WHERE name_key=? AND id<>?", (_key(new_name), sid)
            ).fetchone()
            if clash:
                raise UserError(f"a shortlist named {clash[0]!r} already exists; choose another name")
            con.execute("UPDATE shortlists SET name=?, name_key=? WHERE id=?", (new_name, _key(new_name), sid))
            self._bump(con, sid, f"renamed from {old!r}")
            return self._read(con, new_name)

    def delete(self, name: str, expected_version: int | None = None) -> None:
        with self._write() as con:
            sid = self._check_version(con, name, expected_version)[0]
            self._record(con, sid, "deleted", deleted=True)
            con.execute("DELETE FROM shortlists WHERE id=?", (sid,))

    # ------------------------------------------------------------ history

    def _history_rows(self, con, name: str) -> list[tuple]:
        row = con.execute("SELECT id FROM shortlists WHERE name_key = ?", (_key(name),)).fetchone()
        if row is None:  # deleted (or renamed away): the latest shortlist that had this name
            row = con.execute(
                "SELECT shortlist_id FROM shortlist_history WHERE name_key = ? ORDER BY id DESC LIMIT 1",
                (_key(name),),
            ).fetchone()
        if row is None:
            self._row(con, name)  # the usual "no shortlist named …" with the known names
        return con.execute(
            "SELECT version, at, by, action, name, snapshot_json, shortlist_id FROM shortlist_history "
            "WHERE shortlist_id = ? ORDER BY id",
            (row[0],),
        ).fetchall()

    def history(self, name: str) -> list[Change]:
        """Every recorded change of a shortlist (also of a deleted one), oldest first."""
        with self._connect() as con:
            rows = self._history_rows(con, name)
        return [Change(r[0], r[1], r[2], r[3], r[4], _from_snapshot(json.loads(r[5])) if r[5] else None) for r in rows]

    def restore(self, name: str, at: str | datetime, expected_version: int | None = None) -> Shortlist:
        """Bring a shortlist back to how it stood at `at` (a deleted one comes back too), as one new change."""
        when = at if isinstance(at, datetime) else parse_time(at)
        if isinstance(at, str):  # a time typed to the second (or millisecond) means that whole second (millisecond)
            when = when + timedelta(microseconds=_unit_us(at.strip()) - 1)
        with self._write() as con:
            rows = self._history_rows(con, name)
            before = [r for r in rows if parse_time(r[1]) <= when]
            if not before:
                raise UserError(
                    f"shortlist {rows[-1][4]!r} has no recorded state at {when.isoformat(timespec='seconds')}; "
                    f"its history starts at {rows[0][1][:19]}"
                )
            version, stamp, _, _, _, snap, sid = before[-1]
            if snap is None:
                raise UserError(f"shortlist {rows[-1][4]!r} was deleted at {stamp[:19]}; choose a time before that")
            old = _from_snapshot(json.loads(snap))
            live = con.execute("SELECT name FROM shortlists WHERE id = ?", (sid,)).fetchone()
            if live is not None:
                self._check_version(con, live[0], expected_version)
                con.execute("DELETE FROM shortlist_items WHERE shortlist_id = ?", (sid,))
                real = live[0]
            else:
                real = old.name
                clash = con.execute("SELECT name FROM shortlists WHERE name_key = ?", (_key(real),)).fetchone()
                if clash:
                    raise UserError(f"a shortlist named {clash[0]!r} exists now; rename it, then restore again")
                con.execute(
                    "INSERT INTO shortlists (id, name, name_key, version, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (sid, real, _key(real), rows[-1][0], old.created_at, _now()),
                )
            con.execute(
                "UPDATE shortlists SET filter_sentence = ?, filters_json = ?, weights_json = ? WHERE id = ?",
                (
                    old.filter_sentence,
                    json.dumps(old.filters) if old.filters is not None else None,
                    json.dumps(old.weights) if old.weights is not None else None,
                    sid,
                ),
            )
            con.executemany(
                "INSERT INTO shortlist_items (shortlist_id, position, site_id, note, score, criteria_json) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (sid, n, i.site_id, i.note, i.score, json.dumps(i.criteria) if i.criteria else None)
                    for n, i in enumerate(old.items)
                ],
            )
            self._bump(con, sid, f"restored as of {stamp[:19]} (version {version})")
            return self._read(con, real)

    def _ordered(self, con, sid: int) -> list[str]:
        return [
            r[0]
            for r in con.execute("SELECT site_id FROM shortlist_items WHERE shortlist_id=? ORDER BY position", (sid,))
        ]

    def _renumber(self, con, sid: int, ids: list[str]) -> None:
        con.executemany(
            "UPDATE shortlist_items SET position=? WHERE shortlist_id=? AND site_id=?",
            [(n, sid, s) for n, s in enumerate(ids)],
        )

    def integrity(self) -> str:
        with self._connect() as con:
            return con.execute("PRAGMA integrity_check").fetchone()[0]


def _snapshot(sl: Shortlist) -> dict:
    return {
        "name": sl.name,
        "filter_sentence": sl.filter_sentence,
        "filters": sl.filters,
        "weights": sl.weights,
        "version": sl.version,
        "created_at": sl.created_at,
        "updated_at": sl.updated_at,
        "items": [[i.site_id, i.note, i.score, i.criteria] for i in sl.items],
    }


def _from_snapshot(d: dict) -> Shortlist:
    items = tuple(Item(n + 1, s, note, score, crit) for n, (s, note, score, crit) in enumerate(d["items"]))
    return Shortlist(
        d["name"],
        d["filter_sentence"],
        d["filters"],
        d["weights"],
        d["version"],
        d["created_at"],
        d["updated_at"],
        items,
    )
