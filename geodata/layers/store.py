"""Imported layers on disk: where they are kept, how they are named, listed, read and deleted.

Layers live as files in the data folder's layers/ (GeoParquet from the importers,
or any GeoPackage/GeoJSON/FlatGeobuf put there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from geodata import settings
from geodata.geometry import WGS84
from geodata.problems import UserError

LAYER_SUFFIXES = (".parquet", ".gpkg", ".geojson", ".fgb")
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
    path: Path
    size_bytes: int
    modified_ns: int


class LayerStore:
    def __init__(self, home: str | Path | None = None):
        self.home = settings.home_or(home)
        self.dir = self.home / "layers"

    def list(self) -> list[LayerInfo]:
        if not self.dir.is_dir():
            return []
        out = []
        for p in sorted(self.dir.iterdir()):
            if p.suffix.lower() in LAYER_SUFFIXES and p.is_file() and _NAME.match(p.stem):
                s = p.stat()
                out.append(LayerInfo(p.stem, p, s.st_size, s.st_mtime_ns))
        return out

    def ignored(self) -> list[str]:
        """Files in the layers folder that `list` leaves out because of their name."""
        if not self.dir.is_dir():
            return []
        return [
            p.name
            for p in sorted(self.dir.iterdir())
            if p.suffix.lower() in LAYER_SUFFIXES and p.is_file() and not _NAME.match(p.stem)
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


def read_layer(path: Path, with_bands: bool = True) -> gpd.GeoDataFrame:
    """A stored layer in WGS84 with a feature_id; `with_bands=False` leaves the per-zoom geometry on disk."""
    if path.suffix == ".parquet":
        columns = None
        if not with_bands:
            columns = [c for c in pq.read_schema(path).names if not c.startswith("geom_z") and c != "bbox"]
        gdf = gpd.read_parquet(path, columns=columns)
    else:
        gdf = gpd.read_file(path)
    if gdf.crs is not None and not gdf.crs.equals(WGS84):
        gdf = gdf.to_crs(WGS84)
    if "feature_id" not in gdf.columns:
        gdf.insert(0, "feature_id", [f"{path.stem}-{i + 1}" for i in range(len(gdf))])
    return gdf.reset_index(drop=True)


def label_column(gdf: pd.DataFrame) -> str:
    for c in ("unit_name", "name", "Name", "NAME", "ADMIN_UNIT_NAME", "Unit_Nm", "label", "title"):
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
