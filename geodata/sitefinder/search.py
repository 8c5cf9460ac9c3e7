"""`find`: candidate tracts in a land layer, from the kept parcels to a ranked list with reasons.

Steps, each counted so an empty result can say where everything went:
keep the parcels whose FIELD holds one of the chosen values; merge touching
parcels into tracts; cut out exclusion areas (optionally buffered), which can
split a tract into parts; keep parts of at least `min_acres` (EPSG:5070
equal-area) whose largest inscribed circle is at least `min_width_m` across
(measured in a CRS centred on the part); keep those within the asked distance
of an interstate, transmission or a metro; rank them with the scoring's
criteria and weights, as candidate sites on federal land.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from geodata import storage
from geodata.catalog.load import Catalog
from geodata.geometry import EQUAL_AREA, SQ_METRES_PER_ACRE, WGS84, round_geometry
from geodata.importers.limits import Limits
from geodata.importers.readers import read_any
from geodata.problems import InvalidValue, LimitExceeded, UserError
from geodata.scoring import reference as reference_layers
from geodata.scoring.score import DEFAULT_WEIGHTS, Ranking, _nearest, _Probe, score_sites
from geodata.sitefinder.tracts import Exclusions, groups, inscribed_width_m, merge, polygon_parts, to_wgs84

# What `near` can measure, and the reference layer each reads.
NEAR = {"interstate": "interstate", "transmission": "transmission", "metro": "metro", "power": "power"}
NEAR_WORDS = {
    "interstate": "an interstate",
    "transmission": "transmission",
    "metro": "a metro",
    "power": "a power plant",
}
# More kept parcels than this is a search of a whole continent's layer: narrow it first.
MAX_PARCELS = 1_000_000
ID_COLUMNS = ("feature_id", "id", "OBJECTID", "objectid", "FID")


@dataclass(frozen=True)
class Keep:
    field: str
    values: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.field}={','.join(self.values)}"


def parse_keep(text: str) -> Keep:
    """`Mang_Name=BLM,USFS` -> Keep; values are compared without regard to case."""
    name, sep, values = (text or "").partition("=")
    items = tuple(v.strip() for v in values.split(",") if v.strip())
    if not sep or not name.strip() or not items:
        raise InvalidValue("keep", text, f"{text!r} is not FIELD=VALUE[,VALUE...] (e.g. Mang_Name=BLM)")
    return Keep(name.strip(), items)


def parse_near(text: str | None) -> dict[str, float]:
    """`interstate=10,transmission=5` -> {criterion: km}."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in (text or "").split(",") if p.strip()):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in NEAR:
            raise InvalidValue("near", text, f"{part!r} is not NAME=KM with NAME one of {', '.join(NEAR)}")
        try:
            km = float(value)
        except ValueError:
            raise InvalidValue("near", text, f"{name}={value.strip()!r} is not a number of km") from None
        if not km > 0 or km > 5000:
            raise InvalidValue("near", text, f"{name} must be more than 0 km (and at most 5000), got {value.strip()}")
        out[name] = km
    return out


@dataclass
class Source:
    name: str
    frame: gpd.GeoDataFrame


def read_source(text: str, home: str | Path | None = None, bbox=None, limits: Limits | None = None) -> Source:
    """A file (through the importers' format allow-list and limits) or the name of an imported layer."""
    path = Path(text).expanduser()
    if path.exists():
        result = read_any(path, limits or Limits.from_env(), bbox=bbox)
        gdf = result.gdf
        if gdf.crs is not None and not gdf.crs.equals(WGS84):
            gdf = gdf.to_crs(WGS84)
        name = result.name
    else:
        layers = storage.layers(home)
        known = [i.name for i in layers.list()]
        if text not in known:
            listed = ", ".join(known[:12]) or "none imported yet"
            raise UserError(f"{text!r} is neither a file nor an imported layer (layers: {listed})")
        gdf = layers.read(layers.get(text))
        name = text
    if bbox is not None:
        gdf = gdf[gdf.intersects(box(*bbox))]
    return Source(name, gdf.reset_index(drop=True))


@dataclass
class Tract:
    id: str
    geometry: shapely.Geometry  # WGS84
    area_acres: float
    width_m: float
    parcels: list[str]
    cut: bool
    near: dict[str, float] = field(default_factory=dict)
    why: str = ""
    score: float = 0.0
    rank: int = 0
    criteria: dict = field(default_factory=dict)


@dataclass
class Funnel:
    """How many were left after each step."""

    read: int = 0
    kept: int = 0
    tracts: int = 0
    parts: int = 0
    big: int = 0
    wide: int = 0
    near: int = 0

    def sentence(self, request: FindRequest) -> str:
        steps = [
            f"{self.kept:,} of {self.read:,} parcels have {request.keep_text}",
            f"they make {self.tracts:,} tracts ({self.parts:,} parts after exclusions)",
            f"{self.big:,} of at least {request.min_acres:,g} acres",
        ]
        if request.min_width_m:
            steps.append(f"{self.wide:,} at least {request.min_width_m:,g} m wide")
        if request.near:
            steps.append(f"{self.near:,} within {_near_text(request.near)}")
        return "; ".join(steps)


