"""Bring imported features to WGS84, repair invalid geometry, and say what changed.

Repairs use shapely.make_valid (method "structure": shells and holes are
treated as such); where polygons are needed, only the polygonal parts of a
repaired geometry are kept and a feature with none left is dropped. Every
repair and drop is counted, with GEOS's reason, in the ImportReport.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box

from geodata.geometry import WGS84
from geodata.problems import CrsNeeded, UserError

POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass
class ImportReport:
    source: str = ""
    read: int = 0
    kept: int = 0
    filters: list[str] = field(default_factory=list)
    repaired: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    source_crs: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        crs = f" ({self.source_crs})" if self.source_crs else ""
        out = [f"read {self.read:,} feature(s) from {self.source}{crs}"]
        out += [f"kept {f}" for f in self.filters]
        if self.repaired:
            reasons = ", ".join(f"{n:,} {r}" for r, n in self.repaired.most_common())
            n = sum(self.repaired.values())
            out.append(f"repaired {n:,} invalid geometr{'y' if n == 1 else 'ies'} ({reasons})")
        if self.dropped:
            reasons = ", ".join(f"{n:,} {r}" for r, n in self.dropped.most_common())
            out.append(f"dropped {sum(self.dropped.values()):,} feature(s): {reasons}")
        out += self.notes
        return out


def _reason_kind(reason: str) -> str:
    return reason.split("[")[0].strip() or "invalid"


def _polygonal_part(geom) -> Polygon | MultiPolygon | None:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in POLYGONAL:
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in POLYGONAL and not g.is_empty]
    polys = [p for g in parts for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def check_ranges(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Geographic coordinates must be degrees; catches projected data labelled as WGS84."""
    if gdf.crs is None or not gdf.crs.is_geographic or gdf.empty:
        return
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (
        np.isfinite([minx, miny, maxx, maxy]).all() and minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90
    ):
        raise CrsNeeded(
            name,
            f"{name} has coordinates out of range for {gdf.crs.name} (x {minx:,.0f} to {maxx:,.0f}, "
            f"y {miny:,.0f} to {maxy:,.0f}): they are probably projected metres or feet labelled as degrees",
            wrong=True,
        )


def check_finite(gdf: gpd.GeoDataFrame, name: str) -> None:
    """NaN or infinite coordinates have no place on a map, and break every measure taken of them."""
    geoms = gdf.geometry.values
    coords = shapely.get_coordinates(geoms)
    if np.isfinite(coords).all():
        return
    bad = [i for i, g in enumerate(geoms) if g is not None and not np.isfinite(shapely.get_coordinates(g)).all()]
    raise UserError(
        f"{name}: feature {bad[0] + 1}{f' and {len(bad) - 1:,} more' if len(bad) > 1 else ''} "
        "has a NaN or infinite coordinate; fix or remove it and import again"
    )


def _wrapped(geom):
    """A geometry that crossed the antimeridian when projected to degrees, cut in two at 180°.

    Reprojected, a parcel straddling 180° has corners at +179.9 and -179.9 and would be
    drawn (and measured) 359.8° wide; shifted east by 360° where negative, it is small again.
    """
    shifted = shapely.transform(
        geom, lambda c: np.column_stack([np.where(c[:, 0] < 0, c[:, 0] + 360, c[:, 0]), c[:, 1]])
    )
    x0, _, x1, _ = shifted.bounds
    if x1 - x0 >= 180:
        return None  # really that wide: leave it
    east = shifted.intersection(box(-180, -90, 180, 90))
    west = shapely.affinity.translate(shifted.intersection(box(180, -90, 540, 90)), -360)
    parts = [p for g in (east, west) if not g.is_empty for p in getattr(g, "geoms", [g])]
    return shapely.union_all(parts) if parts else None


def split_antimeridian(gdf: gpd.GeoDataFrame, report: ImportReport) -> gpd.GeoDataFrame:
    bounds = gdf.geometry.bounds
    wide = (bounds["maxx"] - bounds["minx"]) > 180
    if not wide.any():
        return gdf
    gdf = gdf.copy()
    split = 0
    for i in np.flatnonzero(wide.to_numpy()):
        fixed = _wrapped(gdf.geometry.iloc[i])
        if fixed is not None:
            gdf.iloc[i, gdf.columns.get_loc(gdf.geometry.name)] = fixed
            split += 1
    if split:
        report.notes.append(f"split {split:,} feature(s) that cross the antimeridian (180°) in two")
    return gdf


def prepare(
    gdf: gpd.GeoDataFrame, name: str, polygons_only: bool, report: ImportReport, whole: bool = True
) -> gpd.GeoDataFrame:
    """WGS84, valid, (polygonal); updates `report`. `whole=False`: one batch of a layer, which may come out empty
    (the caller judges the layer once every batch is done)."""
    report.read = report.read or len(gdf)
    report.source_crs = report.source_crs or (gdf.crs.to_string() if gdf.crs is not None else "")
    given = len(gdf)
    values = gdf.geometry.values
    gdf = gdf[~shapely.is_missing(values) & ~shapely.is_empty(values)].copy() if given else gdf
    missing = given - len(gdf)
    if missing:
        report.dropped["without geometry"] += missing
    check_finite(gdf, name)
    check_ranges(gdf, name)
    if gdf.crs is not None and not gdf.crs.equals(WGS84):
        projected = not gdf.crs.is_geographic
        gdf = gdf.to_crs(WGS84)
        check_finite(gdf, name)  # a point outside the projection's domain comes back as infinity
        if projected:
            gdf = split_antimeridian(gdf, report)
    check_ranges(gdf, name)
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        for reason in shapely.is_valid_reason(geoms[invalid]):
            report.repaired[_reason_kind(reason)] += 1
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        geoms = geoms.copy()
        geoms[invalid] = fixed
    if polygons_only:
        kinds = shapely.get_type_id(geoms)
        wrong = ~np.isin(kinds, (3, 6))  # 3 Polygon, 6 MultiPolygon
        if wrong.all() and len(geoms) and whole:
            found = Counter(g.geom_type for g in geoms)
            raise UserError(
                f"{name} holds no polygons ({', '.join(f'{n:,} {t}' for t, n in found.items())}); "
                "land parcels must be polygons"
            )
        for i in np.flatnonzero(wrong):
            geoms[i] = _polygonal_part(geoms[i])
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=WGS84))
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        report.dropped["with no polygonal part left after repair" if polygons_only else "empty after repair"] += int(
            empty.sum()
        )
        gdf = gdf[~empty]
    report.kept = len(gdf)
    if gdf.empty and whole:
        raise UserError(f"no features left to import from {name} ({'; '.join(report.lines()[1:]) or 'empty'})")
    return gdf
