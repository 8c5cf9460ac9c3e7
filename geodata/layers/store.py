"""Imported layers on disk: where they are kept, how they are named, listed, read and deleted.

Layers live as files in the data folder's layers/ (GeoParquet from the importers,
or any GeoPackage/GeoJSON/FlatGeobuf put there).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from geodata import settings
from geodata.geometry import WGS84
from geodata.importers.clean import check_finite, check_ranges
from geodata.importers.limits import Limits
from geodata.importers.readers import STORED_KINDS, read_stored
from geodata.importers.sniff import ALLOWED, sniff
from geodata.problems import UserError, one_line

T = TypeVar("T")

LAYER_SUFFIXES = (".parquet", ".gpkg", ".geojson", ".fgb")
SUFFIX_KIND = {".parquet": "parquet", ".gpkg": "gpkg", ".geojson": "geojson", ".fgb": "flatgeobuf"}
# A layer is named by its file name: any letters, digits, spaces and ._()- will do, but not the
# ':' that joins a layer to a feature in a parcel's site id.
RESERVED = "drawn"  # the prefix of your own candidate sites' ids (geodata/candidates)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,99}$")


def layer_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower()).strip("-_")[:64]
    if not slug:
        raise UserError(f"{name!r} cannot name a layer: use letters and digits")
    if slug == RESERVED:
        raise UserError(f"{name!r} names your own candidate sites (ids drawn:...); choose another layer name")
    return slug


@dataclass(frozen=True)
class LayerInfo:
    name: str
    path: Path  # the file; for a layer in the database, just its name
    size_bytes: int
    modified_ns: int
    backend: str = "file"


class LayerStore:
    backend = "file"

    def __init__(self, home: str | Path | None = None):
        self.home = settings.home_or(home)
        self.dir = self.home / "layers"

    def list(self) -> list[LayerInfo]:
        """The layer files whose name and content are acceptable (a VRT named .geojson is not)."""
        return [info for info, problem in self._scan() if problem is None]

    def refused(self) -> list[str]:
        """One line per file in the layers folder whose content `list` refuses, saying why."""
        return [problem for _, problem in self._scan() if problem is not None]

    def _scan(self) -> list[tuple[LayerInfo, str | None]]:
        if not self.dir.is_dir():
            return []
        out = []
        for p in sorted(self.dir.iterdir()):
            if p.suffix.lower() in LAYER_SUFFIXES and _NAME.match(p.stem) and not p.is_dir():
                problem = None
                try:
                    check_kind(p)
                except UserError as exc:  # the list of accepted formats is the importer's to give
                    problem = one_line(str(exc)).split(". Accepted: ")[0]
                s = p.stat() if p.is_file() else None
                out.append((LayerInfo(p.stem, p, s.st_size if s else 0, s.st_mtime_ns if s else 0), problem))
        return out

    def ignored(self) -> list[str]:
        """Files in the layers folder that `list` leaves out because of their name."""
        if not self.dir.is_dir():
            return []
        return [
            p.name
            for p in sorted(self.dir.iterdir())
            if p.suffix.lower() in LAYER_SUFFIXES and not p.is_dir() and not _NAME.match(p.stem)
        ]

    def get(self, name: str) -> LayerInfo:
        for info in self.list():
            if info.name == name:
                return info
        raise UserError(f"no imported layer named {name!r} in {self.dir}")

    def target(self, name: str) -> Path:
        """Where a new layer called `name` is written (refuses to replace one)."""
        slug = layer_slug(name)
        if any(i.name == slug for i in self.list()):
            raise UserError(f"a layer named {slug!r} already exists; delete it first or choose another name")
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir / f"{slug}.parquet"

    def read(self, info: LayerInfo) -> gpd.GeoDataFrame:
        """A layer's features (without the per-zoom geometry kept for the map)."""
        return read_layer(info.path, with_bands=False)

    def delete(self, name: str) -> None:
        self.get(name).path.unlink()

    def save(self, name: str, write: Callable[[Path], object]) -> tuple[str, object]:
        """A new layer: `write(path)` writes its file where the store keeps it. (layer name, what write returned)."""
        path = self.target(name)
        try:
            return path.stem, write(path)
        except BaseException:
            path.unlink(missing_ok=True)  # a writer that failed midway leaves no half layer behind
            raise

    def load(self, name: str, path: Path, kind: str = "layer", source: str = "") -> int:
        """A copy of a stored layer file (another backend's layer, say) as a new layer; its feature count."""
        gdf = read_layer(path, with_bands=True)
        from geodata.importers.output import write_layer

        write_layer(gdf[[c for c in gdf.columns if not str(c).startswith("geom_z") and c != "bbox"]], self.target(name))
        return len(gdf)

    def features(self, info: LayerInfo, feature_ids: list[str]) -> gpd.GeoDataFrame:
        """The features with these ids: from an importer's GeoParquet, only their rows are read (a national
        layer is never loaded whole for one parcel); any other file is read once and kept while unchanged."""
        ids = [str(f) for f in feature_ids]
        if _ids_are_text(info.path):
            return read_layer(info.path, with_bands=False, feature_ids=ids)
        gdf = _cached_frame(str(info.path), info.modified_ns)
        return gdf[gdf["feature_id"].astype(str).isin(ids)]

    def open_index(self, info: LayerInfo, value: Callable[[object], str] = str):
        from geodata.layers.index import LayerIndex

        return LayerIndex.from_file(info.path, value=value)


