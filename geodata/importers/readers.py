"""Read any accepted geodata file into a GeoDataFrame, or fail with one clear sentence.

Order of checks: size, content type (sniff.py), archive safety (safezip.py),
format-specific safety (KML without DTDs, shapefile completeness), the GDAL
driver actually used, the feature count, and a coordinate reference system.
A CRS is never guessed: GeoJSON is WGS84 by its specification, a CSV's
lon/lat columns are WGS84 by their names; anything else must declare one.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from urllib.parse import quote

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as SafeET
from pyproj import CRS
from pyproj.exceptions import CRSError

from geodata.importers import safezip
from geodata.importers.limits import Limits
from geodata.importers.sniff import ALLOWED, sniff
from geodata.problems import ChoiceNeeded, CrsNeeded, InvalidValue, LimitExceeded, UserError
from geodata.values import is_missing

LON_NAMES = ("lon", "lng", "long", "longitude")
LAT_NAMES = ("lat", "latitude")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
XY_NAMES = (("x", "y"), ("easting", "northing"))
# What a data folder (layers/, reference/) may hold: what the importers write, and what people copy there.
STORED_KINDS = frozenset({"parquet", "gpkg", "geojson", "flatgeobuf"})
DATASET_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".fgb", ".csv", ".parquet", ".geoparquet")

LayerChooser = Callable[[list[str]], str | None]


@dataclass
class ReadResult:
    gdf: gpd.GeoDataFrame
    kind: str
    driver: str
    name: str
    layer: str | None


def _too_large(name: str, size: int, limit: int, what: str = "max_file_bytes") -> LimitExceeded:
    return LimitExceeded(
        what,
        limit,
        size,
        problem=f"{name} is {size / 2**20:,.1f} MB, more than the limit of {limit / 2**20:,.0f} MB",
        # KML is parsed whole, under a fixed limit no setting raises
        fixes=("limit",) if what == "max_file_bytes" else (),
    )


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def parse_crs(text: str | None) -> CRS | None:
    if text is None:
        return None
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise InvalidValue(
            "crs", text, f"{text!r} is not a coordinate reference system; use e.g. EPSG:4326 or EPSG:5070", label="CRS"
        ) from None


def read_any(
    path: str | Path,
    limits: Limits,
    *,
    layer: str | None = None,
    crs: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    choose_layer: LayerChooser | None = None,
    member: str | None = None,
) -> ReadResult:
    """Read `path`; `bbox` (WGS84) narrows the read where the format allows it."""
    result = _read(Path(path), limits, layer=layer, crs=crs, bbox=bbox, choose_layer=choose_layer, member=member)
    if result.gdf.empty:
        where = " in the box" if bbox else ""
        raise UserError(f"{result.name} has no features{where}; nothing to import")
    return result


def read_stored(
    path: str | Path, limits: Limits, *, columns: list[str] | None = None, filters: list | None = None
) -> gpd.GeoDataFrame:
    """A layer file kept in a data folder (layers/, reference/): the same checks as an import, fewer formats.

    A file someone copied there is as untrusted as an upload: a VRT named .geojson, a GeoPackage
    whose layer is an SQL view, a GeoParquet file without a CRS are refused the same way.
    """
    path = Path(path)
    result = _read(
        path,
        limits,
        layer=None,
        crs=None,
        bbox=None,
        choose_layer=None,
        member=None,
        kinds=STORED_KINDS,
        columns=columns,
        filters=filters,
    )
    return result.gdf


def _read(
    path: Path, limits: Limits, *, layer, crs, bbox, choose_layer, member, kinds=None, columns=None, filters=None
) -> ReadResult:
    if not path.exists() and not path.is_symlink():
        raise UserError(f"{path} does not exist")
    if not path.is_dir() and not path.is_file():
        raise UserError(f"{path} is not a regular file (a device, a pipe or a broken link); save the data to a file")
    size = _dir_size(path) if path.is_dir() else path.stat().st_size
    if size > limits.max_file_bytes:
        raise _too_large(path.name, size, limits.max_file_bytes)
    kind = sniff(path)
    if kinds is not None and kind not in kinds:
        raise UserError(
            f"{path.name} is {ALLOWED[kind][0]}, which is not kept here; "
            f"only {', '.join(ALLOWED[k][0] for k in sorted(kinds))} files are read from this folder"
        )
    if kind == "zip":
        with _unzipped(path, limits) as folder:
            inner = _dataset_in(folder, path.name, member)
            result = _read(inner, limits, layer=layer, crs=crs, bbox=bbox, choose_layer=choose_layer, member=None)
            result.name = f"{path.name}:{inner.relative_to(folder)}"
            return result
    if kind == "csv":
        _check_csv_shape(path, limits)
        return ReadResult(_read_csv(path, crs, limits), "csv", "CSV", path.name, None)
    if kind == "parquet":
        gdf = _read_parquet(path, bbox, limits, crs, columns, filters)
        return ReadResult(gdf, "parquet", "GeoParquet", path.name, None)
    if kind == "kml":
        _check_kml(path, limits)
    if kind == "shapefile":
        _check_shapefile(path)
    if kind == "gpkg":
        _check_gpkg(path)
    return _read_gdal(path, kind, limits, layer, bbox, choose_layer, crs)


@contextmanager
def _unzipped(archive: Path, limits: Limits) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="geodata-unzip-") as tmp:
        yield safezip.extract(archive, Path(tmp), limits)


def _dataset_in(folder: Path, archive: str, member: str | None) -> Path:
    gdbs = [p for p in folder.rglob("*.gdb") if p.is_dir()]
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in DATASET_SUFFIXES
        and not any(g in p.parents for g in gdbs)
        and not p.name.startswith("._")
    ]
    candidates = gdbs + files
    if member:
        chosen = [c for c in candidates if str(c.relative_to(folder)) == member or c.name == member]
        if not chosen:
            raise ChoiceNeeded(archive, "member", [str(c.relative_to(folder)) for c in candidates], given=member)
        return chosen[0]
    if not candidates:
        names = [str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()][:8]
        raise UserError(f"{archive} holds no geodata file we accept (found: {', '.join(names) or 'nothing'})")
    if len(candidates) > 1:
        raise ChoiceNeeded(archive, "member", [str(c.relative_to(folder)) for c in candidates])
    return candidates[0]


def _check_shapefile(shp: Path) -> None:
    missing = [
        ext
        for ext in (".shx", ".dbf")
        if not any(p.exists() for p in (shp.with_suffix(ext), shp.with_suffix(ext.upper())))
    ]
    if missing:
        raise UserError(
            f"the shapefile {shp.name} comes without {' and '.join(shp.stem + m for m in missing)}; "
            "a shapefile needs its .shp, .shx and .dbf (and .prj for its CRS): zip them together"
        )


def _check_kml(path: Path, limits: Limits) -> None:
    if path.stat().st_size > limits.max_xml_bytes:
        raise _too_large(path.name, path.stat().st_size, limits.max_xml_bytes, "max_xml_bytes")
    try:
        SafeET.parse(path, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise UserError(
            f"{path.name} declares a DOCTYPE or entities; KML like that can read local files or "
            "exhaust memory (XXE, billion laughs) and is refused. Remove the <!DOCTYPE> line"
        ) from None
    except SafeET.ParseError as exc:
        raise UserError(f"{path.name} is not well-formed XML ({exc}); the KML is corrupt or truncated") from None


def _pick_layer(path: Path, layer: str | None, choose: LayerChooser | None, label: str) -> str:
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # damage shows as many exception types
        raise UserError(f"{label} could not be opened ({_gdal_msg(exc)}); it may be corrupt or truncated") from None
    if not layers:
        raise UserError(f"{label} holds no layers")
    if layer:
        if layer not in layers:
            raise ChoiceNeeded(label, "layer", layers, given=layer)
        return layer
    if len(layers) == 1:
        return layers[0]
    picked = choose(layers) if choose else None
    if picked:
        return picked
    raise ChoiceNeeded(label, "layer", layers)


# A path GDAL opens as given; anything else (';', newlines, tabs, quotes in a user's file name) is opened
# through a link with a plain name, since GDAL reads some characters in a path as syntax of its own.
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9 _./()+,=@~-]+$")


@contextmanager
def _plain_path(path: Path) -> Iterator[Path]:
    if _PLAIN_PATH.match(str(path)) and not str(path).startswith("/vsi"):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="geodata-open-") as tmp:
        if path.is_dir():
            (Path(tmp) / f"data{path.suffix}").symlink_to(path.resolve(), target_is_directory=True)
        else:
            # a shapefile's .shx/.dbf/.prj/.cpg sit beside it under the same stem
            for sibling in path.parent.glob(glob_escape(path.stem) + ".*"):
                (Path(tmp) / f"data{sibling.suffix}").symlink_to(sibling.resolve())
        yield Path(tmp) / f"data{path.suffix}"


# A folder inside a library's message: the user knows which file, and the app must not show its temp folders.
_FOLDERS = re.compile(r"""/[^\s'"]*/(?=[^/\s'"]+)""")


