"""Site suitability: criteria measured per candidate site, and a transparent weighted score.

Each criterion becomes a 0-1 score on a fixed, documented scale (SCALES), so a
site's score does not depend on which other sites happen to be listed. The
total is the weighted mean of the criteria that have data:

    score = sum(weight_i * score_i) / sum(weight_i)

so multiplying every weight by the same factor never changes a score or a
rank. Ties are broken by larger usable area, then by id. A criterion with no
reference data at all (e.g. transmission before an import) is left out and
reported; a value unknown for one site (an unreported area) scores 0 for that
site and is flagged, so missing data is never rewarded.

Distances are measured in kilometres in an azimuthal equidistant projection
centred on each site, after a spatial-index prefilter in EPSG:5070.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.catalog.load import Catalog
from geodata.geometry import acres, reproject, to_equal_area
from geodata.problems import InvalidValue, UserError
from geodata.scoring.proximity import local_transformer
from geodata.scoring.reference import SUPPLIER_TYPES, ProjectedIndex, Reference
from geodata.values import is_missing

DEFAULT_WEIGHTS = {
    "area": 1.0,
    "transmission": 2.0,
    "interstate": 1.0,
    "metro": 1.0,
    "suppliers": 1.0,
    "power": 1.0,
    "land": 1.0,
}
CRITERIA = tuple(DEFAULT_WEIGHTS)
# How each raw value becomes a 0-1 score.
SCALES = {
    "area": "log scale: 0 at 100 acres or less, 1 at 10,000 acres or more (reported acres, less any share "
    "inside exclusion areas when they are removed; a real boundary's own area for imported parcels)",
    "transmission": "1 at 0 km, falling linearly to 0 at 50 km from the nearest line or substation",
    "interstate": "1 at 0 km, falling linearly to 0 at 50 km from the nearest interstate",
    "metro": "1 within 25 km, falling linearly to 0 at 300 km from the nearest city of 1M+",
    "suppliers": "mean over fab, fiber/cable plant and transformer plant of: 1 at 0 km, 0 at 500 km",
    "power": "1 at 0 km, falling linearly to 0 at 100 km from the nearest major power plant",
    "land": "federal 1, mixed 0.5, state trust 0.25, private 0",
}
UNITS = {
    "area": "acres",
    "transmission": "km",
    "interstate": "km",
    "metro": "km",
    "suppliers": "km",
    "power": "km",
    "land": "",
}
LAND_SCORES = {"federal": 1.0, "mixed": 0.5, "state-trust": 0.25, "private": 0.0}
EXCLUSION_POLICIES = ("flag", "remove")


def parse_weights(text: str | None) -> dict[str, float]:
    """`area=1,transmission=2` -> full weights (unnamed criteria keep their defaults)."""
    weights = dict(DEFAULT_WEIGHTS)
    if not text:
        return weights
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep:
            raise InvalidValue("weights", text, f"{part!r} is not name=value (e.g. transmission=2)")
        if name not in DEFAULT_WEIGHTS:
            raise InvalidValue("weights", text, f"unknown criterion {name!r}; valid: {', '.join(CRITERIA)}")
        try:
            w = float(value)
        except ValueError:
            raise InvalidValue("weights", text, f"{name}={value!r} is not a number") from None
        if w < 0 or not math.isfinite(w):
            raise InvalidValue("weights", text, f"{name} must be 0 or more, got {value}")
        weights[name] = w
    if not any(weights.values()):
        raise InvalidValue("weights", text, "at least one weight must be above 0")
    return weights


def _linear(km: float, zero_at: float, full_within: float = 0.0) -> float:
    if km <= full_within:
        return 1.0
    return max(0.0, 1.0 - (km - full_within) / (zero_at - full_within))


def _area_score(acres: float) -> float:
    if acres <= 100:
        return 0.0
    return min(1.0, math.log10(acres / 100) / 2)


def criterion_score(name: str, value) -> float:
    if value is None:
        return 0.0
    if name == "area":
        return _area_score(value)
    if name == "transmission" or name == "interstate":
        return _linear(value, 50)
    if name == "metro":
        return _linear(value, 300, 25)
    if name == "power":
        return _linear(value, 100)
    if name == "suppliers":
        return float(np.mean([_linear(v, 500) for v in value.values()]))
    if name == "land":
        return LAND_SCORES.get(value, 0.0)
    raise KeyError(name)


@dataclass
class Nearest:
    km: float
    name: str
    geometry: shapely.Geometry


class _Probe:
    """A site projected once: to EPSG:5070 for the index, to its own equidistant CRS for exact distances."""

    def __init__(self, site: shapely.Geometry):
        self.site = site
        self.ea = to_equal_area(site)
        self.to_local = local_transformer(site)
        self.local = reproject(site, self.to_local)


def nearest(site: shapely.Geometry, ref: gpd.GeoDataFrame, label: str = "name") -> Nearest | None:
    """Nearest feature of `ref` to `site`, with the distance in km (exact in a site-centred CRS)."""
    if ref is None or ref.empty:
        return None
    return _nearest(_Probe(site), ProjectedIndex(ref), label)


def _nearest(probe: _Probe, index: ProjectedIndex | None, label: str = "name") -> Nearest | None:
    if index is None or index.frame.empty:
        return None
    ref, tree = index.frame, index.tree
    first = tree.query_nearest(probe.ea, return_distance=True)
    d0 = float(first[1][0])
    # EPSG:5070 is not equidistant: look a little wider, then measure exactly.
    candidates = tree.query(probe.ea, predicate="dwithin", distance=d0 * 1.05 + 2000) if d0 > 0 else first[0][:1]
    local = [reproject(g, probe.to_local) for g in ref.geometry.iloc[candidates]]
    dists = shapely.distance(np.array(local, dtype=object), probe.local)
    k = int(np.argmin(dists))
    row = ref.iloc[candidates[k]]
    name = str(row[label]) if label in ref.columns else str(row.get("id", ""))
    return Nearest(float(dists[k]) / 1000.0, name, row.geometry)


def _link(site, feature) -> list[list[float]]:
    line = shapely.shortest_line(site, feature)
    return [[round(x, 5), round(y, 5)] for x, y in line.coords]


def _acres(geom) -> float:
    return float(acres(geom) or 0.0)


def _usable_acres(site: pd.Series, drawn: float, kept: float) -> float | None:
    """Acres the area criterion counts: the reported figure, less the share the outline loses to exclusions.

    A drawn outline is only a real size when it is a real boundary (imported
    parcels); the catalog's circles stand for a point and, at most, a reported area.
    """
    reported = site.get("reported_acres")
    share = kept / drawn if drawn else 1.0
    if not is_missing(reported):
        return float(reported) * share
    if site.get("geometry_quality") in ("authoritative", "reported"):
        return kept
    return None


@dataclass
class SiteScore:
    id: str
    name: str
    score: float
    rank: int = 0
    usable_acres: float = 0.0
    values: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    nearest: dict = field(default_factory=dict)
    # criterion -> [[lon, lat], [lon, lat]]: the shortest line to the nearest feature, for the map
    links: dict = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    def contributions(self, weights: dict[str, float]) -> dict[str, float]:
        used = {k: weights[k] for k in self.scores if weights.get(k, 0) > 0}
        total = sum(used.values())
        return {k: used[k] * self.scores[k] / total for k in used} if total else {}

    def as_json(self, weights: dict[str, float]) -> dict:
        contrib = self.contributions(weights)
        crit = {}
        for k in CRITERIA:
            if k not in self.values:
                continue
            value = self.values[k]
            crit[k] = {
                "value": (
                    {t: round(v, 2) for t, v in value.items()}
                    if isinstance(value, dict)
                    else round(value, 2)
                    if isinstance(value, float)
                    else value
                ),
                "unit": UNITS[k],
                "score": round(self.scores[k], 4),
                "weight": weights[k],
                "contribution": round(contrib.get(k, 0.0), 4),
            }
            if k in self.nearest:
                crit[k]["nearest"] = self.nearest[k]
        return {
            "id": self.id,
            "name": self.name,
            "rank": self.rank,
            "score": round(self.score, 4),
            "criteria": crit,
            "flags": self.flags,
        }


@dataclass
class Ranking:
    sites: list[SiteScore]
    weights: dict[str, float]
    missing: dict[str, str]  # criterion -> why it was left out
    removed: list[tuple[str, str]]  # (id, reason)
    exclusion: str

    def frame(self) -> pd.DataFrame:
        rows = []
        for s in self.sites:
            row = {"rank": s.rank, "id": s.id, "name": s.name, "score": round(s.score, 4)}
            for k in CRITERIA:
                if k in s.values and k != "suppliers":
                    v = s.values[k]
                    row[k] = round(v, 1) if isinstance(v, float) else v  # area: the acres the score counts
                elif k == "suppliers" and k in s.values:
                    row[k] = round(float(np.mean(list(s.values[k].values()))), 1)
            row["flags"] = "; ".join(s.flags)
            rows.append(row)
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class Measurements:
    """Every candidate site's criteria and their 0–1 scores: all of the scoring that weights do not change."""

    sites: tuple[SiteScore, ...]
    missing: dict[str, str]
    removed: tuple[tuple[str, str], ...]
    exclusion: str


