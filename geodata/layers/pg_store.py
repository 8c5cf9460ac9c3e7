"""Imported layers in the shared PostGIS database: loaded with COPY, served view by view in SQL.

Each layer is one table (layer_<n>) listed in `layers`: the feature id, its
area (the "largest first" order of a capped view), its label, the tooltip
columns, every attribute (JSON), the geometry with a GiST index, and the
per-zoom simplified geometry the file backend keeps (geom_z<band>, computed
by the same code). A load takes the importers' batches (Arrow tables, straight
from `geodata import file --to db`, or read from a layer file) through COPY
inside one transaction: an interrupted import leaves no table and no entry
behind.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from geodata.db import schema
from geodata.db.connect import connect, describe, transaction
from geodata.geometry import WGS84
from geodata.layers.index import PRECOMPUTED_BANDS, ViewSlice, _band, _decimals, band_column, simplify_for_band
from geodata.layers.parcels import SEPARATOR
from geodata.layers.store import LABEL_COLUMNS, LayerInfo, layer_slug, read_layer, tooltip_columns
from geodata.problems import UserError
from geodata.values import is_missing

BATCH_ROWS = 5_000  # rows per COPY write: the text of these rows is built in memory (~15 MB)
CACHE_FEATURES = 400_000  # per zoom band, per open layer: GeoJSON strings of features already drawn
BAND_COLUMNS = [band_column(b) for b in PRECOMPUTED_BANDS]


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json_default(v):
    if isinstance(v, datetime | date | pd.Timestamp):
        return v.isoformat()
    return str(v)


def _json_ready(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column whose values json.dumps writes as a database accepts them: no NaN or infinity (null instead)."""
    if pa.types.is_floating(column.type):
        return pc.if_else(pc.is_finite(column), column, pa.scalar(None, column.type))
    return column


def _wkb_hex(column: pa.ChunkedArray) -> list[str | None]:
    """WKB as COPY's text form of a geometry (hex)."""
    return [None if b is None else b.hex() for b in column.to_pylist()]


def _copy_lines(batch: pa.Table, start: int, attrs: list[str], fields: list[str], label: str) -> list[str]:
    """COPY text lines of one batch of a layer: numbered from `start`, missing geometry left out."""
    geometry = batch.column("geometry")
    if geometry.null_count:
        batch = batch.filter(pc.is_valid(geometry))
    if not batch.num_rows:
        return []
    geoms = shapely.from_wkb(batch.column("geometry").to_numpy())
    areas = shapely.area(geoms).tolist()
    band_hex = []
    for b, c in zip(PRECOMPUTED_BANDS, BAND_COLUMNS, strict=True):
        band_hex.append(_wkb_hex(batch.column(c)) if c in batch.column_names else _hex_of(simplify_for_band(geoms, b)))
    hexes = _wkb_hex(batch.column("geometry"))
    ids = [str(v) for v in batch.column("feature_id").to_pylist()]
    labels = batch.column(label).to_pylist() if label in batch.column_names else ids
    rows = pa.table({c: _json_ready(batch.column(c)) for c in attrs}).to_pylist() if attrs else [{}] * len(ids)
    lines = []
    for i, props in enumerate(rows):
        tip = {c: props[c] for c in fields if props.get(c) is not None}
        lines.append(
            "\t".join(
                [
                    str(start + i),
                    _copy_text(ids[i]),
                    repr(areas[i]),
                    _copy_text(None if is_missing(labels[i]) else labels[i]),
                    _copy_text(json.dumps(tip, default=_json_default)),
                    _copy_text(json.dumps(props, default=_json_default)),
                    hexes[i],
                    *(bh[i] for bh in band_hex),
                ]
            )
        )
    return lines


def _hex_of(geoms: np.ndarray) -> list[str]:
    return shapely.to_wkb(geoms, hex=True).tolist()