def _gdal_msg(exc: Exception) -> str:
    return _FOLDERS.sub("", " ".join(str(exc).split()))[:300]


def _read_gdal(path: Path, kind: str, limits: Limits, layer: str | None, bbox, choose, crs_text) -> ReadResult:
    with _plain_path(path) as opened:
        return _read_gdal_at(opened, path.name, kind, limits, layer, bbox, choose, crs_text)


def _read_gdal_at(path: Path, label: str, kind: str, limits: Limits, layer: str | None, bbox, choose, crs_text):
    """Read with GDAL from `path` (a plain name for GDAL), naming the file `label` in messages."""
    name, driver, read_bbox, declared = _gdal_plan(path, label, kind, limits, layer, bbox, choose, crs_text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = pyogrio.read_dataframe(path, layer=name, bbox=read_bbox, use_arrow=True)
    except shapely.errors.GEOSException:
        raise _bad_geometry(path, name, label) from None
    except Exception as exc:  # as above: damage shows as many exception types
        raise _unreadable(label, exc) from None
    if declared is not None and crs_text:
        gdf = gdf.set_crs(parse_crs(crs_text), allow_override=True)
    elif gdf.crs is None and crs_text:
        gdf = gdf.set_crs(parse_crs(crs_text))
    _require_crs(gdf, label, kind)
    return ReadResult(gdf, kind, driver, label, name)


# What GDAL can hand over in batches (a KML is parsed whole anyway; a CSV is read by pandas).
GDAL_STREAMED = frozenset({"gpkg", "flatgeobuf", "geojson", "shapefile", "filegdb"})


@contextmanager
def gdal_batches(path: Path, kind: str, limits: Limits, *, layer, bbox, crs_text, batch_rows: int):
    """(layer read, CRS, batches of (Arrow attributes, geometry)) of a file GDAL reads, checked as `read_any`
    checks it; the batches are read as they are taken."""
    if kind == "shapefile":
        _check_shapefile(path)
    if kind == "gpkg":
        _check_gpkg(path)
    with _plain_path(path) as opened:
        name, _, read_bbox, declared = _gdal_plan(opened, path.name, kind, limits, layer, bbox, None, crs_text)
        try:
            arrow = pyogrio.open_arrow(opened, layer=name, bbox=read_bbox, batch_size=batch_rows, use_pyarrow=True)
            meta, reader = arrow.__enter__()
        except Exception as exc:  # as above: damage shows as many exception types
            raise _unreadable(path.name, exc) from None
        try:
            if declared is not None and crs_text:
                crs = parse_crs(crs_text)
            else:
                crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else parse_crs(crs_text)
            if crs is None:
                raise CrsNeeded(
                    path.name,
                    f"{path.name} has no coordinate reference system, and the importer never guesses one",
                    file_fix="add its .prj file" if kind == "shapefile" else None,
                    example="EPSG:4326",
                )
            yield name, crs, _gdal_stream(reader, meta.get("geometry_name") or "wkb_geometry", opened, name, path.name)
        finally:
            arrow.__exit__(None, None, None)


def _gdal_stream(reader, geometry: str, opened: Path, name, label: str):
    import pyarrow as pa

    while True:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                batch = reader.read_next_batch()
        except StopIteration:
            return
        except Exception as exc:  # as above: damage shows as many exception types
            raise _unreadable(label, exc) from None
        table = pa.Table.from_batches([batch])
        try:
            geoms = shapely.from_wkb(table.column(geometry).to_numpy())
        except shapely.errors.GEOSException:
            raise _bad_geometry(opened, name, label) from None
        yield table.drop_columns([geometry]), geoms


def _gdal_plan(path: Path, label: str, kind: str, limits: Limits, layer: str | None, bbox, choose, crs_text):
    """(layer, driver, box to read in the layer's CRS, CRS a GeoJSON declares) after the checks before a read."""
    name = _pick_layer(path, layer, choose, label) if kind in ("gpkg", "filegdb", "kml") else layer
    try:
        info = pyogrio.read_info(path, layer=name)
    except Exception as exc:  # GDAL reports damage in several types (OSError, IndexError, ...)
        raise _unreadable(label, exc) from None
    driver = info.get("driver")
    if driver not in ALLOWED[kind][1]:
        raise UserError(f"{label} looked like {ALLOWED[kind][0]} but GDAL opened it as {driver}; refused")
    if info.get("features", 0) > limits.max_features:
        # counted before any area of interest applies, so only a higher limit lets it through
        raise LimitExceeded(
            "max_features",
            limits.max_features,
            info["features"],
            problem=f"{label} has {info['features']:,} features, more than the limit of {limits.max_features:,}",
        )
    declared = _geojson_declared_crs(path) if kind == "geojson" else None
    if declared is not None and _known_crs(declared) is None and not crs_text:
        raise CrsNeeded(
            label,
            f"{label} names the CRS {clip_text(declared)!r}, which is not a known coordinate reference "
            "system, and the importer never guesses one",
            example="EPSG:4326",
        )
    layer_crs = CRS.from_user_input(info["crs"]) if info.get("crs") and declared is None else None
    if declared is not None and crs_text:
        layer_crs = parse_crs(crs_text)
    read_bbox = None
    if bbox is not None and layer_crs is not None:
        read_bbox = _bbox_in(bbox, layer_crs)
    return name, driver, read_bbox, declared


def clip_text(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unreadable(label: str, exc: Exception) -> UserError:
    return UserError(f"{label} could not be read ({_gdal_msg(exc)}); it may be corrupt or truncated")


def _bad_geometry(path: Path, layer: str | None, label: str) -> UserError:
    """Which feature holds geometry GEOS cannot build (an unclosed ring, a ring of two points)."""
    try:
        _, _, wkb, _ = pyogrio.raw.read(path, layer=layer, columns=[])
    except Exception as exc:
        return _unreadable(label, exc)
    for i, blob in enumerate(wkb):
        try:
            shapely.from_wkb(blob)
        except shapely.errors.GEOSException as exc:
            reason = str(exc).split(":", 1)[-1].strip()
            return UserError(
                f"{label}: feature {i + 1}: its geometry cannot be built ({_gdal_msg(Exception(reason))}); "
                "a polygon ring needs at least 4 points, the last the same as the first: fix or remove that feature"
            )
    return UserError(f"{label} holds geometry that cannot be built; it may be corrupt")


_LEGACY_CRS = re.compile(rb'"crs"\s*:\s*\{[^{}]{0,200}"properties"\s*:\s*\{[^{}]{0,200}?"name"\s*:\s*"([^"]{0,300})"')


def _geojson_declared_crs(path: Path) -> str | None:
    """The name in a GeoJSON's legacy `crs` member (GDAL reads an unknown one as WGS84 without a word)."""
    chunk, tail = 1 << 20, b""
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            data = tail + block
            at = data.find(b'"crs"')
            if at >= 0:
                found = _LEGACY_CRS.search(data, at) or _LEGACY_CRS.search(data + fh.read(4096), at)
                if found:
                    return found.group(1).decode("utf-8", "replace")
            tail = data[-1024:]
    return None


def _known_crs(text: str) -> CRS | None:
    try:
        return CRS.from_user_input(text)
    except CRSError:
        return None


def _check_gpkg(path: Path) -> None:
    """Refuse a GeoPackage whose layers are SQL views: a recursive view never ends, and GDAL cannot stop it."""
    try:
        con = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _unreadable(path.name, exc) from None
    try:
        con.execute("PRAGMA query_only=1")
        rows = con.execute(
            "SELECT c.table_name, m.type FROM gpkg_contents c LEFT JOIN sqlite_master m ON m.name = c.table_name"
        ).fetchall()
    except sqlite3.Error as exc:
        raise _unreadable(path.name, exc) from None
    finally:
        con.close()
    views = [str(name) for name, kind in rows if kind == "view"]
    if views:
        raise UserError(
            f"{path.name}: layer {clip_text(views[0])!r} is an SQL view, which can run without end and is refused; "
            "save the layer as a table (e.g. with ogr2ogr) and import that"
        )


def _check_csv_shape(path: Path, limits: Limits) -> None:
    """A header line and column count within the limits, before a parser holds the whole line in memory."""
    with open(path, "rb") as fh:
        head = fh.read(limits.max_line_bytes + 1)
    end = head.find(b"\n")
    if end < 0 and len(head) > limits.max_line_bytes:
        raise LimitExceeded(
            "max_line_bytes",
            limits.max_line_bytes,
            None,
            problem=f"{path.name}: the header line is longer than {limits.max_line_bytes:,} bytes, the limit; "
            "a CSV of parcels needs a header of column names",
            fixes=(),
        )
    header = head[: end if end >= 0 else len(head)]
    columns = 1 + max(header.count(d) for d in (b",", b";", b"\t"))
    if columns > limits.max_columns:
        raise LimitExceeded(
            "max_columns",
            limits.max_columns,
            columns,
            problem=f"{path.name} has {columns:,} columns, more than the limit of {limits.max_columns:,}; "
            "keep the location columns and the attributes you need",
            fixes=(),
        )


def _bbox_in(bbox, crs: CRS) -> tuple[float, float, float, float]:
    from pyproj import Transformer

    if crs.equals(CRS.from_epsg(4326)) or crs.is_geographic:
        return bbox
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return t.transform_bounds(*bbox, densify_pts=21)


def _require_crs(gdf: gpd.GeoDataFrame, name: str, kind: str) -> None:
    if gdf.crs is None:
        raise CrsNeeded(
            name,
            f"{name} has no coordinate reference system, and the importer never guesses one",
            file_fix="add its .prj file" if kind == "shapefile" else None,
            example="EPSG:4326",
        )


def _col(df: pd.DataFrame, names) -> str | None:
    lowered = {c.strip().lower(): c for c in df.columns}
    return next((lowered[n] for n in names if n in lowered), None)


def _numbers(df: pd.DataFrame, col: str, name: str) -> pd.Series:
    values = pd.to_numeric(df[col].str.strip(), errors="coerce")
    bad = values.isna() & df[col].notna() & (df[col].str.strip() != "")
    if bad.any():
        row = int(bad.idxmax()) + 2
        raise UserError(f"{name}: row {row}, column {col!r}: {df[col][bad.idxmax()]!r} is not a number")
    return values


def _delimiter(path: Path) -> str:
    """The header's delimiter: the most used of comma, semicolon and tab (a lone WKT column has none)."""
    with open(path, "rb") as fh:
        header = fh.readline(1 << 20)
    counts = {d: header.count(d.encode()) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(path: Path, crs_text: str | None, limits: Limits) -> gpd.GeoDataFrame:
    try:
        df = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            sep=_delimiter(path),
            engine="python",
            encoding="utf-8-sig",
            nrows=limits.max_features + 1,
        )
    except (UnicodeDecodeError, pd.errors.ParserError, csv.Error) as exc:
        raise UserError(f"{path.name} could not be read as CSV ({exc})") from None
    if len(df) > limits.max_features:
        raise LimitExceeded(
            "max_features",
            limits.max_features,
            None,
            problem=f"{path.name} has more than {limits.max_features:,} rows, the limit",
        )
    if df.empty:
        raise UserError(f"{path.name} has a header but no rows")
    lon, lat = _col(df, LON_NAMES), _col(df, LAT_NAMES)
    wkt = _col(df, WKT_NAMES)
    if lon and lat:
        crs = parse_crs(crs_text) or CRS.from_epsg(4326)  # the column names say degrees
        xs, ys = _numbers(df, lon, path.name), _numbers(df, lat, path.name)
        geoms = [None if is_missing(x) or is_missing(y) else shapely.Point(x, y) for x, y in zip(xs, ys, strict=True)]
        return gpd.GeoDataFrame(df.drop(columns=[lon, lat]), geometry=geoms, crs=crs)
    if wkt:
        crs = parse_crs(crs_text)
        if crs is None:
            raise CrsNeeded(
                path.name,
                f"{path.name} has a {wkt!r} column but no CRS, and the importer never guesses one",
                example="EPSG:4326",
            )
        geoms = []
        for i, text in enumerate(df[wkt]):
            if not text.strip():
                geoms.append(None)
                continue
            try:
                geoms.append(shapely.from_wkt(text))
            except shapely.errors.GEOSException as exc:
                raise UserError(f"{path.name}: row {i + 2}, column {wkt!r}: not WKT ({exc})") from None
        return gpd.GeoDataFrame(df.drop(columns=[wkt]), geometry=geoms, crs=crs)
    for xname, yname in XY_NAMES:
        x, y = _col(df, (xname,)), _col(df, (yname,))
        if x and y:
            crs = parse_crs(crs_text)
            if crs is None:
                raise CrsNeeded(path.name, f"{path.name} has {x!r}/{y!r} columns but no CRS", example="EPSG:5070")
            xs, ys = _numbers(df, x, path.name), _numbers(df, y, path.name)
            geoms = [
                None if is_missing(a) or is_missing(b) else shapely.Point(a, b) for a, b in zip(xs, ys, strict=True)
            ]
            return gpd.GeoDataFrame(df.drop(columns=[x, y]), geometry=geoms, crs=crs)
    raise UserError(
        f"{path.name} has no location columns: name them lon/lat (or longitude/latitude), "
        f"or put WKT in a 'wkt' column; found: {', '.join(map(str, df.columns[:12]))}"
    )


def geoparquet_column(path: Path, limits: Limits, crs_text: str | None = None) -> tuple[dict, int]:
    """The GeoParquet metadata of a file's primary geometry column and its row count, checked as an import checks
    them (Parquet readable, "geo" metadata present and sound, within the feature limit, a CRS never guessed)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise UserError(f"{path.name} is a corrupt or truncated Parquet file ({_gdal_msg(exc)})") from None
    if b"geo" not in (meta.metadata or {}):
        raise UserError(
            f"{path.name} is Parquet without GeoParquet metadata; write it with geopandas to_parquet or GDAL"
        )
    if meta.num_rows > limits.max_features:
        raise LimitExceeded(
            "max_features",
            limits.max_features,
            meta.num_rows,
            problem=f"{path.name} has {meta.num_rows:,} features, more than the limit of {limits.max_features:,}",
        )
    try:
        geo = json.loads(meta.metadata[b"geo"])
        column = geo["columns"][geo["primary_column"]]
        if not isinstance(column, dict):
            raise TypeError
        column = {**column, "name": geo["primary_column"]}
    except (ValueError, KeyError, TypeError):
        raise UserError(f"{path.name} has damaged GeoParquet metadata; write it again") from None
    # The specification reads a missing `crs` as WGS84; a file without one is as often metres: never guessed.
    if column.get("crs") is None and not crs_text:
        raise CrsNeeded(
            path.name,
            f"{path.name} has no coordinate reference system in its GeoParquet metadata, "
            "and the importer never guesses one",
            example="EPSG:4326",
        )
    return column, meta.num_rows


def _read_parquet(
    path: Path, bbox, limits: Limits, crs_text: str | None = None, columns=None, filters=None
) -> gpd.GeoDataFrame:
    column, _ = geoparquet_column(path, limits, crs_text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                gdf = (
                    gpd.read_parquet(path, bbox=bbox, columns=columns)
                    if bbox
                    else gpd.read_parquet(path, columns=columns, filters=filters)
                )
            except ValueError as exc:
                if "bbox" not in str(exc):
                    raise
                gdf = gpd.read_parquet(path, columns=columns)  # no bbox covering: read all, clip later
    except shapely.errors.GEOSException as exc:
        raise UserError(
            f"{path.name} holds geometry that cannot be built ({_gdal_msg(exc)}); fix or remove that feature"
        ) from None
    except Exception as exc:  # damaged pages, bad WKB, ...
        raise UserError(f"{path.name} could not be read as GeoParquet ({_gdal_msg(exc)})") from None
    if crs_text and (gdf.crs is None or column.get("crs") is None):
        gdf = gdf.set_crs(parse_crs(crs_text), allow_override=True)
    return gdf
