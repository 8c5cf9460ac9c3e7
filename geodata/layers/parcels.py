"""Imported parcels as sites: their ids ("<layer>:<feature_id>") and their rows shaped like catalog sites."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geodata.geometry import WGS84
from geodata.layers.store import LayerInfo, label_column
from geodata.problems import UserError
from geodata.storage import LayerBackend
from geodata.values import is_missing

SEPARATOR = ":"  # a parcel's site id is "<layer>:<feature_id>"


def split_site_id(site_id: str) -> tuple[str, str] | None:
    """("layer", "feature_id") for a parcel's site id, None for a catalog site id."""
    if SEPARATOR not in site_id:
        return None
    layer, fid = site_id.split(SEPARATOR, 1)
    return layer, fid


def parcel_sites(store: LayerBackend, site_ids: list[str]) -> gpd.GeoDataFrame:
    """Imported parcels named by site id, shaped like catalog sites for shortlists and exports."""
    wanted: dict[str, list[str]] = {}
    for sid in site_ids:
        parts = split_site_id(sid)
        if parts:
            wanted.setdefault(parts[0], []).append(parts[1])
    rows = []
    for layer, fids in wanted.items():
        try:
            info = store.get(layer)
        except UserError:
            continue
        gdf = store.features(info, fids)
        label = label_column(gdf)
        for _, r in gdf.iterrows():
            rows.append(_as_site(layer, r, label, info))
    columns = [
        "id",
        "name",
        "role",
        "phase",
        "status",
        "as_of",
        "agency",
        "state",
        "reported_acres",
        "geometry_quality",
        "sources",
        "provenance",
        "geometry",
    ]
    if not rows:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=WGS84)
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=WGS84)


def _as_site(layer: str, r: pd.Series, label: str, info: LayerInfo) -> dict:
    authoritative = "manager_type" in r.index or "ADMIN_AGENCY_CODE" in r.index
    acres = r.get("gis_acres")
    source = r.get("source_file") or info.path.name
    return {
        "id": f"{layer}{SEPARATOR}{r['feature_id']}",
        "name": str(r[label]),
        "role": "candidate",
        "phase": None,
        "status": None,
        "as_of": None,
        "agency": r.get("manager") or r.get("ADMIN_AGENCY_CODE"),
        "state": r.get("state") or r.get("ADMIN_ST"),
        "reported_acres": float(acres) if not is_missing(acres) else None,
        "geometry_quality": "authoritative" if authoritative else "reported",
        "sources": [],
        "provenance": f"imported layer {layer} (from {source})",
        "geometry": r.geometry,
    }