def _near_text(near: dict[str, float]) -> str:
    return " and ".join(f"{km:g} km of {NEAR_WORDS[name]}" for name, km in near.items())


@dataclass
class FindRequest:
    land: str
    keep: list[Keep]
    min_acres: float
    min_width_m: float = 0.0
    exclude: list[str] = field(default_factory=list)
    catalog_exclusions: bool = True
    buffer_m: float = 0.0
    near: dict[str, float] = field(default_factory=dict)
    bbox: tuple[float, float, float, float] | None = None
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @property
    def keep_text(self) -> str:
        return " and ".join(k.text for k in self.keep)

    def check(self) -> None:
        if not self.keep:
            raise InvalidValue("keep", "", "say which parcels to keep, as FIELD=VALUE (e.g. Mang_Name=BLM)")
        if not self.min_acres > 0:
            raise InvalidValue("min_acres", self.min_acres, f"must be more than 0 acres, got {self.min_acres:g}")
        if self.min_width_m < 0:
            raise InvalidValue("min_width_m", self.min_width_m, f"must be 0 m or more, got {self.min_width_m:g}")
        if not 0 <= self.buffer_m <= 50_000:
            raise InvalidValue("buffer_m", self.buffer_m, f"must be 0 to 50,000 m, got {self.buffer_m:g}")

    def describe(self) -> str:
        """The search in one sentence, for a shortlist or an export."""
        text = f"tracts of {self.keep_text} in {self.land}, at least {self.min_acres:,g} acres"
        if self.min_width_m:
            text += f" and {self.min_width_m:,g} m wide"
        cut = (["the catalog's exclusion areas"] if self.catalog_exclusions else []) + list(self.exclude)
        if cut:
            text += ", outside " + " and ".join(cut)
            if self.buffer_m:
                text += f" (buffered {self.buffer_m:,g} m)"
        if self.near:
            text += ", within " + _near_text(self.near)
        return text


@dataclass
class FindResult:
    request: FindRequest
    tracts: list[Tract]
    funnel: Funnel
    ranking: Ranking | None
    land_name: str

    def frame(self) -> gpd.GeoDataFrame:
        rows = []
        for t in self.tracts:
            row = {
                "rank": t.rank,
                "id": t.id,
                "score": round(t.score, 4),
                "area_acres": round(t.area_acres, 1),
                "width_m": round(t.width_m),
                "parcels_merged": len(t.parcels),
                "parcels": ";".join(t.parcels),
            }
            for name in NEAR:
                value = t.criteria.get(name, {}).get("value")
                if isinstance(value, (int, float)):
                    row[f"{name}_km"] = round(float(value), 1)
            row["why"] = t.why
            row["geometry"] = t.geometry
            rows.append(row)
        columns = ["rank", "id", "score", "area_acres", "width_m", "parcels_merged", "parcels", "why", "geometry"]
        frame = pd.DataFrame(rows, columns=list(dict.fromkeys([*columns[:-2], *(rows[0] if rows else []), *columns])))
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)


def _column(gdf: gpd.GeoDataFrame, wanted: str, source: str) -> str:
    if wanted in gdf.columns:
        return wanted
    lower = {str(c).lower(): c for c in gdf.columns if c != "geometry"}
    if wanted.lower() in lower:
        return lower[wanted.lower()]
    fields = ", ".join(str(c) for c in gdf.columns if c != "geometry")
    raise InvalidValue("keep", wanted, f"{source} has no field {wanted!r}; its fields are {fields}")


def _ids(gdf: gpd.GeoDataFrame, source: str) -> np.ndarray:
    for c in ID_COLUMNS:
        if c in gdf.columns and gdf[c].notna().all() and gdf[c].is_unique:
            return gdf[c].astype(str).to_numpy()
    stem = Path(source).stem or "parcel"
    return np.array([f"{stem}-{i + 1}" for i in range(len(gdf))])


def keep_parcels(source: Source, keep: list[Keep]) -> gpd.GeoDataFrame:
    gdf = source.frame
    mask = np.ones(len(gdf), dtype=bool)
    for k in keep:
        column = _column(gdf, k.field, source.name)
        wanted = {v.casefold() for v in k.values}
        mask &= gdf[column].astype(str).str.strip().str.casefold().isin(wanted).to_numpy()
    return gdf[mask]


def _exclusion_geoms(request: FindRequest, catalog: Catalog, home) -> list[shapely.Geometry]:
    frames = []
    if request.catalog_exclusions:
        s = catalog.sites
        frames.append(s[(s["role"] == "exclusion") & s.geometry.notna()].geometry)
    for text in request.exclude:
        frames.append(read_source(text, home, request.bbox).frame.geometry)
    geoms = []
    for f in frames:
        f = f[f.notna() & ~f.is_empty]
        geoms += list(gpd.GeoSeries(f.values, crs=WGS84).to_crs(EQUAL_AREA).make_valid().values)
    return geoms


