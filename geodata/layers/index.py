"""How a large imported layer is served view by view.

A LayerIndex answers "what is in this view at this zoom" for hundreds of
thousands of parcels:

- an STRtree finds the features in the view's box (well under a millisecond);
- more than `cap` features: the largest are kept and the rest counted, so the
  map can say "zoom in to see N more";
- geometry is simplified to about a pixel at the zoom band and rounded to what
  the zoom can show, once per feature and band, then cached;
- the answer is a GeoJSON FeatureCollection string assembled from cached
  per-feature strings, so a rerun costs string joins, not GeoJSON encoding.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely
from shapely.geometry import box

from geodata import settings
from geodata.layers.parcels import SEPARATOR
from geodata.layers.store import label_column, read_layer, tooltip_columns
from geodata.values import is_missing

# Zoom bands: the geometry detail is chosen for the lowest zoom of each band.
BANDS = (0, 6, 8, 10, 12, 14)


# Bands whose simplified geometry is stored with the layer (GeoParquet column geom_z<band>, WKB).
PRECOMPUTED_BANDS = (0, 6, 8, 10, 12)


def band_column(band: int) -> str:
    return f"geom_z{band}"


def simplify_for_band(geoms: np.ndarray, band: int) -> np.ndarray:
    """Geometry as drawn at `band`: within about a pixel of the original.

    Plain Douglas-Peucker keeps every shape within the tolerance. Where it
    collapses or twists a parcel, a sub-pixel parcel is drawn as its bounding
    box (still within a pixel) and a larger one keeps its own shape.
    """
    tol = _tolerance(band)
    g = shapely.simplify(geoms, tol, preserve_topology=False)
    broken = shapely.is_empty(g) | ~shapely.is_valid(g)
    if broken.any():
        bb = shapely.bounds(geoms[broken])
        tiny = np.maximum(bb[:, 2] - bb[:, 0], bb[:, 3] - bb[:, 1]) < 2 * tol
        g[broken] = np.where(tiny, shapely.envelope(geoms[broken]), geoms[broken])
    return g


def with_precomputed_bands(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer plus its simplified geometry per zoom band, ready for LayerIndex (written at import)."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    out = gdf.copy()
    for band in PRECOMPUTED_BANDS:
        out[band_column(band)] = shapely.to_wkb(simplify_for_band(geoms, band))
    return out


def _band(zoom: float) -> int:
    return max(b for b in BANDS if b <= max(zoom, 0))


def _tolerance(band: int) -> float:
    """About 0.75 of a screen pixel, in degrees, at the band's lowest zoom."""
    return 0.75 * 360.0 / (256 * 2**band)


def _decimals(band: int) -> int:
    return 3 if band < 8 else 4 if band < 12 else 5


@dataclass
class ViewSlice:
    geojson: str
    shown: int
    total: int


class LayerIndex:
    """Fast view-by-view access to one layer (see the module docstring)."""

    def __init__(
        self,
        gdf: gpd.GeoDataFrame,
        name: str,
        fields: list[str] | None = None,
        value: Callable[[object], str] = str,
        band_source: Path | None = None,
    ):
        self.name = name
        self.ids = gdf["feature_id"].astype(str).to_numpy()
        self.geoms = np.asarray(gdf.geometry.values, dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.area = shapely.area(self.geoms)
        self.fields = fields if fields is not None else tooltip_columns(gdf)
        self.label = label_column(gdf)
        # Properties and stored geometry are decoded for the features a view shows, when it
        # first shows them: a 100k layer is ready in ~0.2 s instead of ~1.5 s.
        self._labels = gdf[self.label].astype(str).to_numpy()
        self._columns = [gdf[c].to_numpy() for c in self.fields]
        self._keys = [json.dumps(value(c)) for c in self.fields]
        self._value = value
        self._props = np.full(len(self.geoms), None, dtype=object)
        self._cache: dict[int, np.ndarray] = {}
        self._done: dict[int, np.ndarray] = {}
        self._pre = {
            band: gdf[band_column(band)].to_numpy()  # WKB
            for band in PRECOMPUTED_BANDS
            if band_column(band) in gdf.columns
        }
        # bands still on disk (see from_file): one column is read the first time a view needs it
        self._source = band_source
        stored = set(pq.read_schema(band_source).names) if band_source is not None else set()
        self._on_disk = {band for band in PRECOMPUTED_BANDS if band_column(band) in stored and band not in self._pre}
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path, name: str | None = None, value: Callable[[object], str] = str) -> LayerIndex:
        """The index of a stored layer, quick to open: stored per-zoom geometry is read band by band, when used."""
        source = path if path.suffix == ".parquet" else None
        return cls(read_layer(path, with_bands=source is None), name or path.stem, value=value, band_source=source)

    def _stored_band(self, band: int) -> np.ndarray | None:
        if band in self._on_disk:
            column = pq.read_table(self._source, columns=[band_column(band)]).column(0)
            self._pre[band] = column.to_numpy(zero_copy_only=False)
            self._on_disk.discard(band)
        return self._pre.get(band)

    def __len__(self) -> int:
        return len(self.geoms)

    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(shapely.total_bounds(self.geoms))

    def _geometry_json(self, band: int, idx: np.ndarray) -> np.ndarray:
        with self._lock:
            cache = self._cache.setdefault(band, np.full(len(self.geoms), None, dtype=object))
            done = self._done.setdefault(band, np.zeros(len(self.geoms), dtype=bool))
            todo = idx[~done[idx]]
            if len(todo):
                pre = self._stored_band(band)
                g = shapely.from_wkb(pre[todo]) if pre is not None else simplify_for_band(self.geoms[todo], band)
                rounded = shapely.set_precision(g, 10.0 ** -_decimals(band), mode="pointwise")
                collapsed = shapely.is_empty(rounded)
                rounded[collapsed] = g[collapsed]
                cache[todo] = shapely.to_geojson(rounded)
                done[todo] = True
            return cache[idx]

    def _properties(self, idx: np.ndarray) -> np.ndarray:
        with self._lock:
            for i in idx[pd.isna(self._props[idx])]:
                fid = f"{self.name}{SEPARATOR}{self.ids[i]}"
                parts = [f'"id":{json.dumps(fid)}', f'"label":{json.dumps(self._value(self._labels[i]))}']
                parts += [
                    f"{k}:{json.dumps(self._value(col[i]))}"
                    for k, col in zip(self._keys, self._columns, strict=True)
                    if not is_missing(col[i])
                ]
                self._props[i] = "{" + ",".join(parts) + "}"
            return self._props[idx]

    def view(
        self, bounds: tuple[float, float, float, float], zoom: float, cap: int | None = None, within=None
    ) -> ViewSlice:
        """The features in `bounds` (and, given an area, intersecting it), the largest first when over `cap`."""
        cap = settings.max_view_features() if cap is None else cap
        idx = self.tree.query(box(*bounds))
        if within is not None:
            idx = idx[shapely.intersects(self.geoms[idx], within)]
        total = len(idx)
        if total > cap:
            idx = idx[np.argsort(-self.area[idx], kind="stable")[:cap]]
        idx = np.sort(idx)
        geoms = self._geometry_json(_band(zoom), idx)
        feats = [
            f'{{"type":"Feature","properties":{p},"geometry":{g}}}'
            for p, g in zip(self._properties(idx), geoms, strict=True)
        ]
        return ViewSlice('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}", len(idx), total)

    def row(self, feature_id: str) -> int:
        hits = np.flatnonzero(self.ids == feature_id)
        if not len(hits):
            raise KeyError(feature_id)
        return int(hits[0])
