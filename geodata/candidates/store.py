"""User candidate sites in SQLite under GEODATA_HOME, never in the curated catalog.

A candidate has an id `drawn:<slug>` (the slug from its name, made unique), a
name, a note, a polygon (GeoJSON text, WGS84), where it came from ("drawn" or
"found" by a tract search) and when it was saved. Each change is one SQLite
transaction. `sites()` shapes candidates like catalog sites, so scoring,
shortlists and exports take them as they take imported parcels.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import shape

from geodata import settings
from geodata.geometry import WGS84, acres, geometry_json, round_geometry
from geodata.problems import UnknownId, UserError

DB_NAME = "candidates.sqlite"
PREFIX = "drawn:"
ORIGINS = ("drawn", "found")
MAX_NAME = 120
MAX_NOTE = 4000
SITE_COLUMNS = [
    "id",
    "name",
    "role",
    "phase",
    "status",
    "as_of",
    "agency",
    "state",
    "land_status",
    "reported_acres",
    "geometry_quality",
    "sources",
    "provenance",
    "note",
    "geometry",
]
SCHEMA = """
CREATE TABLE IF NOT EXISTS candidates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL,
    geometry TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    note: str
    origin: str
    geometry: shapely.Geometry
    created_at: str

    @property
    def acres(self) -> float:
        return float(acres(self.geometry) or 0.0)


def is_candidate_id(rid: str | None) -> bool:
    return bool(rid) and rid.startswith(PREFIX)


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:48]
    return slug or "site"


def check_polygon(geom) -> shapely.Geometry:
    """A polygon fit to keep: valid, not empty, in degrees; ValueError in one sentence otherwise."""
    if geom is None or geom.is_empty:
        raise ValueError("the shape is empty")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"a candidate site is a polygon, not a {geom.geom_type}")
    if not geom.is_valid:
        raise ValueError("the shape's edges cross each other: draw it again without crossing lines")
    w, s, e, n = geom.bounds
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise ValueError("the shape is not in longitude/latitude degrees")
    if e - w > 180:
        raise ValueError("the shape crosses the antimeridian: draw it on one side of 180°")
    return round_geometry(geom, 6)


class CandidateStore:
    def __init__(self, home: str | Path | None = None):
        self.home = settings.home_or(home)
        self.path = self.home / DB_NAME

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.home.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=15)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)
            with con:
                yield con
        finally:
            con.close()

    def _exists(self) -> bool:
        return self.path.exists()

    def list(self) -> list[Candidate]:
        if not self._exists():
            return []
        with self._db() as con:
            rows = con.execute(
                "SELECT id, name, note, origin, geometry, created_at FROM candidates ORDER BY created_at, id"
            )
            return [_candidate(r) for r in rows.fetchall()]

    def get(self, cid: str) -> Candidate:
        for c in self.list():
            if c.id == cid:
                return c
        raise UnknownId(cid, "candidate site", where=f"your candidate sites ({self.path})")

    def add(self, name: str, geometry, note: str = "", origin: str = "drawn") -> Candidate:
        name = " ".join((name or "").split())
        if not name:
            raise UserError("give the candidate site a name")
        if len(name) > MAX_NAME or len(note or "") > MAX_NOTE:
            raise UserError(f"the name is at most {MAX_NAME} characters and the note at most {MAX_NOTE}")
        if origin not in ORIGINS:
            raise UserError(f"origin must be one of {', '.join(ORIGINS)}")
        try:
            geom = check_polygon(geometry)
        except ValueError as exc:
            raise UserError(f"candidate site {name!r} not saved: {exc}") from None
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self._db() as con:
            taken = {r[0] for r in con.execute("SELECT id FROM candidates")}
            base = PREFIX + _slug(name)
            cid, k = base, 2
            while cid in taken:
                cid, k = f"{base}-{k}", k + 1
            con.execute(
                "INSERT INTO candidates (id, name, note, origin, geometry, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (cid, name, note or "", origin, json.dumps(geometry_json(geom)), created),
            )
        return Candidate(cid, name, note or "", origin, geom, created)

    def delete(self, cid: str) -> None:
        with self._db() as con:
            if con.execute("DELETE FROM candidates WHERE id = ?", (cid,)).rowcount == 0:
                raise UnknownId(cid, "candidate site", where=f"your candidate sites ({self.path})")

    def sites(self, ids: list[str] | None = None) -> gpd.GeoDataFrame:
        """Candidates shaped like catalog sites (all, or those named by `ids`)."""
        rows = [_as_site(c) for c in self.list() if ids is None or c.id in ids]
        return gpd.GeoDataFrame(rows, columns=SITE_COLUMNS, geometry="geometry", crs=WGS84)


def _candidate(r) -> Candidate:
    return Candidate(r[0], r[1], r[2], r[3], shape(json.loads(r[4])), r[5])


def _as_site(c: Candidate) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "role": "candidate",
        "phase": None,
        "status": None,
        "as_of": c.created_at[:10],
        "agency": None,
        "state": [],
        "land_status": "federal" if c.origin == "found" else None,
        "reported_acres": None,
        # the user's own outline is the site's real boundary: its area counts as drawn
        "geometry_quality": "reported",
        "sources": [],
        "provenance": "your own candidate site, " + ("drawn on the map" if c.origin == "drawn" else "from a search"),
        "note": c.note,
        "geometry": c.geometry,
    }
