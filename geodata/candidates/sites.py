"""Sites from outside the catalog named by shortlist ids: imported parcels and the user's own candidates."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geodata.geometry import WGS84
from geodata.layers.parcels import parcel_sites
from geodata.storage import CandidateBackend, LayerBackend


def user_sites(layers: LayerBackend, candidates: CandidateBackend, site_ids: list[str]) -> gpd.GeoDataFrame:
    """Imported parcels and user candidate sites named by `site_ids`, shaped like catalog sites."""
    parts = [f for f in (parcel_sites(layers, site_ids), candidates.sites(site_ids)) if not f.empty]
    if not parts:
        return parcel_sites(layers, [])
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=WGS84)


def with_candidates(sites: gpd.GeoDataFrame, candidates: CandidateBackend, filters=None) -> gpd.GeoDataFrame:
    """Catalog sites plus the user's candidate sites (inside the area filter, when one is set), for scoring."""
    mine = candidates.sites()
    area = getattr(filters, "area", None)
    if area is not None and not mine.empty:
        mine = mine[mine.geometry.intersects(area.polygon)]
    if mine.empty:
        return sites
    return gpd.GeoDataFrame(pd.concat([sites, mine], ignore_index=True), geometry="geometry", crs=WGS84)
