"""The tract finder on generated parcels, beside the naive way (dissolve everything, then filter).

    python -m bench.find_tracts [N]   (default 100,000 parcels)

Both keep the BLM parcels, merge touching ones, and keep tracts of at least
MIN_ACRES; the finder also measures each tract's inscribed width, its distance
to an interstate and ranks it with the scoring, which the naive way does not.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import shapely

from bench.parcels import parcels
from geodata.catalog.load import load_catalog
from geodata.geometry import EQUAL_AREA, SQ_METRES_PER_ACRE
from geodata.scoring import reference
from geodata.sitefinder.search import FindRequest, Keep, find

MIN_ACRES = 20_000


def naive(gdf: gpd.GeoDataFrame) -> int:
    kept = gdf[gdf["manager"] == "BLM"].to_crs(EQUAL_AREA)
    merged = shapely.union_all(shapely.make_valid(kept.geometry.values))
    parts = shapely.get_parts(merged)
    return int((shapely.area(parts) >= MIN_ACRES * SQ_METRES_PER_ACRE).sum())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    t = time.perf_counter()
    gdf = parcels(n)
    print(f"generated {n:,} parcels in {time.perf_counter() - t:.1f} s")
    catalog = load_catalog()
    refs = reference.load(catalog)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "parcels.parquet"
        gdf.to_parquet(path)
        request = FindRequest(
            land=str(path),
            keep=[Keep("manager", ("BLM",))],
            min_acres=MIN_ACRES,
            min_width_m=1000,
            near={"interstate": 100},
        )
        t, cpu = time.perf_counter(), time.process_time()
        result = find(request, catalog, tmp, refs)
        finder, finder_cpu = time.perf_counter() - t, time.process_time() - cpu
    f = result.funnel
    print(
        f"finder: {finder:.1f} s ({finder_cpu:.1f} s CPU) (read and merge {f.kept:,} BLM parcels "
        f"into {f.tracts:,} tracts, "
        f"{f.big:,} of {MIN_ACRES:,} acres or more, {f.wide:,} at least 1 km wide, "
        f"{f.near:,} within 100 km of an interstate, ranked)"
    )
    t, cpu = time.perf_counter(), time.process_time()
    count = naive(gdf)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    print(
        f"naive dissolve-then-filter: {wall:.1f} s ({cpu:.1f} s CPU) ({count:,} tracts of {MIN_ACRES:,}+ acres; "
        "no width, distance, parcels merged or ranking)"
    )


if __name__ == "__main__":
    main()
