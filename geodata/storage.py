"""Where the user's own data is kept: the storage interfaces, and the one place that picks an implementation.

Shortlists and imported layers are read and written only through these
interfaces, so a second backend (a shared database for a team) is a second
implementation plus a branch in `shortlists()` and `layers()`; no caller
changes. The file backend (SQLite and GeoParquet in the data folder) is the
default for one person on a laptop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import geopandas as gpd

from geodata import settings
from geodata.candidates.store import Candidate, CandidateStore
from geodata.layers.store import LayerInfo, LayerStore
from geodata.shortlists.store import Change, Shortlist, ShortlistStore

if TYPE_CHECKING:
    from geodata.layers.index import ViewSlice


class ShortlistBackend(Protocol):
    """Named, ordered shortlists of site ids with notes; every change bumps a version and refuses stale writes."""

    def checked(self, check_site: Callable[[str], object]) -> ShortlistBackend: ...
    def names(self) -> list[str]: ...
    def summaries(self) -> list[dict]: ...
    def get(self, name: str) -> Shortlist: ...
    def create(
        self, name: str, filter_sentence: str = "", filters: dict | None = None, weights: dict | None = None
    ) -> Shortlist: ...
    def add(
        self,
        name: str,
        site_id: str,
        note: str = "",
        expected_version: int | None = None,
        position: int | None = None,
        score: float | None = None,
        criteria: dict | None = None,
    ) -> Shortlist: ...
    def remove(self, name: str, site_id: str, expected_version: int | None = None) -> Shortlist: ...
    def move(self, name: str, site_id: str, rank: int, expected_version: int | None = None) -> Shortlist: ...
    def apply_edits(self, name: str, items: list[tuple[str, str]], expected_version: int | None) -> Shortlist: ...
    def note(self, name: str, site_id: str, text: str, expected_version: int | None = None) -> Shortlist: ...
    def rename(self, name: str, new_name: str, expected_version: int | None = None) -> Shortlist: ...
    def delete(self, name: str, expected_version: int | None = None) -> None: ...
    def acting_as(self, who: str | None) -> ShortlistBackend: ...
    def history(self, name: str) -> list[Change]: ...
    def restore(self, name: str, at: str | datetime, expected_version: int | None = None) -> Shortlist: ...


class LayerBackend(Protocol):
    """Imported layers by name: listed, looked up, written to, deleted, served view by view."""

    backend: str
    dir: object  # where the layers are, as messages name it (a folder, or the database without its password)

    def list(self) -> list[LayerInfo]: ...
    def ignored(self) -> list[str]: ...
    def refused(self) -> list[str]: ...
    def get(self, name: str) -> LayerInfo: ...
    def target(self, name: str) -> Path: ...
    def read(self, info: LayerInfo) -> gpd.GeoDataFrame: ...
    def features(self, info: LayerInfo, feature_ids: list[str]) -> gpd.GeoDataFrame: ...
    def open_index(self, info: LayerInfo, value: Callable[[object], str] = str) -> LayerView: ...
    def save(self, name: str, write: Callable[[Path], object]) -> tuple[str, object]: ...
    def load(self, name: str, path: Path, kind: str = "layer", source: str = "") -> int: ...
    def delete(self, name: str) -> None: ...


class LayerView(Protocol):
    """What the map asks of an open layer (LayerIndex in memory, or the database's PgLayerIndex)."""

    def __len__(self) -> int: ...
    def view(
        self, bounds: tuple[float, float, float, float], zoom: float, cap: int | None = None, within=None
    ) -> ViewSlice: ...


class CandidateBackend(Protocol):
    """The user's own candidate sites (ids `drawn:<slug>`): listed, added, deleted, and read as sites."""

    def list(self) -> list[Candidate]: ...
    def get(self, cid: str) -> Candidate: ...
    def add(self, name: str, geometry, note: str = "", origin: str = "drawn") -> Candidate: ...
    def delete(self, cid: str) -> None: ...
    def sites(self, ids: list[str] | None = None) -> gpd.GeoDataFrame: ...


def shortlists(home: str | Path | None = None) -> ShortlistBackend:
    """The shared database's shortlists when GEODATA_DATABASE_URL is set, else the data folder's."""
    url = settings.database_url()
    if url:
        from geodata.shortlists.pg_store import PgShortlistStore

        return PgShortlistStore(url)
    return ShortlistStore(home)


def layers(home: str | Path | None = None) -> LayerBackend:
    """The shared database's imported layers when GEODATA_DATABASE_URL is set, else the data folder's."""
    url = settings.database_url()
    if url:
        from geodata.layers.pg_store import PgLayerStore

        return PgLayerStore(url)
    return LayerStore(home)


def file_layers(home: str | Path | None = None) -> LayerBackend:
    """The data folder's layers whatever the setting (moving a layer between backends)."""
    return LayerStore(home)


def candidates(home: str | Path | None = None) -> CandidateBackend:
    """The shared database's candidate sites when GEODATA_DATABASE_URL is set, else the data folder's."""
    url = settings.database_url()
    if url:
        from geodata.candidates.pg_store import PgCandidateStore

        return PgCandidateStore(url)
    return CandidateStore(home)
