"""Cached access to the catalog for the app.

The cache key includes each catalog file's size and modification time, so an
edited catalog is picked up on the next rerun without restarting the app.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import streamlit as st

from dashboard import draw_panel, layers_panel
from geodata import settings
from geodata.catalog.filters import Filters, apply_filters
from geodata.catalog.load import FILES, Catalog, check_catalog
from geodata.ids import Resolver


def catalog_dir() -> str:
    """GEODATA_CATALOG, else the shipped catalog."""
    return str(settings.catalog_dir())


def stamp(directory: str) -> tuple:
    out = []
    for name in FILES.values():
        try:
            s = (Path(directory) / name).stat()
            out.append((name, s.st_size, s.st_mtime_ns))
        except OSError:
            out.append((name, None, None))
    return tuple(out)


# cache_resource, not cache_data: the catalog and its filtered frames are read-only, and
# cache_data would unpickle a copy of them on every rerun (~0.1 s each time).
@st.cache_resource(show_spinner="Loading the catalog…", max_entries=4)
def _load(directory: str, _stamp: tuple) -> tuple[Catalog | None, list[str]]:
    catalog, problems = check_catalog(directory)
    return catalog, [str(p) for p in problems]


def load(directory: str) -> tuple[Catalog | None, list[str]]:
    return _load(directory, stamp(directory))


@st.cache_resource(show_spinner=False, max_entries=256)
def filtered(_catalog: Catalog, key: tuple, layer: str, filters: Filters) -> gpd.GeoDataFrame:
    """One layer under the filters; `key` identifies the catalog version (its stamp)."""
    return apply_filters(_catalog, layer, filters)


def resolver(catalog: Catalog) -> Resolver:
    """The id resolver of this run: the loaded catalog and the user's imported layers, read through the app's cache."""
    return Resolver(catalog, layers_panel.store_or_none(), candidates=draw_panel.store())