def _file_tables(path: Path) -> Iterator[pa.Table]:
    """A stored layer file as the Arrow batches load_tables takes: the importers' GeoParquet read as it is,
    anything else read through read_layer (ids added, WGS84)."""
    if path.suffix == ".parquet":
        pf = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)  # pages read as used
        geo = json.loads((pf.metadata.metadata or {}).get(b"geo", b"{}"))
        column = geo.get("columns", {}).get("geometry", {})
        wgs84 = column.get("crs") is not None and CRS.from_user_input(column["crs"]).equals(
            WGS84, ignore_axis_order=True
        )
        if "feature_id" in pf.schema_arrow.names and column.get("encoding") == "WKB" and wgs84:
            for batch in pf.iter_batches(batch_size=BATCH_ROWS):
                yield pa.Table.from_batches([batch])
            return
    frame = read_layer(path, with_bands=False)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    for i in range(0, len(frame), BATCH_ROWS):
        part = frame.iloc[i : i + BATCH_ROWS]
        table = pa.Table.from_pandas(part.drop(columns=part.geometry.name), preserve_index=False)
        yield table.append_column("geometry", pa.array(shapely.to_wkb(part.geometry.values), pa.binary()))


class PgLayerStore:
    """The imported layers of one PostGIS database (GEODATA_DATABASE_URL)."""

    backend = "postgis"

    def __init__(self, url: str):
        self.url = url
        self.dir = describe(url)  # what messages name: never the password
        schema.require_current(url)

    # ------------------------------------------------------------ listing

    def list(self) -> list[LayerInfo]:
        with connect(self.url) as con:
            rows = con.execute(
                "SELECT l.name, pg_total_relation_size(to_regclass(l.table_name)), l.imported_ns "
                "FROM layers l WHERE l.kind = 'layer' ORDER BY l.name"
            ).fetchall()
        return [LayerInfo(name, Path(name), size or 0, ns, backend=self.backend) for name, size, ns in rows]

    def ignored(self) -> list[str]:
        return []

    def get(self, name: str) -> LayerInfo:
        for info in self.list():
            if info.name == name:
                return info
        raise UserError(f"no imported layer named {name!r} in the database {self.dir}")

    def _meta(self, con, name: str) -> tuple[str, str, list[str], list[str], int]:
        row = con.execute(
            "SELECT table_name, label_column, fields_json, columns_json, features FROM layers WHERE name = %s", (name,)
        ).fetchone()
        if row is None:
            raise UserError(f"no imported layer named {name!r} in the database {self.dir}")
        return row[0], row[1], json.loads(row[2]), json.loads(row[3]), row[4]

    def target(self, name: str) -> Path:
        raise UserError("layers in the database are written with save(), not to a file")

    # ------------------------------------------------------------ writing

    def save(self, name: str, write: Callable[[Path], object]) -> tuple[str, object]:
        """A new layer: `write(path)` produces its GeoParquet (the importers'), which is then loaded here."""
        import tempfile

        slug = layer_slug(name)
        self.refuse_existing(slug)
        with tempfile.TemporaryDirectory(prefix="geodata-db-import-") as tmp:
            path = Path(tmp) / f"{slug}.parquet"
            result = write(path)
            self.load(slug, path)
        return slug, result

    def refuse_existing(self, slug: str) -> None:
        with connect(self.url) as con:
            if con.execute("SELECT 1 FROM layers WHERE name = %s", (slug,)).fetchone():
                raise UserError(f"a layer named {slug!r} already exists; delete it first or choose another name")

    def load(self, name: str, path: Path, kind: str = "layer", source: str = "", replace: bool = False) -> int:
        """Load a stored layer file (GeoParquet with per-zoom geometry, or any layer file) in one transaction.

        `replace` swaps out a layer of that name in the same transaction (a re-imported reference layer):
        until the new one is complete, the old one is what everybody sees.
        """
        return self.load_tables(name, _file_tables(path), kind=kind, source=source or path.name, replace=replace)

    def load_tables(
        self, name: str, tables: Iterator[pa.Table], kind: str = "layer", source: str = "", replace: bool = False
    ) -> int:
        """Load a layer given as Arrow tables (the importers' batches: feature_id, attributes, WKB geometry and,
        if computed, the per-zoom geometry) through COPY, in one transaction; the number of features."""
        slug = layer_slug(name)
        tables = iter(tables)
        head = next(tables, None)  # the first batch names the label and the tooltip columns, as for the files
        names = head.column_names if head is not None else ["feature_id", "geometry"]
        attrs = [c for c in names if c not in ("geometry", "feature_id", "bbox") and c not in BAND_COLUMNS]
        fields = tooltip_columns(pd.DataFrame(columns=[c for c in names if c != "bbox"]))
        label = next(
            (c for c in LABEL_COLUMNS if c in names and head.column(c).null_count < head.num_rows), "feature_id"
        )
        with transaction(self.url) as con:
            con.execute("SELECT pg_advisory_xact_lock(727276)")
            old = con.execute("SELECT table_name FROM layers WHERE name = %s", (slug,)).fetchone()
            if old and not replace:
                raise UserError(f"a layer named {slug!r} already exists; delete it first or choose another name")
            if old:
                con.execute("DELETE FROM layers WHERE name = %s", (slug,))
                con.execute(f"DROP TABLE IF EXISTS {old[0]}, {old[0]}_box")
            table = "layer_" + str(con.execute("SELECT nextval('layer_tables')").fetchone()[0])
            # typed columns: WKB without an SRID is stored as WGS84 (the importers' CRS)
            bands = ", ".join(f"{c} geometry(Geometry, 4326)" for c in BAND_COLUMNS)
            con.execute(
                f"CREATE TABLE {table} (n BIGINT PRIMARY KEY, feature_id TEXT NOT NULL, area DOUBLE PRECISION, "
                f"label TEXT, tip TEXT, props JSONB, geom geometry(Geometry, 4326) NOT NULL, {bands})"
            )
            n = 0
            cols = ["n", "feature_id", "area", "label", "tip", "props", "geom", *BAND_COLUMNS]
            with con.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for batch in itertools.chain([head] if head is not None else [], tables):
                    for part in batch.to_batches(max_chunksize=BATCH_ROWS):
                        lines = _copy_lines(pa.Table.from_batches([part]), n, attrs, fields, label)
                        n += len(lines)
                        if lines:
                            copy.write(("\n".join(lines) + "\n").encode("utf-8"))
            con.execute(f"CREATE INDEX {table}_geom ON {table} USING gist (geom)")
            con.execute(f"CREATE INDEX {table}_fid ON {table} (feature_id)")
            # what a view scans: a narrow table of boxes and areas (a page holds ~60 rows instead of ~3)
            con.execute(f"CREATE TABLE {table}_box AS SELECT n, area, ST_Envelope(geom) AS box FROM {table}")
            con.execute(f"CREATE INDEX {table}_box_gist ON {table}_box USING gist (box)")
            # largest first: a view holding most of the layer walks this until the cap is met, no sort
            con.execute(f"CREATE INDEX {table}_box_area ON {table}_box (area DESC, n)")
            con.execute(
                "INSERT INTO layers (name, kind, table_name, source, features, label_column, fields_json, "
                "columns_json, imported_ns) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    slug,
                    kind,
                    table,
                    source,
                    n,
                    label,
                    json.dumps(fields),
                    json.dumps(attrs),
                    time.time_ns(),
                ),
            )
        with connect(self.url) as con:
            con.execute(f"ANALYZE {table}")
            con.execute(f"ANALYZE {table}_box")
        return n

    def delete(self, name: str) -> None:
        with transaction(self.url) as con:
            table = self._meta(con, name)[0]
            con.execute("DELETE FROM layers WHERE name = %s", (name,))
            con.execute(f"DROP TABLE IF EXISTS {table}, {table}_box")

    # ------------------------------------------------------------ reading

    def _frame(self, name: str, where: str = "", params: tuple = ()) -> gpd.GeoDataFrame:
        with connect(self.url) as con:
            table, _, _, attrs, _ = self._meta(con, name)
            rows = con.execute(
                f"SELECT feature_id, props::text, ST_AsBinary(geom) FROM {table} {where} ORDER BY n", params
            ).fetchall()
        props = pd.DataFrame([json.loads(r[1]) for r in rows], columns=attrs)
        props.insert(0, "feature_id", [r[0] for r in rows])
        geoms = shapely.from_wkb([bytes(r[2]) for r in rows]) if rows else []
        return gpd.GeoDataFrame(props, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)

    def reference(self, key: str) -> gpd.GeoDataFrame | None:
        """An imported reference layer (interstates, transmission, substations, power_plants), or None."""
        with connect(self.url) as con:
            found = con.execute("SELECT 1 FROM layers WHERE name = %s AND kind = 'reference'", (f"ref-{key}",))
            if found.fetchone() is None:
                return None
        return self._frame(f"ref-{key}")

    def save_reference(self, key: str, write: Callable[[Path], object]) -> object:
        """Write a reference layer (through the importers' GeoParquet), replacing the previous one atomically."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="geodata-db-ref-") as tmp:
            path = Path(tmp) / f"{key}.parquet"
            result = write(path)
            self.load(f"ref-{key}", path, kind="reference", replace=True)
        return result

    def read(self, info: LayerInfo) -> gpd.GeoDataFrame:
        return self._frame(info.name)

    def features(self, info: LayerInfo, feature_ids: list[str]) -> gpd.GeoDataFrame:
        return self._frame(info.name, "WHERE feature_id = ANY(%s)", ([str(f) for f in feature_ids],))

    def open_index(self, info: LayerInfo, value: Callable[[object], str] = str) -> PgLayerIndex:
        return PgLayerIndex(self.url, info.name, value)


class PgLayerIndex:
    """LayerIndex's `view` answered by the database: what is in the box, largest first, capped, counted."""

    def __init__(self, url: str, name: str, value: Callable[[object], str] = str):
        self.url, self.name, self._value = url, name, value
        with connect(url) as con:
            row = con.execute(
                "SELECT table_name, fields_json, features FROM layers WHERE name = %s", (name,)
            ).fetchone()
        if row is None:
            raise UserError(f"no imported layer named {name!r} in the database {describe(url)}")
        self.table, self.fields, self.count = row[0], json.loads(row[1]), row[2]
        self._keys = {c: json.dumps(value(c)) for c in self.fields}
        self._cache: dict[int, dict[int, str]] = {}  # band -> feature number -> its GeoJSON Feature

    def __len__(self) -> int:
        return self.count

    def bounds(self) -> tuple[float, float, float, float]:
        with connect(self.url) as con:
            b = con.execute(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                f"FROM (SELECT ST_Extent(geom) e FROM {self.table}) x"
            ).fetchone()
        return tuple(float(v) for v in b)

    def view(
        self, bounds: tuple[float, float, float, float], zoom: float, cap: int | None = None, within=None
    ) -> ViewSlice:
        """Two queries: which features (the narrow box table, largest first, capped, counted), then the
        geometry and tooltip of those not drawn before at this zoom band (kept, as LayerIndex keeps them)."""
        from geodata import settings

        cap = settings.max_view_features() if cap is None else cap
        band = _band(zoom)
        column = band_column(band) if band in PRECOMPUTED_BANDS else "geom"
        w, s, e, n = (float(v) for v in bounds)
        cache = self._cache.setdefault(band, {})
        with connect(self.url) as con:
            area_clause, params = "", [w, s, e, n]
            if within is not None:  # the area filter: only parcels that meet the drawn shape
                area_clause = (
                    f" AND EXISTS (SELECT 1 FROM {self.table} t WHERE t.n = b.n"
                    " AND ST_Intersects(t.geom, ST_GeomFromText(%s, 4326)))"
                )
                params.append(within.wkt)
            # the largest `cap` (a top-N, or a walk down the area index), then the count only when capped:
            # one query with count(*) OVER () sorted every box in view (660,000 at a state view of 1M, on disk)
            where = f"FROM {self.table}_box b WHERE b.box && ST_MakeEnvelope(%s, %s, %s, %s, 4326){area_clause}"
            hits = con.execute(f"SELECT b.n {where} ORDER BY b.area DESC, b.n LIMIT %s", (*params, cap)).fetchall()
            total = len(hits) if len(hits) < cap else con.execute(f"SELECT count(*) {where}", params).fetchone()[0]
            ids = sorted(h[0] for h in hits)
            todo = [i for i in ids if i not in cache]
            if todo:
                rows = con.execute(
                    f"SELECT n, feature_id, label, tip, ST_AsGeoJSON({column}, %s) FROM {self.table} WHERE n = ANY(%s)",
                    (_decimals(band), todo),
                ).fetchall()
                if len(cache) + len(rows) > CACHE_FEATURES:
                    cache.clear()
                for i, fid, label, tip, geometry in rows:
                    cache[i] = (
                        f'{{"type":"Feature","properties":{self._properties(fid, label, tip)},"geometry":{geometry}}}'
                    )
        feats = [cache[i] for i in ids if i in cache]
        return ViewSlice('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}", len(feats), total)

    def _properties(self, fid: str, label, tip: str | None) -> str:
        value = self._value
        parts = [
            f'"id":{json.dumps(f"{self.name}{SEPARATOR}{fid}")}',
            f'"label":{json.dumps(value(label if label is not None else fid))}',
        ]
        tips = json.loads(tip) if tip else {}
        parts += [f"{self._keys[k]}:{json.dumps(value(tips[k]))}" for k in self.fields if k in tips]
        return "{" + ",".join(parts) + "}"