def score_sites(
    catalog: Catalog,
    sites: gpd.GeoDataFrame,
    refs: dict[str, Reference],
    weights: dict[str, float] | None = None,
    exclusion: str = "flag",
    exclusions: gpd.GeoDataFrame | None = None,
) -> Ranking:
    """Rank the candidate sites of `sites` (already filtered); exclusion areas come from the catalog."""
    return rank_sites(measure_sites(catalog, sites, refs, exclusion, exclusions), weights)


def rank_sites(measured: Measurements, weights: dict[str, float] | None = None) -> Ranking:
    """Weighted mean of each site's criterion scores, ranked; `measured` is left as it was."""
    weights = weights or dict(DEFAULT_WEIGHTS)
    out = []
    for m in measured.sites:
        used = {k: weights[k] for k in m.scores if weights.get(k, 0) > 0}
        total = sum(used[k] * m.scores[k] for k in used) / sum(used.values()) if used else 0.0
        out.append(replace(m, score=total))
    out.sort(key=lambda s: (-round(s.score, 12), -round(s.usable_acres, 6), s.id))
    for i, s in enumerate(out, start=1):
        s.rank = i
    return Ranking(out, weights, dict(measured.missing), list(measured.removed), measured.exclusion)


def measure_sites(
    catalog: Catalog,
    sites: gpd.GeoDataFrame,
    refs: dict[str, Reference],
    exclusion: str = "flag",
    exclusions: gpd.GeoDataFrame | None = None,
) -> Measurements:
    """Criteria of the candidate sites of `sites`, measured in each site's own equidistant CRS."""
    if exclusion not in EXCLUSION_POLICIES:
        raise InvalidValue(
            "exclusion", exclusion, f"{exclusion!r} is not a policy; choose {' or '.join(EXCLUSION_POLICIES)}"
        )
    if exclusions is None:
        exclusions = catalog.sites[(catalog.sites["role"] == "exclusion") & catalog.sites.geometry.notna()]
    candidates = sites[(sites["role"] == "candidate") & sites.geometry.notna()]
    missing = {}
    if not refs["transmission"].available:
        missing["transmission"] = "no transmission data: python -m geodata import transmission HIFLD_FILE"
    if not refs["power"].available:
        missing["power"] = "no power-plant data: python -m geodata import power-plants EIA_FILE"
    if not any(refs[f"supplier:{t}"].available for t in SUPPLIER_TYPES):
        missing["suppliers"] = "no supplier facilities in the catalog"
    out: list[SiteScore] = []
    removed: list[tuple[str, str]] = []
    for _, site in candidates.iterrows():
        geom = site.geometry
        flags: list[str] = []
        hits = exclusions[exclusions.intersects(geom) & (exclusions["id"] != site["id"])]
        overlap = shapely.union_all(list(hits.geometry.intersection(geom))) if len(hits) else None
        overlap_ac = _acres(overlap) if overlap is not None else 0.0
        total_ac = _acres(geom)
        measured = geom
        if overlap_ac > 0.5:
            names = ", ".join(hits["name"])
            if exclusion == "remove":
                measured = geom.difference(overlap)
                if measured.is_empty or _acres(measured) < 1:
                    removed.append((site["id"], f"lies inside exclusion area(s): {names}"))
                    continue
                flags.append(f"{overlap_ac:,.0f} ac inside {names} removed")
            else:
                flags.append(f"overlaps exclusion area(s) {names} ({overlap_ac:,.0f} of {total_ac:,.0f} ac)")
        usable = _usable_acres(site, total_ac, _acres(measured) if exclusion == "remove" else total_ac)
        s = SiteScore(site["id"], site["name"], 0.0, usable_acres=usable or 0.0, flags=flags)
        if usable is None:  # unknown is not credited: it scores 0, and says so
            flags.append("area not reported: area scores 0")
        s.values["area"] = usable
        probe = _Probe(measured)
        for crit, ref in (
            ("transmission", "transmission"),
            ("interstate", "interstate"),
            ("metro", "metro"),
            ("power", "power"),
        ):
            if crit in missing:
                continue
            n = _nearest(probe, refs[ref].index)
            if n is not None:
                s.values[crit] = n.km
                s.nearest[crit] = n.name
                s.links[crit] = _link(measured, n.geometry)
        if "suppliers" not in missing:
            per_type = {}
            for t in SUPPLIER_TYPES:
                n = _nearest(probe, refs[f"supplier:{t}"].index)
                if n is not None:
                    per_type[t] = n.km
                    s.nearest[f"supplier:{t}"] = n.name
                    s.links[f"supplier:{t}"] = _link(measured, n.geometry)
            if per_type:
                s.values["suppliers"] = per_type
        s.values["land"] = site.get("land_status") or "private"
        s.scores = {k: criterion_score(k, v) for k, v in s.values.items()}
        out.append(s)
    return Measurements(tuple(out), missing, tuple(removed), exclusion)


def save_as_shortlist(store, name: str, ranking: Ranking, sentence: str, filters: dict | None, top: int):
    """A new shortlist of the top `top` sites that keeps the weights and each site's score and criteria."""
    if top < 1:
        raise UserError("keep at least 1 site")
    if not ranking.sites:
        raise UserError("the ranking is empty: no candidate site matches the filters")
    weights = dict(ranking.weights)
    sl = store.create(name, f"{sentence}, ranked by score ({ranking.exclusion} exclusions)", filters or None, weights)
    for s in ranking.sites[:top]:
        sl = store.add(
            sl.name, s.id, expected_version=sl.version, score=round(s.score, 6), criteria=s.as_json(weights)["criteria"]
        )
    return sl