def _ids_are_text(path: Path) -> bool:
    """A GeoParquet layer with a text feature_id column, which a read can filter on."""
    import pyarrow as pa

    if path.suffix != ".parquet":
        return False
    try:
        schema = pq.read_schema(path)
    except Exception:  # damaged: read_layer says so
        return False
    at = schema.get_field_index("feature_id")
    return at >= 0 and (pa.types.is_string(schema.field(at).type) or pa.types.is_large_string(schema.field(at).type))


@lru_cache(maxsize=4)
def _cached_frame(path: str, modified_ns: int) -> gpd.GeoDataFrame:
    return read_layer(Path(path), with_bands=False)


def check_kind(path: Path) -> str:
    """The kind of a layer file by its content, which must be what its name says (a VRT named .geojson is not)."""
    if not path.is_file():
        raise UserError(f"{path.name} is not a regular file")
    kind = sniff(path)
    if kind not in STORED_KINDS or SUFFIX_KIND.get(path.suffix.lower()) != kind:
        raise UserError(f"{path.name} holds {ALLOWED[kind][0]}, not what its name says")
    return kind


def shown_or_refused(path: Path, read: Callable[[], T]) -> T:
    """What `read()` gives, or its problem as one line naming the layer file and what to do."""
    try:
        return read()
    except UserError as exc:
        raise UserError(
            f"the layer file {path} cannot be shown: {one_line(str(exc))}; delete it or import it again"
        ) from None


def read_layer(path: Path, with_bands: bool = True, feature_ids: list[str] | None = None) -> gpd.GeoDataFrame:
    """A stored layer in WGS84 with a feature_id; `with_bands=False` leaves the per-zoom geometry on disk.

    Read through the importers' checks (format allow-list by content, CRS never guessed, limits):
    a file copied into the data folder is no more trusted than an upload. Any problem is one line
    naming the file and what to do. `feature_ids`: only those rows of a GeoParquet layer with a feature_id.
    """
    path = Path(path)
    gdf = shown_or_refused(path, lambda: _read_checked(path, with_bands, feature_ids))
    if "feature_id" not in gdf.columns:
        gdf.insert(0, "feature_id", [f"{path.stem}-{i + 1}" for i in range(len(gdf))])
    return gdf.reset_index(drop=True)


def _read_checked(path: Path, with_bands: bool, feature_ids: list[str] | None = None) -> gpd.GeoDataFrame:
    columns = None
    if check_kind(path) == "parquet" and not with_bands:
        try:
            names = pq.read_schema(path).names
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise UserError(
                f"{path.name} is a corrupt or truncated Parquet file ({one_line(str(exc))[:200]})"
            ) from None
        columns = [c for c in names if not c.startswith("geom_z") and c != "bbox"]
    filters = None
    if feature_ids is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        filters = pc.field("feature_id").isin(pa.array(feature_ids, pa.string()))
    gdf = read_stored(path, Limits.from_env(), columns=columns, filters=filters)
    if gdf.crs is not None and not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    check_finite(gdf, path.name)
    check_ranges(gdf, path.name)
    return gdf


LABEL_COLUMNS = ("unit_name", "name", "Name", "NAME", "ADMIN_UNIT_NAME", "Unit_Nm", "label", "title")


def label_column(gdf: pd.DataFrame) -> str:
    for c in LABEL_COLUMNS:
        if c in gdf.columns and gdf[c].notna().any():
            return c
    return "feature_id"


def tooltip_columns(gdf: pd.DataFrame, limit: int = 6) -> list[str]:
    preferred = [
        "unit_name",
        "name",
        "Name",
        "manager_name",
        "manager",
        "designation_name",
        "ADMIN_AGENCY_CODE",
        "ADMIN_UNIT_NAME",
        "public_access",
        "gis_acres",
        "state",
        "ADMIN_ST",
    ]
    cols = [c for c in preferred if c in gdf.columns]
    rest = [
        c
        for c in gdf.columns
        if c not in cols
        and c not in ("geometry", "feature_id", "source_file")
        and not str(c).startswith(("bbox", "geom_z"))
    ]
    return (cols + rest)[:limit]
