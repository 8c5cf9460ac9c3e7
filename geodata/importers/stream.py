"""An import in batches, with memory bounded by the batch, not the layer.

A GeoParquet source is read a batch of rows at a time, and so is what GDAL
reads (GeoPackage, FlatGeobuf, GeoJSON, shapefile, file geodatabase, also
inside a zip: pyogrio's Arrow stream); a CSV or KML is read through `read_any`
as before and cut into batches. Each batch is
cleaned (clean.prepare), clipped, given its feature ids and its per-zoom
simplified geometry, and handed on as an Arrow table with the layer's columns:
to a GeoParquet file written row group by row group (`write_streamed`), or to
the database's COPY (pg_store). Attributes stay in Arrow from the reader to the
writer, so every batch has the source's own column types.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import box

from geodata.geometry import WGS84
from geodata.importers.clean import ImportReport, prepare
from geodata.importers.limits import Limits
from geodata.importers.readers import (
    GDAL_STREAMED,
    _dataset_in,
    _read,
    _too_large,
    _unzipped,
    gdal_batches,
    geoparquet_column,
    parse_crs,
    sniff,
)
from geodata.layers.index import PRECOMPUTED_BANDS, band_column, simplify_for_band
from geodata.problems import UserError

BATCH_ROWS = 32_768  # one row group of the written file; ~30 MB of a batch's geometry at a time
_ROW = "__row"
# Read a row group's pages as they are used: a file written as one row group is not held whole.
STREAMED = {"pre_buffer": False, "buffer_size": 1 << 20}
_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString"}
_TYPE_NAMES |= {6: "MultiPolygon", 7: "GeometryCollection"}


@dataclass
class Source:
    """What is read: its name in messages, the layer read, its CRS and its batches (attributes, geometry)."""

    name: str
    layer: str | None
    crs: CRS | None
    batches: Iterator[tuple[pa.Table, np.ndarray]]


@contextmanager
def open_source(path: Path, limits: Limits, *, crs, bbox, layer, member, batch_rows: int | None = None):
    """The file's features in batches; a GeoParquet file is streamed, anything else read whole first."""
    path, batch_rows = Path(path), batch_rows or BATCH_ROWS
    kind = sniff(path) if path.is_file() and not path.is_symlink() else None
    if kind is not None and path.stat().st_size > limits.max_file_bytes:
        raise _too_large(path.name, path.stat().st_size, limits.max_file_bytes)
    if kind == "zip":  # the one dataset inside, streamed as if given alone
        with _unzipped(path, limits) as folder:
            inner = _dataset_in(folder, path.name, member)
            with open_source(inner, limits, crs=crs, bbox=bbox, layer=layer, member=None, batch_rows=batch_rows) as s:
                s.name = f"{path.name}:{inner.relative_to(folder)}"
                yield s
        return
    if kind in GDAL_STREAMED:
        options = {"layer": layer, "bbox": bbox, "crs_text": crs, "batch_rows": batch_rows}
        with gdal_batches(path, kind, limits, **options) as (name, stated, batches):
            yield Source(path.name, name, stated, batches)
        return
    if kind == "parquet":
        column, _ = geoparquet_column(path, limits, crs)
        try:
            stated = parse_crs(crs) if crs and column.get("crs") is None else CRS.from_user_input(column["crs"])
        except CRSError:
            stated = None  # read whole below, which says what is wrong with it
        if column.get("encoding") == "WKB" and stated is not None:
            yield Source(path.name, None, stated, _parquet(path, column, batch_rows))
            return
    result = _read(path, limits, layer=layer, crs=crs, bbox=bbox, choose_layer=None, member=member)
    gdf, result.gdf = result.gdf, None
    crs_read = gdf.crs
    attrs = pa.Table.from_pandas(gdf.drop(columns=gdf.geometry.name), preserve_index=False)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    del gdf
    batches = (
        (attrs.slice(i, batch_rows), geoms[i : i + batch_rows]) for i in range(0, max(len(geoms), 1), batch_rows)
    )
    yield Source(result.name, result.layer, crs_read, batches)


def _parquet(path: Path, column: dict, batch_rows: int) -> Iterator[tuple[pa.Table, np.ndarray]]:
    name = column["name"]
    covering = (column.get("covering") or {}).get("bbox", {}).get("xmin", [None])[0]
    try:
        for batch in pq.ParquetFile(path, **STREAMED).iter_batches(batch_size=batch_rows):
            table = pa.Table.from_batches([batch])
            try:
                geoms = shapely.from_wkb(table.column(name).to_numpy())
            except shapely.errors.GEOSException as exc:
                raise UserError(
                    f"{path.name} holds geometry that cannot be built ({exc}); fix or remove that feature"
                ) from None
            yield table.drop_columns([c for c in (name, covering) if c in table.column_names]), geoms
    except UserError:
        raise
    except Exception as exc:  # damaged pages, bad WKB, ...
        raise UserError(f"{path.name} could not be read as GeoParquet ({' '.join(str(exc).split())[:300]})") from None


