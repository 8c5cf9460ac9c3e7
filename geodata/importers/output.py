"""Write an imported layer; the extension of the output path picks the format.

`.parquet` is GeoParquet with a bbox covering column (what the app reads
fastest: row groups can be skipped by bounding box) and the geometry already
simplified for each zoom band of the map (geom_z<band> columns, WKB). The
file appears only when it is complete.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from geodata.export.formats import atomic_path
from geodata.layers.index import with_precomputed_bands
from geodata.layers.store import LayerStore
from geodata.problems import UserError

FORMATS = {
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".fgb": "FlatGeobuf",
}


def output_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UserError(f"cannot tell the output format from {path.name!r}; use one of {', '.join(sorted(FORMATS))}")
    return fmt


def _layers_folder(path: Path) -> None:
    layers = LayerStore().dir
    if path.parent.absolute() == layers.absolute():  # the documented target works on a fresh data folder
        try:
            layers.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create the layers folder {layers}: {exc.strerror}") from None


def write_parquet_layer(batches, path: str | Path) -> int:
    """Write a layer given as Arrow batches (geodata.importers.stream) as GeoParquet; rows written."""
    from geodata.importers.stream import write_streamed

    path = Path(path)
    _layers_folder(path)
    with atomic_path(path, path.suffix) as tmp:
        return write_streamed(batches, Path(tmp))


def write_layer(gdf: gpd.GeoDataFrame, path: str | Path, layer: str = "parcels") -> str:
    path = Path(path)
    fmt = output_format(path)
    _layers_folder(path)
    with atomic_path(path, path.suffix) as tmp:
        if fmt == "GeoParquet":  # with the app's per-zoom simplified geometry precomputed
            with_precomputed_bands(gdf).to_parquet(tmp, write_covering_bbox=True, index=False)
        else:
            pyogrio.write_dataframe(
                gdf, tmp, driver=fmt, layer=layer, **({"layer_options": {"RFC7946": "YES"}} if fmt == "GeoJSON" else {})
            )
    return fmt
