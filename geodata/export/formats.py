"""Write records to CSV, GeoJSON, KML and GeoPackage.

Every export carries `id`, `name`, `phase`, `status`, `as_of` first, then the
record's other fields, then its sources as readable text. GDAL (through
pyogrio) writes the GIS formats; CSV is written here so that spreadsheet
formulas in text cells can be neutralised.
"""

from __future__ import annotations

import csv
import html
import io
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.catalog.changes import with_freshness
from geodata.catalog.load import Catalog
from geodata.export.csvsafe import neutralise
from geodata.money import format_range
from geodata.problems import ChoiceNeeded, UserError
from geodata.values import is_missing

EXPORT_FORMATS = ("csv", "geojson", "kml", "gpkg")
FIRST = ("id", "name", "phase", "status", "as_of")
DRIVERS = {"geojson": "GeoJSON", "kml": "LIBKML", "gpkg": "GPKG"}
EXTENSIONS = {"csv": ".csv", "geojson": ".geojson", "kml": ".kml", "gpkg": ".gpkg", "html": ".html"}
# Columns that only serve the app (links into other layers stay).
# lon/lat: the geometry is where a record is mapped (an investment may sit at its
# facility); CSV derives lon/lat from it.
DROP = {"anchor", "acreage_diff", "lon", "lat"}


SUFFIX_FORMATS = {
    ".csv": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".gpkg": "gpkg",
    ".html": "html",
    ".htm": "html",
}


def format_from_path(path: Path, allowed: tuple[str, ...]) -> str:
    """The export format an output file name asks for."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt not in allowed:
        raise ChoiceNeeded(path.name, "format", allowed)
    return fmt


def source_citation(catalog: Catalog, sid: str) -> str:
    s = catalog.sources[sid]
    parts = [f"[{s.id}] {s.publisher}", f'"{s.title}"', s.date.text]
    if s.url:
        parts.append(s.url)
    return ", ".join(parts)


def sources_text(catalog: Catalog, ids: list[str]) -> str:
    return " | ".join(source_citation(catalog, sid) for sid in ids)


def export_frame(catalog: Catalog, df: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A flat copy for export: no private columns, lists as text, sources spelled out."""
    out = df[[c for c in df.columns if not c.startswith("_") and c not in DROP]].copy()
    out["sources_text"] = [
        sources_text(catalog, ids) if isinstance(ids, list) and ids else None for ids in out["sources"]
    ]
    if "provenance" in out.columns:  # imported parcels cite the layer they came from
        out["sources_text"] = out["sources_text"].fillna(out["provenance"])
    for col in out.columns:
        if col != "geometry" and out[col].map(lambda v: isinstance(v, list)).any():
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, list) else v)
    if "amount_usd_low" in out:
        out.insert(
            out.columns.get_loc("amount_usd_high") + 1,
            "amount",
            [format_range(lo, hi) for lo, hi in zip(out["amount_usd_low"], out["amount_usd_high"], strict=True)],
        )
    out = with_freshness(out)
    rest = [c for c in out.columns if c not in FIRST and c != "geometry"]
    return out[list(FIRST) + rest + ["geometry"]]


def kml_description(row: pd.Series) -> str:
    """Balloon text for Google Earth, which renders it as HTML: every value escaped."""
    lines = []
    for key, label in (
        ("description", None),
        ("phase", "Phase"),
        ("status", "Status"),
        ("as_of", "As of"),
        ("update_note", "Freshness"),
        ("amount", "Amount"),
        ("confidence", "Confidence"),
        ("geometry_quality", "Location quality"),
        ("geometry_note", "Location note"),
        ("note", "Note"),
    ):
        v = row.get(key)
        if is_missing(v) or v == "":
            continue
        text = html.escape(str(v))
        lines.append(text if label is None else f"<b>{label}:</b> {text}")
    cites = [html.escape(c) for c in str(row.get("sources_text") or "").split(" | ") if c]
    if cites:
        lines.append("<b>Sources:</b><br>" + "<br>".join(cites))
    return "<br>".join(lines)


def _csv_bytes(frame: gpd.GeoDataFrame) -> bytes:
    table = pd.DataFrame(frame.drop(columns="geometry"))
    geoms = frame.geometry
    polygonal = geoms.geom_type.isin(["Polygon", "MultiPolygon"]).any()
    pts = [g if g is None or g.geom_type == "Point" else g.representative_point() for g in geoms]
    table["lon"] = [round(p.x, 6) if p is not None else None for p in pts]
    table["lat"] = [round(p.y, 6) if p is not None else None for p in pts]
    if polygonal:
        table["wkt"] = [g.wkt if g is not None else None for g in geoms]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.itertuples(index=False):
        writer.writerow([_csv_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def _csv_cell(v) -> object:
    if is_missing(v):
        return ""
    if isinstance(v, str):
        return neutralise(v)
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v


def render(frame: gpd.GeoDataFrame, fmt: str, layer_name: str) -> bytes:
    """The export as bytes (what the app's download buttons hand out)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{layer_name}{EXTENSIONS[fmt]}"
        write(frame, fmt, path, layer_name)
        return path.read_bytes()


def _writable(path: Path) -> Path:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"cannot write {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UserError(f"cannot write {path}: folder {parent} is not writable")
    if path.is_dir():
        raise UserError(f"cannot write {path}: it is a folder")
    if (path.exists() or path.is_symlink()) and not path.is_file():
        # a device, a pipe or a socket: renaming a new file over it would replace it
        raise UserError(f"cannot write {path}: it is not a regular file (a device, a pipe or a broken link)")
    return parent


@contextmanager
def atomic_path(path: Path, suffix: str):
    """A temporary path next to `path`, renamed over it only if the block succeeds.

    A failed or interrupted export never leaves half a file, nor clobbers an
    existing one.
    """
    parent = _writable(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=suffix, dir=parent)
    except OSError as exc:  # /proc, /sys, a read-only mount: writable by mode, not in fact
        raise UserError(f"cannot write {path}: {exc.strerror or exc}; choose another folder") from None
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # GDAL refuses to create some formats over an existing file
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    with atomic_path(path, path.suffix) as tmp:
        tmp.write_bytes(data)
    return path


def write(
    frame: gpd.GeoDataFrame, fmt: str, path: str | Path, layer_name: str, after: Callable[[Path], None] | None = None
) -> Path:
    """Write `frame` (from export_frame) to `path` in `fmt`, replacing an existing file atomically.

    `after` may add to the new file (e.g. more GeoPackage tables) before it replaces the old one.
    """
    if fmt not in EXPORT_FORMATS:
        raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    path = Path(path)
    with atomic_path(path, path.suffix or EXTENSIONS[fmt]) as tmp:
        if fmt == "csv":
            tmp.write_bytes(_csv_bytes(frame))
        else:
            _write_gdal(frame, fmt, tmp, layer_name)
        if after is not None:
            after(tmp)
    return path


def _write_gdal(frame: gpd.GeoDataFrame, fmt: str, path: Path, layer_name: str) -> None:
    gdf = frame.copy()
    kwargs: dict = {}
    if fmt == "kml":
        gdf["description"] = [kml_description(row) for _, row in gdf.iterrows()]
    if fmt == "geojson":
        kwargs["layer_options"] = {"RFC7946": "YES"}
    if fmt == "gpkg":
        kwargs["promote_to_multi"] = bool(gdf.geom_type.isin(["Polygon", "MultiPolygon"]).any())
    pyogrio.write_dataframe(gdf, path, driver=DRIVERS[fmt], layer=layer_name, **kwargs)
