"""Realistic synthetic federal parcels for benchmarks.

Irregular polygons of federal-land sizes (log-normal acreage around a
640-acre section, from 40 acres to about 200,000), clustered like real
holdings: most land in a few dozen western clusters, fewer elsewhere.
Built in EPSG:5070 (so sizes are true acres), returned in WGS84.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

VERTICES = 24
# (west, south, east, north, share of parcels): the West holds most federal land
REGIONS = [
    (-121.0, 35.0, -114.0, 42.0, 0.22),
    (-114.8, 31.3, -109.0, 37.0, 0.10),
    (-114.0, 37.0, -109.0, 42.0, 0.16),
    (-109.0, 31.5, -103.0, 37.0, 0.10),
    (-117.0, 42.0, -104.0, 49.0, 0.24),
    (-124.0, 42.0, -117.0, 49.0, 0.10),
    (-104.0, 30.0, -80.0, 45.0, 0.08),
]
MANAGERS = ["BLM"] * 55 + ["USFS"] * 25 + ["DOD"] * 6 + ["FWS"] * 6 + ["NPS"] * 5 + ["USBR"] * 3


def parcels(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    to_albers = Transformer.from_crs(4326, 5070, always_xy=True)
    to_wgs = Transformer.from_crs(5070, 4326, always_xy=True)
    shares = np.array([r[4] for r in REGIONS])
    region = rng.choice(len(REGIONS), size=n, p=shares / shares.sum())
    n_clusters = max(8, n // 300)
    c_region = rng.choice(len(REGIONS), size=n_clusters, p=shares / shares.sum())
    cx = np.empty(n_clusters)
    cy = np.empty(n_clusters)
    for k, r in enumerate(c_region):
        w, s, e, nn, _ = REGIONS[r]
        cx[k], cy[k] = rng.uniform(w, e), rng.uniform(s, nn)
    cluster = np.array([rng.choice(np.flatnonzero(c_region == r)) if (c_region == r).any() else 0 for r in region])
    spread = rng.uniform(0.15, 0.8, n_clusters)[cluster]
    lon = cx[cluster] + rng.normal(0, spread)
    lat = cy[cluster] + rng.normal(0, spread * 0.7)
    x, y = to_albers.transform(lon, lat)
    acres = np.clip(rng.lognormal(np.log(640), 1.3, n), 40, 200_000)
    radius = np.sqrt(acres * 4046.8564224 / np.pi)
    angles = np.sort(rng.uniform(0, 2 * np.pi, (n, VERTICES)), axis=1)
    wobble = rng.uniform(0.55, 1.45, (n, VERTICES))
    px = x[:, None] + radius[:, None] * wobble * np.cos(angles)
    py = y[:, None] + radius[:, None] * wobble * np.sin(angles)
    lon2, lat2 = to_wgs.transform(px.ravel(), py.ravel())
    ring = np.stack([lon2.reshape(n, VERTICES), lat2.reshape(n, VERTICES)], axis=2)
    ring = np.concatenate([ring, ring[:, :1]], axis=1)
    geoms = shapely.polygons(ring)
    geoms = np.where(shapely.is_valid(geoms), geoms, shapely.make_valid(geoms))
    geoms = np.array(
        [g if g.geom_type in ("Polygon", "MultiPolygon") else shapely.convex_hull(g) for g in geoms], dtype=object
    )
    managers = rng.choice(MANAGERS, size=n)
    return gpd.GeoDataFrame(
        {
            "feature_id": [f"bench-{i + 1}" for i in range(n)],
            "unit_name": [f"Parcel {i + 1} ({m})" for i, m in enumerate(managers)],
            "manager": managers,
            "gis_acres": np.round(acres, 1),
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
