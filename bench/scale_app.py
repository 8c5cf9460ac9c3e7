"""Benchmark app: one large layer through st_folium, the naive way or the atlas's way.

Environment:
  BENCH_MODE   naive | optimised
  BENCH_LAYER  GeoParquet file of parcels (from bench/map_scale.py)
  BENCH_LOG    file to append "<mode> <seconds>" per script run (server time)
  BENCH_VIEW   "lat,lon,zoom" of the first view

naive:      every polygon in one folium.GeoJson with a tooltip, SVG, stock folium/branca (what a
            first version does).
optimised:  the dashboard's own path: LayerIndex view of the map's bounds (culled, capped,
            simplified and rounded per zoom, tooltip columns only) drawn on a canvas
            (dashboard.mapview.imported_group), swapped in with feature_group_to_add.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import folium
import geopandas as gpd
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

from dashboard import assets, mapview, verbatim
from dashboard.render.text import esc
from dashboard.render.view import view_bounds
from geodata.layers.index import LayerIndex
from geodata.layers.store import read_layer

t0 = time.perf_counter()
MODE = os.environ.get("BENCH_MODE", "optimised")
LAYER = Path(os.environ["BENCH_LAYER"])
lat, lon, zoom = (float(v) for v in os.environ.get("BENCH_VIEW", "34.2,-106.0,6").split(","))
assets.ensure_vendored(Path(__file__).parent / "static" / "vendor")  # served from bench/static


@st.cache_resource
def layer(path: str) -> gpd.GeoDataFrame:
    return read_layer(Path(path), with_bands=False)


@st.cache_resource
def index(path: str) -> LayerIndex:
    return LayerIndex.from_file(Path(path), "bench", value=esc)


m = assets.localise(folium.Map(location=[lat, lon], zoom_start=int(zoom), tiles=None))
m.options.update(min_zoom=3, max_zoom=18)
if MODE == "naive":
    verbatim.uninstall()  # stock folium/branca, as a first version would run
    gdf = layer(str(LAYER))
    folium.GeoJson(
        gdf[["unit_name", "manager", "gis_acres", "geometry"]],
        tooltip=folium.GeoJsonTooltip(["unit_name", "manager", "gis_acres"]),
    ).add_to(m)
    signal = MacroElement()  # the drawn signal the benchmark waits for, after the GeoJson above
    signal._template = Template(
        "{% macro script(this, kwargs) %}requestAnimationFrame(function () "
        "{ window.__atlasDrawn = (window.__atlasDrawn || 0) + 1; });{% endmacro %}"
    )
    m.add_child(signal)
    st_folium(m, key="bench", height=700, width=1200, returned_objects=[])
else:
    verbatim.install()
    idx = index(str(LAYER))
    state = st.session_state.get("bench") or {}
    b = state.get("bounds") or {}
    z = state.get("zoom") or zoom
    if (b.get("_southWest") or {}).get("lat") is not None:
        bounds = (b["_southWest"]["lng"], b["_southWest"]["lat"], b["_northEast"]["lng"], b["_northEast"]["lat"])
    else:
        bounds = view_bounds(lat, lon, int(zoom), 1200, 700)
    part = idx.view(bounds, z)
    fg = mapview.imported_group("bench", part.geojson, [esc(f) for f in idx.fields], "#8c510a")
    st_folium(m, key="bench", height=700, width=1200, feature_group_to_add=fg, returned_objects=["bounds", "zoom"])
    st.caption(f"{part.shown} of {part.total} in view")
if os.environ.get("BENCH_LOG"):
    with open(os.environ["BENCH_LOG"], "a") as fh:
        fh.write(f"{MODE} {time.perf_counter() - t0:.4f}\n")
