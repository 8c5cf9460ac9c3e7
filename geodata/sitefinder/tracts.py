"""The geometry of tract finding, in EPSG:5070 metres: merging touching parcels, cutting out exclusions, widths.

Touching parcels are merged one connected group at a time (an STRtree finds the
pairs, label propagation finds the groups), never by dissolving the whole layer:
a group's union touches only its own parcels, so the work grows with the
parcels rather than with the size of one giant union.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

from geodata.geometry import EQUAL_AREA, WGS84, reproject
from geodata.scoring.proximity import local_transformer

_from_albers = Transformer.from_crs(EQUAL_AREA, WGS84, always_xy=True)


def groups(geoms: np.ndarray) -> list[np.ndarray]:
    """Indices of `geoms` in groups of parcels connected by touching or overlapping, largest index order kept."""
    n = len(geoms)
    if n == 0:
        return []
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left != right
    left, right = left[keep], right[keep]
    labels = np.arange(n)
    while True:
        low = np.minimum(labels[left], labels[right])
        new = labels.copy()
        np.minimum.at(new, left, low)
        np.minimum.at(new, right, low)
        new = new[new]  # pointer jumping: a chain of n parcels settles in log n rounds
        if np.array_equal(new, labels):
            break
        labels = new
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(order, cuts)


def merge(geoms: np.ndarray, members: np.ndarray) -> shapely.Geometry:
    if len(members) == 1:
        return geoms[members[0]]
    return shapely.union_all(geoms[members])


def polygon_parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    """The polygons of a geometry (a cut can leave several, and slivers of other types)."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]


class Exclusions:
    """Areas a tract may not use, buffered once and indexed (EPSG:5070)."""

    def __init__(self, geoms: list[shapely.Geometry], buffer_m: float = 0.0):
        geoms = [g for g in geoms if g is not None and not g.is_empty]
        arr = np.array(geoms, dtype=object)
        if buffer_m > 0 and len(arr):
            arr = shapely.buffer(arr, buffer_m, quad_segs=8)
        self.geoms = arr
        self.tree = shapely.STRtree(arr) if len(arr) else None

    def cut(self, tract: shapely.Geometry) -> tuple[shapely.Geometry, bool]:
        """The tract less any exclusion, and whether anything was taken away."""
        if self.tree is None:
            return tract, False
        hits = self.tree.query(tract, predicate="intersects")
        if not len(hits):
            return tract, False
        return tract.difference(shapely.union_all(self.geoms[hits])), True


def to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    return reproject(geom, _from_albers)


def inscribed_width_m(wgs: shapely.Geometry) -> float:
    """Diameter of the largest circle inside the polygon, in metres measured in a CRS centred on it."""
    local = reproject(wgs, local_transformer(wgs))
    bounds = local.bounds
    # a tolerance relative to the tract's size: exact to well under 1 % of any width that matters
    tolerance = max(0.5, max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / 2000)
    radius_line = shapely.maximum_inscribed_circle(local, tolerance)
    return 2.0 * radius_line.length