def _tract_id(parcel_ids: list[str], part: int) -> str:
    digest = hashlib.sha1(("\n".join(sorted(parcel_ids)) + f"#{part}").encode()).hexdigest()
    return f"tract-{digest[:10]}"


def _why(t: Tract, request: FindRequest) -> str:
    bits = [f"{t.area_acres:,.0f} acres ≥ {request.min_acres:,g}"]
    if request.min_width_m:
        bits.append(f"{t.width_m:,.0f} m wide ≥ {request.min_width_m:,g}")
    else:
        bits.append(f"{t.width_m:,.0f} m wide")
    bits += [f"{name} {t.near[name]:,.1f} km ≤ {km:g}" for name, km in request.near.items()]
    bits.append(f"{len(t.parcels)} parcel{'s' if len(t.parcels) != 1 else ''} of {request.keep_text}")
    if t.cut:
        bits.append("exclusions cut out")
    return "; ".join(bits)


def find(request: FindRequest, catalog: Catalog, home: str | Path | None = None, refs=None) -> FindResult:
    """Candidate tracts for `request`, best first; an empty list when none passes (see `funnel`)."""
    request.check()
    refs = refs if refs is not None else reference_layers.load(catalog, home)
    for name in request.near:
        if not refs[NEAR[name]].available:
            raise UserError(f"there is no {name} layer to measure distances to; import one first")
    source = read_source(request.land, home, request.bbox)
    funnel = Funnel(read=len(source.frame))
    kept = keep_parcels(source, request.keep)
    kept = kept[kept.geometry.notna() & ~kept.geometry.is_empty]
    funnel.kept = len(kept)
    if funnel.kept > MAX_PARCELS:
        raise LimitExceeded(
            "find_parcels",
            MAX_PARCELS,
            funnel.kept,
            problem=f"{funnel.kept:,} parcels match, more than the {MAX_PARCELS:,} one search handles",
            fixes=("bbox", "keep"),
        )
    ids = _ids(source.frame, source.name)[kept.index.to_numpy()]
    ea = gpd.GeoSeries(kept.geometry.values, crs=WGS84).to_crs(EQUAL_AREA).make_valid().to_numpy()
    polygonal = np.array([g.geom_type in ("Polygon", "MultiPolygon") for g in ea], dtype=bool)
    ea, ids = ea[polygonal], ids[polygonal]
    exclusions = Exclusions(_exclusion_geoms(request, catalog, home), request.buffer_m)
    min_m2 = request.min_acres * SQ_METRES_PER_ACRE
    areas = shapely.area(ea)
    found: list[Tract] = []
    for members in groups(ea):
        funnel.tracts += 1
        # a group smaller than the minimum in total cannot hold a big enough part
        if areas[members].sum() < min_m2 * 0.999:
            funnel.parts += 1
            continue
        tract, cut = exclusions.cut(merge(ea, members))
        for part_no, part in enumerate(polygon_parts(tract)):
            funnel.parts += 1
            if part.area < min_m2:
                continue
            funnel.big += 1
            wgs = to_wgs84(part)
            width = inscribed_width_m(wgs)
            if width < request.min_width_m:
                continue
            funnel.wide += 1
            used = members if not cut else members[shapely.intersects(ea[members], part.buffer(-0.01))]
            parcel_ids = sorted(ids[used].tolist())
            t = Tract(
                _tract_id(parcel_ids, part_no if cut else 0),
                wgs,
                part.area / SQ_METRES_PER_ACRE,
                width,
                parcel_ids,
                cut,
            )
            if request.near:
                probe = _Probe(wgs)
                far = False
                for name, km in request.near.items():
                    n = _nearest(probe, refs[NEAR[name]].index)
                    if n is None or n.km > km:
                        far = True
                        break
                    t.near[name] = n.km
                if far:
                    continue
            funnel.near += 1
            found.append(t)
    ranking = _rank(found, request, catalog, refs) if found else None
    return FindResult(request, found, funnel, ranking, source.name)


def _rank(found: list[Tract], request: FindRequest, catalog: Catalog, refs) -> Ranking:
    """The scoring's own criteria and weights, with the tracts as federal candidate sites of a real boundary."""
    sites = gpd.GeoDataFrame(
        {
            "id": [t.id for t in found],
            "name": [f"Tract of {len(t.parcels)} parcel(s), {t.area_acres:,.0f} ac" for t in found],
            "role": "candidate",
            "land_status": "federal",
            "geometry_quality": "authoritative",
            "reported_acres": np.nan,
        },
        geometry=[round_geometry(t.geometry, 6) for t in found],
        crs=WGS84,
    )
    no_exclusions = sites.iloc[0:0]  # already cut out
    ranking = score_sites(catalog, sites, refs, request.weights, "flag", no_exclusions)
    by_id = {t.id: t for t in found}
    ordered = []
    for s in ranking.sites:
        t = by_id[s.id]
        t.score, t.rank = s.score, s.rank
        t.criteria = s.as_json(ranking.weights)["criteria"]
        t.why = _why(t, request)
        ordered.append(t)
    found[:] = ordered
    return ranking
