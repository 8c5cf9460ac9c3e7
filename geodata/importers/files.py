"""Import a user's own file of parcels (or points) into a layer file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

from geodata.importers.clean import ImportReport, prepare
from geodata.importers.limits import Limits
from geodata.importers.output import output_format, write_layer, write_parquet_layer
from geodata.importers.readers import read_any
from geodata.problems import InvalidValue, UserError


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        w, s, e, n = (float(p) for p in parts)
    except ValueError:
        raise InvalidValue(
            "bbox",
            text,
            f"{text!r}: give four numbers W,S,E,N in degrees, e.g. -112.8,33.65,-111.95,34.35",
            label="area of interest",
        ) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InvalidValue(
            "bbox",
            text,
            f"{text!r}: need W < E within -180..180 and S < N within -90..90 (W,S,E,N order)",
            label="area of interest",
        )
    return w, s, e, n


def clip(gdf: gpd.GeoDataFrame, bbox, report: ImportReport) -> gpd.GeoDataFrame:
    """Keep what intersects the box, cut at its edge (WGS84)."""
    if bbox is None:
        return gdf
    area = box(*bbox)
    inside = gdf[gdf.intersects(area)].copy()
    inside["geometry"] = inside.geometry.intersection(area)
    inside = inside[~inside.geometry.is_empty]
    report.filters.append(f"{len(inside):,} within W,S,E,N {','.join(f'{v:g}' for v in bbox)} (clipped at the edge)")
    return inside


def with_ids(gdf: gpd.GeoDataFrame, prefix: str, source: str) -> gpd.GeoDataFrame:
    """A stable feature id and where the feature came from, first among the columns."""
    gdf = gdf.reset_index(drop=True)
    # a file's own feature_id / source_file columns are kept under another name, not lost (nor a crash)
    gdf = gdf.rename(columns={c: f"original_{c}" for c in ("feature_id", "source_file") if c in gdf.columns})
    gdf.insert(0, "feature_id", [f"{prefix}-{i + 1}" for i in range(len(gdf))])
    gdf.insert(1, "source_file", source)
    return gdf


def import_file(
    path: str | Path,
    out: str | Path,
    limits: Limits,
    *,
    crs: str | None = None,
    bbox=None,
    layer: str | None = None,
    member: str | None = None,
    polygons_only: bool = False,
) -> ImportReport:
    out = Path(out)
    fmt = output_format(out)  # a bad output name fails before any reading
    if fmt == "GeoParquet":  # the layer format: read, cleaned and written a batch at a time
        return _import_streamed(
            Path(path), out, limits, crs=crs, bbox=bbox, layer=layer, member=member, polygons_only=polygons_only
        )
    result = read_any(path, limits, layer=layer, crs=crs, bbox=bbox, member=member)
    report = ImportReport(source=result.name + (f", layer {result.layer}" if result.layer else ""))
    gdf = prepare(result.gdf, result.name, polygons_only, report)
    gdf = clip(gdf, bbox, report)
    if gdf.empty:
        raise UserError(f"nothing in {result.name} lies within the box; {out} not written")
    report.kept = len(gdf)
    gdf = with_ids(gdf, _prefix(path), result.name)
    fmt = write_layer(gdf, out)
    report.notes.append(f"wrote {len(gdf):,} feature(s) to {out} ({fmt}, EPSG:4326)")
    return report


def _prefix(path) -> str:
    return Path(path).stem.lower().replace(" ", "-")[:40] or "feature"


@contextmanager
def streamed(
    path: str | Path, limits: Limits, *, crs=None, bbox=None, layer=None, member=None, polygons_only: bool = False
) -> Iterator[tuple[ImportReport, Iterator]]:
    """(report, batches) of an import: the layer's rows as Arrow tables, read and cleaned a batch at a time as
    they are taken (geodata.importers.stream); the report is complete once every batch has been taken."""
    from geodata.importers.stream import layer_batches, open_source

    with open_source(Path(path), limits, crs=crs, bbox=bbox, layer=layer, member=member) as source:
        report = ImportReport(source=source.name + (f", layer {source.layer}" if source.layer else ""))
        if source.crs is not None:
            report.source_crs = source.crs.to_string()
        yield report, layer_batches(source, report, polygons_only=polygons_only, bbox=bbox, prefix=_prefix(path))


def _import_streamed(path: Path, out: Path, limits: Limits, **options) -> ImportReport:
    with streamed(path, limits, **options) as (report, batches):
        try:
            n = write_parquet_layer(batches, out)
        except UserError as exc:
            if "lies within the box" in str(exc):
                raise UserError(f"{exc}; {out} not written") from None
            raise
    report.notes.append(f"wrote {n:,} feature(s) to {out} (GeoParquet, EPSG:4326)")
    return report
