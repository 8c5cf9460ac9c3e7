"""How a large imported layer is served view by view.

A LayerIndex answers "what is in this view at this zoom" for up to a million
parcels while holding little of the layer in memory:

- the features' bounding boxes and areas are five numpy arrays; comparing them
  with the view's box finds what is in view (a few milliseconds at 1,000,000),
  with no geometry object per feature and no tree;
- ids, labels, tooltip columns and the per-zoom simplified geometry (WKB) stay
  in Arrow arrays, from which only the rows a view shows are taken; the full
  geometry is read, for the candidate rows only, where a drawn area filters
  the view or the finest zoom band draws it;
- more than `cap` features: the largest are kept and the rest counted, so the
  map can say "zoom in to see N more";
- geometry is simplified to about a pixel at the zoom band and rounded to what
  the zoom can show, once per feature and band, then cached;
- the answer is a GeoJSON FeatureCollection string assembled from cached
  per-feature strings, so a rerun costs string joins, not GeoJSON encoding.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from pyproj import CRS
from shapely.geometry import box

from geodata import settings
from geodata.geometry import WGS84
from geodata.importers.clean import check_ranges
from geodata.importers.limits import Limits
from geodata.importers.readers import _too_large as too_large
from geodata.importers.readers import geoparquet_column
from geodata.layers.parcels import SEPARATOR
from geodata.layers.store import LABEL_COLUMNS, check_kind, label_column, read_layer, shown_or_refused, tooltip_columns
from geodata.problems import UserError
from geodata.values import is_missing

# Rows of geometry parsed at a time when a stored layer is opened (bounded memory at any layer size).
OPEN_BATCH = 8_192

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


def _arrow(values) -> pa.ChunkedArray | np.ndarray:
    """A column as Arrow (no Python object per row); a column Arrow cannot type stays a numpy array."""
    try:
        return pa.chunked_array([pa.array(values, from_pandas=True)])
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return np.asarray(values, dtype=object)


def _take(column, rows: np.ndarray) -> list:
    if isinstance(column, np.ndarray):
        return list(column[rows])
    return column.take(pa.array(rows, pa.int64())).to_pylist()


def _wkb(column: pa.ChunkedArray | None, rows: np.ndarray) -> np.ndarray:
    return shapely.from_wkb(np.asarray(_take(column, rows), dtype=object))


class LayerIndex:
    """Fast view-by-view access to one layer (see the module docstring)."""

    def __init__(
        self,
        gdf: gpd.GeoDataFrame,
        name: str,
        fields: list[str] | None = None,
        value: Callable[[object], str] = str,
    ):
        """The index of a layer already in memory (a small file, or a test's frame)."""
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        label = label_column(gdf)
        fields = fields if fields is not None else tooltip_columns(gdf)
        bands = {
            band: pa.chunked_array([pa.array(gdf[band_column(band)].to_numpy(), pa.binary())])
            for band in PRECOMPUTED_BANDS
            if band_column(band) in gdf.columns
        }
        self._setup(
            name,
            value,
            ids=pa.chunked_array([pa.array(gdf["feature_id"].astype(str).tolist(), pa.string())]),
            labels=_arrow(gdf[label]) if label != "feature_id" else None,
            fields=fields,
            columns=[_arrow(gdf[c]) for c in fields],
            boxes=shapely.bounds(geoms),
            area=shapely.area(geoms),
            bands=bands,
        )
        self._geometry = pa.chunked_array([pa.array(shapely.to_wkb(geoms), pa.binary())])

    def _setup(self, name, value, *, ids, labels, fields, columns, boxes, area, bands) -> None:
        self.name = name
        self.ids = ids  # Arrow strings
        self._n = len(ids)
        self.minx, self.miny, self.maxx, self.maxy = (np.ascontiguousarray(boxes[:, k]) for k in range(4))
        self.area = area
        self.fields = fields
        self._labels = labels  # None: the id is the label
        self._columns = columns
        self._keys = [json.dumps(value(c)) for c in fields]
        self._value = value
        self._props = np.full(self._n, None, dtype=object)
        self._cache: dict[int, np.ndarray] = {}
        self._done: dict[int, np.ndarray] = {}
        self._pre: dict[int, pa.ChunkedArray] = bands  # per-zoom simplified geometry, WKB
        self._on_disk: set[int] = set()  # bands still in the file: a column is read the first time a view needs it
        self._source: Path | None = None
        self._geometry: pa.ChunkedArray | None = None  # full geometry in memory (a frame's); else read by row group
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path, name: str | None = None, value: Callable[[object], str] = str) -> LayerIndex:
        """The index of a stored layer, quick to open and small in memory.

        A GeoParquet layer in WGS84 (what the importers write) is read column by column, its geometry
        in batches only to measure boxes and areas; anything else is read whole as before.
        """
        path = Path(path)
        name = name or path.stem
        lean = shown_or_refused(path, lambda: cls._lean_source(path))
        if lean is None:
            return cls(read_layer(path, with_bands=False), name, value=value)
        geometry, names = lean
        index = cls.__new__(cls)
        boxes, area = shown_or_refused(path, lambda: _measure(path, geometry))
        _give_back()
        fields = tooltip_columns(pd.DataFrame(columns=_plain(names, geometry)))
        wanted = ["feature_id", *(c for c in LABEL_COLUMNS if c in names), *fields]
        table = pq.read_table(path, columns=list(dict.fromkeys(wanted)))  # only what a view shows
        if table.num_rows:
            table = table.combine_chunks()
        label = next(
            (c for c in LABEL_COLUMNS if c in names and table.column(c).null_count < table.num_rows),
            "feature_id",
        )
        index._setup(
            name,
            value,
            ids=pc.cast(table.column("feature_id"), pa.string()),
            labels=table.column(label) if label != "feature_id" else None,
            fields=fields,
            columns=[table.column(c) for c in fields],
            boxes=boxes,
            area=area,
            bands={},
        )
        index._source = path
        index._geometry_name = geometry
        index._on_disk = {band for band in PRECOMPUTED_BANDS if band_column(band) in names}
        pf = pq.ParquetFile(path)
        index._group_starts = np.cumsum([0] + [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)])
        return index

    @staticmethod
    def _lean_source(path: Path) -> tuple[str, list[str]] | None:
        """(geometry column, column names) of a layer the lean path can open, or None for the whole-frame path."""
        if check_kind(path) != "parquet":
            return None
        limits = Limits.from_env()
        if path.stat().st_size > limits.max_file_bytes:  # the limits a whole read applies
            raise too_large(path.name, path.stat().st_size, limits.max_file_bytes)
        column, _ = geoparquet_column(path, limits)
        try:
            crs = CRS.from_user_input(column["crs"])
        except Exception:  # an unknown CRS: the whole-frame path says what is wrong with it
            return None
        names = pq.read_schema(path).names
        if column.get("encoding") != "WKB" or not crs.equals(WGS84, ignore_axis_order=True):
            return None
        if "feature_id" not in names or column["name"] not in names:
            return None
        return column["name"], names

    def _stored_band(self, band: int) -> pa.ChunkedArray | None:
        if band in self._on_disk:
            self._pre[band] = pq.read_table(self._source, columns=[band_column(band)]).column(0).combine_chunks()
            self._on_disk.discard(band)
            _give_back()
        return self._pre.get(band)

    def _full_geometry(self, rows: np.ndarray) -> np.ndarray:
        """The original geometry of these rows (sorted): from memory, or from the file's row groups holding them."""
        if self._geometry is not None:
            return _wkb(self._geometry, rows)
        starts = self._group_starts
        groups = np.searchsorted(starts, rows, side="right") - 1
        needed = np.unique(groups)
        if not len(needed):
            return np.empty(0, dtype=object)
        column = pq.ParquetFile(self._source).read_row_groups(needed.tolist(), columns=[self._geometry_name]).column(0)
        sizes = starts[needed + 1] - starts[needed]
        first = dict(zip(needed.tolist(), np.concatenate([[0], np.cumsum(sizes)[:-1]]).tolist(), strict=True))
        at = rows - starts[groups] + np.array([first[g] for g in groups.tolist()], dtype=np.int64)
        return _wkb(column, at)

    def __len__(self) -> int:
        return self._n

    def bounds(self) -> tuple[float, float, float, float]:
        return (
            float(np.nanmin(self.minx)),
            float(np.nanmin(self.miny)),
            float(np.nanmax(self.maxx)),
            float(np.nanmax(self.maxy)),
        )

    def _geometry_json(self, band: int, idx: np.ndarray) -> np.ndarray:
        with self._lock:
            cache = self._cache.setdefault(band, np.full(self._n, None, dtype=object))
            done = self._done.setdefault(band, np.zeros(self._n, dtype=bool))
            todo = idx[~done[idx]]
            if len(todo):
                pre = self._stored_band(band)
                g = _wkb(pre, todo) if pre is not None else simplify_for_band(self._full_geometry(todo), band)
                rounded = shapely.set_precision(g, 10.0 ** -_decimals(band), mode="pointwise")
                collapsed = shapely.is_empty(rounded)
                rounded[collapsed] = g[collapsed]
                cache[todo] = shapely.to_geojson(rounded)
                done[todo] = True
            return cache[idx]

    def _properties(self, idx: np.ndarray) -> np.ndarray:
        with self._lock:
            todo = idx[pd.isna(self._props[idx])]
            if len(todo):
                ids = _take(self.ids, todo)
                labels = ids if self._labels is None else [str(v) for v in _take(self._labels, todo)]
                columns = [_take(col, todo) for col in self._columns]
                for k, i in enumerate(todo):
                    fid = f"{self.name}{SEPARATOR}{ids[k]}"
                    parts = [f'"id":{json.dumps(fid)}', f'"label":{json.dumps(self._value(labels[k]))}']
                    parts += [
                        f"{key}:{json.dumps(self._value(col[k]))}"
                        for key, col in zip(self._keys, columns, strict=True)
                        if not is_missing(col[k])
                    ]
                    self._props[i] = "{" + ",".join(parts) + "}"
            return self._props[idx]

    def view(
        self, bounds: tuple[float, float, float, float], zoom: float, cap: int | None = None, within=None
    ) -> ViewSlice:
        """The features in `bounds` (and, given an area, intersecting it), the largest first when over `cap`."""
        cap = settings.max_view_features() if cap is None else cap
        w, s, e, n = bounds
        # boxes that meet the view's box, edges included (what a tree query of the box finds); a missing
        # or empty geometry has NaN bounds and meets nothing
        idx = np.flatnonzero((self.maxx >= w) & (self.minx <= e) & (self.maxy >= s) & (self.miny <= n))
        if within is not None and len(idx):
            idx = idx[shapely.intersects(self._full_geometry(idx), within)]
        total = len(idx)
        if total > cap:
            idx = idx[_largest(self.area[idx], cap)]
        idx = np.sort(idx)
        geoms = self._geometry_json(_band(zoom), idx)
        feats = [
            f'{{"type":"Feature","properties":{p},"geometry":{g}}}'
            for p, g in zip(self._properties(idx), geoms, strict=True)
        ]
        return ViewSlice('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}", len(idx), total)

    def row(self, feature_id: str) -> int:
        hit = pc.index(self.ids, pa.scalar(str(feature_id), pa.string())).as_py()
        if hit < 0:
            raise KeyError(feature_id)
        return int(hit)


def _give_back() -> None:
    """Return the memory freed after reading a layer to the system: the allocators keep it otherwise, and the
    app process's size is what a server with a national layer open is judged by (about 50 MB per 100,000 parcels)."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _largest(area: np.ndarray, cap: int) -> np.ndarray:
    """Positions of the `cap` largest areas, equal areas taken in order: a stable sort's first `cap`, found in
    linear time (a state view at 1,000,000 parcels has hundreds of thousands of candidates)."""
    kth = np.partition(-area, cap - 1)[cap - 1]
    above = np.flatnonzero(-area < kth)
    tied = np.flatnonzero(-area == kth)[: cap - len(above)]
    return np.concatenate([above, tied])


def _plain(names: list[str], geometry: str) -> list[str]:
    """A stored layer's attribute columns: not its geometry, covering box or per-zoom geometry."""
    return [c for c in names if c != geometry and c != "bbox" and not c.startswith("geom_z")]


def _measure(path: Path, geometry: str) -> tuple[np.ndarray, np.ndarray]:
    """Each feature's bounding box and area, the geometry parsed a batch at a time; coordinates checked finite
    and in range as read_layer checks them."""
    pf = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)  # a row group's pages read as used
    boxes, areas, seen = [], [], 0
    for batch in pf.iter_batches(batch_size=OPEN_BATCH, columns=[geometry]):
        try:
            g = shapely.from_wkb(batch.column(0).to_numpy(zero_copy_only=False))
        except shapely.errors.GEOSException as exc:
            raise UserError(f"{path.name} holds geometry that cannot be built ({exc})") from None
        if not np.isfinite(shapely.get_coordinates(g)).all():
            bad = next(k for k, one in enumerate(g) if not np.isfinite(shapely.get_coordinates(one)).all())
            raise UserError(
                f"{path.name}: feature {seen + bad + 1} has a NaN or infinite coordinate; "
                "fix or remove it and import again"
            )
        boxes.append(shapely.bounds(g))
        areas.append(shapely.area(g))
        seen += len(g)
    boxes = np.concatenate(boxes) if boxes else np.empty((0, 4))
    area = np.concatenate(areas) if areas else np.empty(0)
    if len(boxes) and not np.isnan(boxes).all():
        total = (np.nanmin(boxes[:, 0]), np.nanmin(boxes[:, 1]), np.nanmax(boxes[:, 2]), np.nanmax(boxes[:, 3]))
        check_ranges(gpd.GeoDataFrame(geometry=[box(*total)], crs=WGS84), path.name)
    return boxes, area
