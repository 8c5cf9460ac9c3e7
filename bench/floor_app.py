"""The least a Streamlit page with a streamlit-folium map can be: one polygon, local Leaflet, nothing else.

`python -m bench.page_open --floor` times it the way it times the app, so the app's figures can be read
against what Streamlit and the map component cost on the same machine before the app adds anything.
"""

from __future__ import annotations

import folium
from streamlit_folium import st_folium

from dashboard import assets

# Leaflet is served from bench/static/vendor, which bench.page_open fills before it starts this page
m = assets.localise(folium.Map(location=[39.5, -98.35], zoom_start=4, tiles=None))
group = folium.FeatureGroup(name="sites")
ring = [[-112.5, 33.9], [-112.0, 33.9], [-112.0, 34.2], [-112.5, 34.2], [-112.5, 33.9]]
folium.GeoJson(
    {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
    style_function=lambda _: {"className": "atlas-site"},  # what the bench looks for
).add_to(group)
st_folium(m, feature_group_to_add=[group], height=600, use_container_width=True, key="floor")