def layer_batches(
    source: Source,
    report: ImportReport,
    *,
    polygons_only: bool,
    bbox,
    prefix: str,
) -> Iterator[pa.Table]:
    """The layer's rows, batch by batch, as stored: feature_id, source_file, the attributes, geometry (WKB),
    the per-zoom simplified geometry and the covering box. Fills `report` as it goes; refuses an empty result."""
    read = kept = 0
    inside = 0
    found: Counter = Counter()
    renames = {c: f"original_{c}" for c in ("feature_id", "source_file")}
    for attrs, geoms in source.batches:
        if not len(geoms):
            continue
        read += len(geoms)
        frame = gpd.GeoDataFrame({_ROW: np.arange(len(geoms))}, geometry=gpd.GeoSeries(geoms), crs=source.crs)
        if polygons_only and not found.get("polygon"):
            kinds = shapely.get_type_id(geoms[~shapely.is_missing(geoms)])
            found.update(_TYPE_NAMES.get(int(k), "other") for k in kinds)
            found["polygon"] += int(np.isin(kinds, (3, 6)).sum())
        frame = prepare(frame, source.name, polygons_only, report, whole=False)
        if bbox is not None:
            area = box(*bbox)
            frame = frame[frame.intersects(area)].copy()
            frame["geometry"] = frame.geometry.intersection(area)
            frame = frame[~frame.geometry.is_empty]
            inside += len(frame)
        if frame.empty:
            continue
        rows = frame[_ROW].to_numpy()
        g = np.asarray(frame.geometry.values, dtype=object)
        table = attrs.take(pa.array(rows, pa.int64()))
        table = table.rename_columns([renames.get(c, c) for c in table.column_names])
        drop = {"bbox", "geometry", *(band_column(b) for b in PRECOMPUTED_BANDS)}
        table = table.drop_columns([c for c in table.column_names if c in drop])
        ids = pa.array([f"{prefix}-{kept + i + 1}" for i in range(len(g))], pa.string())
        table = table.add_column(0, "feature_id", ids)
        table = table.add_column(1, "source_file", pa.array([source.name] * len(g), pa.string()))
        table = table.append_column("geometry", pa.array(shapely.to_wkb(g), pa.binary()))
        for band in PRECOMPUTED_BANDS:
            table = table.append_column(
                band_column(band), pa.array(shapely.to_wkb(simplify_for_band(g, band)), pa.binary())
            )
        b = shapely.bounds(g)
        table = table.append_column(
            "bbox",
            pa.StructArray.from_arrays([pa.array(b[:, k]) for k in range(4)], names=["xmin", "ymin", "xmax", "ymax"]),
        )
        kept += len(g)
        yield table
    report.read = read
    if not read:
        raise UserError(f"{source.name} has no features{' in the box' if bbox else ''}; nothing to import")
    if bbox is not None:
        report.filters.append(f"{inside:,} within W,S,E,N {','.join(f'{v:g}' for v in bbox)} (clipped at the edge)")
    report.kept = kept
    if polygons_only and not found.get("polygon"):
        raise UserError(
            f"{source.name} holds no polygons ({', '.join(f'{n:,} {t}' for t, n in found.items() if t != 'polygon')}); "
            "land parcels must be polygons"
        )
    if not kept and bbox is not None:
        raise UserError(f"nothing in {source.name} lies within the box")
    if not kept:
        raise UserError(f"no features left to import from {source.name} ({'; '.join(report.lines()[1:]) or 'empty'})")


def geo_metadata() -> bytes:
    """GeoParquet 1.1 metadata of the written layer: WKB geometry in WGS84 with its covering box."""
    covering = {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")}
    column = {"encoding": "WKB", "geometry_types": [], "crs": CRS.from_user_input(WGS84).to_json_dict()}
    column["covering"] = {"bbox": covering}
    return json.dumps({"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}).encode()


# The geometry field's own type tag, as geopandas writes it: readers of Arrow batches find the geometry by it.
_GEOARROW = {
    b"ARROW:extension:name": b"geoarrow.wkb",
    b"ARROW:extension:metadata": json.dumps({"crs": CRS.from_user_input(WGS84).to_json_dict()}).encode(),
}


def write_streamed(batches: Iterator[pa.Table], path: Path) -> int:
    """Write the batches to `path` as GeoParquet, one row group each; the number of rows written."""
    writer, n = None, 0
    try:
        for table in batches:
            if writer is None:
                schema = table.schema.with_metadata({b"geo": geo_metadata()})
                at = schema.get_field_index("geometry")
                schema = schema.set(at, schema.field(at).with_metadata(_GEOARROW))
                writer = pq.ParquetWriter(path, schema, compression="snappy")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                writer.write_table(table.cast(schema))
            n += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return n
