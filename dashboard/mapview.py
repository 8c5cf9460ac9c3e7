"""Build the folium map: a constant base map plus data layers as feature groups.

The base map (basemaps, legend, state outlines, view) never changes within a
session, so st_folium keeps the same Leaflet map; the filtered layers travel
as `feature_group_to_add`, which st_folium swaps in place. Zoom and position
survive every filter change.

Every text value that reaches the map is HTML-escaped here: folium's
GeoJsonTooltip writes property values with innerHTML.

`phase_colours` is the loaded catalog's `vocab.colours("phase")`; without it,
dashboard.render.styles draws the shipped vocabulary's colours.
"""

from __future__ import annotations

import folium
import folium.plugins
import geopandas as gpd
from branca.element import Element, MacroElement
from folium.template import Template as FoliumTemplate
from jinja2 import Template
from shapely.geometry import shape

from dashboard import assets, mapcontrols, verbatim
from dashboard.render import styles
from dashboard.render.text import esc
from dashboard.render.view import CONUS_BOX, US_VIEW, View
from geodata.catalog.changes import freshness
from geodata.catalog.usmap import STATES_FILE
from geodata.money import format_range
from geodata.values import is_missing

verbatim.install()  # rendered map text is never a template again (see dashboard/verbatim.py)


class OverlayMemory(MacroElement):
    """Remember which overlays the user switched off in the layer control.

    st_folium re-adds every feature group (visible) when the data changes;
    this script hides again the ones the user had hidden, before the layer
    control is rebuilt, so the control's checkboxes stay as the user left them.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent._parent.get_name() }};
            var group = {{ this._parent.get_name() }};
            window.__atlasHidden = window.__atlasHidden || {};
            if (!window.__atlasOverlayHooks) {
                window.__atlasOverlayHooks = true;
                map.on('overlayremove', function (e) { window.__atlasHidden[e.name] = true; });
                map.on('overlayadd', function (e) { delete window.__atlasHidden[e.name]; });
            }
            if (window.__atlasHidden[{{ this.label|tojson }}]) { map.removeLayer(group); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, label: str):
        super().__init__()
        self._name = "OverlayMemory"
        self.label = label


class StateOutlines(MacroElement):
    """State boundaries fetched from the app's static folder, in a pane under the data.

    Fetched rather than embedded: the map's script is re-sent on every rerun,
    and the outlines alone would add about 290 KB to each.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane('stateOutlines');
            pane.style.zIndex = 350;
            pane.style.pointerEvents = 'none';
            fetch({{ this.url|tojson }}).then(function (r) { return r.json(); }).then(function (d) {
                L.geoJSON(d, {pane: 'stateOutlines', interactive: false,
                              style: {color: '#7a7a7a', weight: 0.8, fill: false}}).addTo(map);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, url: str):
        super().__init__()
        self._name = "StateOutlines"
        self.url = url


PIN_PANE = "sitePins"
IMPORTED_PANE = "importedParcels"
# Sites drawn larger than this (planning areas, districts, forests) go in a pane under the others,
# so the sites and parcels inside them stay clickable while a click on the rest of their area opens them.
OUTLINE_ACRES = 100_000
PIN_MAX_ZOOM = 8


class SitePinsPane(MacroElement):
    """A pane for site pins, shown only while zoomed out.

    Most outlines are a few hundred acres: specks at national zoom. A pin
    marks each site until the outlines are big enough to see and click.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane({{ this.pane|tojson }});
            pane.style.zIndex = 620;  // above facility icons and investment clusters, under tooltips
            function toggle() { pane.style.display = map.getZoom() > {{ this.max_zoom }} ? 'none' : ''; }
            map.on('zoomend', toggle);
            toggle();
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "SitePinsPane"
        self.pane = PIN_PANE
        self.max_zoom = PIN_MAX_ZOOM


def _in_pane(marker, pane: str):
    marker.options["pane"] = pane  # folium's marker options drop `pane`
    return marker


def _feature_group(label: str) -> folium.FeatureGroup:
    fg = folium.FeatureGroup(name=label, overlay=True, control=True)
    OverlayMemory(label).add_to(fg)
    return fg


def build_base_map(
    view: View,
    basemap: str,
    phase_labels: dict,
    base_url: str = "",
    prefer_canvas: bool = False,
    phase_colours: dict | None = None,
) -> folium.Map:
    m = folium.Map(
        location=[view.lat, view.lon], zoom_start=view.zoom, tiles=None, control_scale=True, prefer_canvas=prefer_canvas
    )
    # folium hands min/max zoom to its default tile layer only; with the offline
    # "none" basemap the map itself needs them (Leaflet.markercluster requires maxZoom).
    m.options.update(min_zoom=3, max_zoom=18)
    assets.localise(m, base_url)
    offline_label = styles.BASEMAPS["none"][0]
    for key, (label, provider) in styles.BASEMAPS.items():
        show = key == basemap
        if provider is None:
            none = folium.FeatureGroup(name=label, overlay=False, show=show)
            mapcontrols.OfflineLayer().add_to(none)  # the tile-failure note switches to it
            none.add_to(m)
        else:
            folium.TileLayer(provider, name=label, show=show, overlay=False, control=True).add_to(m)
    # State outlines from the shipped Census file: context even with no tile server.
    StateOutlines(assets.static_url("reference/" + STATES_FILE.name, base_url)).add_to(m)
    SitePinsPane().add_to(m)
    mapcontrols.Panes().add_to(m)
    mapcontrols.PlaceLabels(
        assets.static_url("reference/places.json", base_url),
        assets.static_url("reference/interstates.geojson", base_url),
        offline_label,
        initially=basemap == "none",
    ).add_to(m)
    if (view.lat, view.lon, view.zoom) == US_VIEW:
        mapcontrols.FitLower48(CONUS_BOX).add_to(m)
    mapcontrols.WheelGuard().add_to(m)
    mapcontrols.BasemapReport().add_to(m)
    mapcontrols.TileFailure(offline_label).add_to(m)
    m.get_root().header.add_child(Element(styles.ICON_CSS))
    m.get_root().header.add_child(Element(mapcontrols.FRAME_CSS))
    legend = MacroElement()
    legend._template = Template(
        "{% macro html(this, kwargs) %}" + styles.legend_html(phase_labels, phase_colours) + "{% endmacro %}"
    )
    m.add_child(legend)
    return m


def _features(df: gpd.GeoDataFrame, props) -> dict:
    feats = []
    for _, row in df.iterrows():
        if row.geometry is None or row.geometry.is_empty:
            continue
        feats.append(
            {
                "type": "Feature",
                "id": row["id"],
                "properties": {k: esc(v) for k, v in props(row).items()},
                "geometry": row.geometry.__geo_interface__,
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _fresh(row) -> str:
    """Date and age of the record's newest source, with 'no update found since …' when stale."""
    f = freshness(row.get("as_of"))
    return f.text if f else ""


def _pin(geometry: dict) -> dict:
    p = shape(geometry).representative_point()
    return {"type": "Point", "coordinates": [round(p.x, 5), round(p.y, 5)]}


class MemberTooltip(folium.GeoJsonTooltip):
    """A GeoJson tooltip bound to each feature's own layer instead of to the GeoJson group.

    folium binds it to the group; inside a marker cluster that group is never on the map
    (the cluster takes its members), so hovering a marker threw in Leaflet and showed nothing.
    """

    _template = FoliumTemplate(
        """
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.eachLayer(function(member) { member.bindTooltip("""
        + folium.features.GeoJsonDetail.base_template
        + """,{{ this.tooltip_options | tojavascript }}); });
    {% endmacro %}
    """
    )


def _tooltip(fields: list[str], aliases: list[str], cls=folium.GeoJsonTooltip) -> folium.GeoJsonTooltip:
    return cls(
        fields=fields,
        aliases=aliases,
        sticky=True,
        localize=False,
        style="font-size:12px;max-width:320px;white-space:normal",
    )


def site_groups(
    sites: gpd.GeoDataFrame, status_labels: dict, phase_colours: dict | None = None
) -> list[folium.FeatureGroup]:
    groups = []
    for role, label in (
        ("candidate", "Candidate sites"),
        ("exclusion", "Exclusion areas"),
        ("context", "Context parcels"),
    ):
        fg = _feature_group(label)
        part = sites[sites["role"] == role]
        data = _features(
            part,
            lambda r: {
                "id": r["id"],
                "name": r["name"],
                "kind": f"{r['role']} site · {r['agency']}",
                "phase": r["phase"],
                "status": status_labels.get(r["status"], r["status"]),
                "area": f"{r['area_acres']:,.0f} ac drawn"
                + (f" ({r['reported_acres']:,.0f} ac reported)" if not is_missing(r["reported_acres"]) else ""),
                "fresh": _fresh(r),
            },
        )
        if data["features"]:
            style = {
                rid: styles.site_style(ro, ph, phase_colours, quality)
                for rid, ro, ph, quality in zip(
                    part["id"], part["role"], part["phase"], part["geometry_quality"], strict=True
                )
            }
            for _, r in part.iterrows():  # a stale record's outline is dashed ("no update found since …")
                f = freshness(r.get("as_of"))
                if f and f.stale:
                    style[r["id"]] = {**style[r["id"]], "dashArray": "6 4"}
            tip = (
                ["name", "kind", "phase", "status", "area", "fresh"],
                ["Site", "Kind", "Phase", "Status", "Area", "Newest source"],
            )
            big = {rid for rid, a in zip(part["id"], part["area_acres"], strict=True) if (a or 0) > OUTLINE_ACRES}
            for large in (False, True):
                subset = [f for f in data["features"] if (f["id"] in big) == large]
                if not subset:
                    continue
                shapes = folium.GeoJson(
                    {**data, "features": subset},
                    style_function=lambda f, s=style: s[f["id"]],
                    highlight_function=lambda _f: {"weight": 4},
                    className=f"atlas-site atlas-{role}" + (" atlas-site-large" if large else ""),
                    tooltip=_tooltip(*tip),
                )
                if large:
                    shapes.options["pane"] = mapcontrols.LARGE_PANE
                shapes.add_to(fg)
            pins = {**data, "features": [{**f, "geometry": _pin(f["geometry"])} for f in data["features"]]}
            pin = folium.CircleMarker(radius=5, weight=1.5, fill=True, fill_opacity=0.9, className="atlas-site-pin")
            pin.options["pane"] = PIN_PANE  # folium's path options drop `pane`
            folium.GeoJson(
                pins,
                marker=pin,
                style_function=lambda f, s=style: {"color": "#ffffff", "fillColor": s[f["id"]]["color"]},
                tooltip=_tooltip(*tip),
            ).add_to(fg)
        groups.append(fg)
    return groups


def investment_group(
    investments: gpd.GeoDataFrame, status_labels: dict, base_url: str = "", phase_colours: dict | None = None
) -> folium.FeatureGroup:
    fg = _feature_group("Investments")
    located = investments[investments.geometry.notna()]
    if located.empty:
        return fg
    largest = float(investments["amount_usd"].max() or 0)
    radius = {r["id"]: styles.investment_radius(r["amount_usd"], largest) for _, r in located.iterrows()}
    colour = {r["id"]: styles.phase_colour(r["phase"], phase_colours) for _, r in located.iterrows()}
    data = _features(
        located,
        lambda r: {
            "id": r["id"],
            "name": r["name"],
            "investor": r["investor"],
            "amount": format_range(r["amount_usd_low"], r["amount_usd_high"]) or (r["amount_text"] or "not reported"),
            "phase": r["phase"],
            "status": status_labels.get(r["status"], r["status"]),
            "where": r["location"] or "",
            "fresh": _fresh(r),
        },
    )
    cluster = assets.localise(
        folium.plugins.MarkerCluster(
            name="Investments (clustered)",
            control=False,
            options={"maxClusterRadius": 40, "spiderfyOnMaxZoom": True, "showCoverageOnHover": False},
        ),
        base_url,
    )
    folium.GeoJson(
        data,
        marker=_in_pane(
            folium.CircleMarker(radius=6, fill=True, weight=1.5, fill_opacity=0.65, className="atlas-investment"),
            mapcontrols.INVESTMENT_PANE,
        ),
        style_function=lambda f: {"radius": radius[f["id"]], "color": "#ffffff", "fillColor": colour[f["id"]]},
        tooltip=_tooltip(
            ["name", "investor", "amount", "phase", "status", "where", "fresh"],
            ["Investment", "Investor", "Amount", "Phase", "Status", "Where", "Newest source"],
            MemberTooltip,
        ),
    ).add_to(cluster)
    cluster.add_to(fg)
    return fg


def facility_group(
    facilities: gpd.GeoDataFrame, status_labels: dict, type_labels: dict, phase_colours: dict | None = None
) -> folium.FeatureGroup:
    fg = _feature_group("Facilities")
    located = facilities[facilities.geometry.notna()]
    if located.empty:
        return fg
    icon = {r["id"]: styles.facility_icon_html(r["type"], r["phase"], phase_colours) for _, r in located.iterrows()}
    data = _features(
        located,
        lambda r: {
            "id": r["id"],
            "name": r["name"],
            "company": r["company"],
            "type": type_labels.get(r["type"], r["type"]),
            "where": ", ".join(p for p in (r["city"], "/".join(r["state"])) if p),
            "status": status_labels.get(r["status"], r["status"]),
            "fresh": _fresh(r),
        },
    )
    folium.GeoJson(
        data,
        marker=_in_pane(
            folium.Marker(
                icon=folium.DivIcon(html="", icon_size=(24, 24), icon_anchor=(12, 12), class_name="fac-marker")
            ),
            mapcontrols.FACILITY_PANE,
        ),
        style_function=lambda f: {"html": icon[f["id"]]},
        tooltip=_tooltip(
            ["name", "company", "type", "where", "status", "fresh"],
            ["Facility", "Company", "Type", "Where", "Status", "Newest source"],
        ),
    ).add_to(fg)
    return fg


def selection_group(
    geom, label: str, rings_km: tuple[float, ...] = (), links: dict | None = None
) -> folium.FeatureGroup:
    """Outline of the selected record; for a site, distance rings and lines to what it was scored against."""
    fg = _feature_group("Selection")
    if geom is None:
        return fg
    if rings_km:
        from geodata.scoring.proximity import local_crs

        local = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(local_crs(geom))
        for km in rings_km:
            ring = local.buffer(km * 1000).to_crs("EPSG:4326").iloc[0]
            folium.GeoJson(
                ring.__geo_interface__,
                style_function=lambda _f: {
                    "color": styles.SELECTION_COLOUR,
                    "weight": 1.2,
                    "dashArray": "4 6",
                    "fill": False,
                },
                tooltip=f"{km:g} km",
                interactive=True,
            ).add_to(fg)
    for name, coords in (links or {}).items():
        folium.PolyLine(
            [(lat, lon) for lon, lat in coords],
            color="#333333",
            weight=1.5,
            dash_array="2 4",
            tooltip=esc(f"nearest {name.replace('supplier:', '')}"),
        ).add_to(fg)
    folium.GeoJson(
        geom.__geo_interface__,
        style_function=lambda _f: {"color": styles.SELECTION_COLOUR, "weight": 4, "fillOpacity": 0.05},
        marker=folium.CircleMarker(radius=14, weight=3, fill=False, color=styles.SELECTION_COLOUR),
        interactive=False,
    ).add_to(fg)
    return fg


# Away from the phase colours (orange, blue, pink, green) and the exclusion grey.
IMPORTED_COLOURS = ("#5e3c99", "#b2182b", "#01665e", "#8e0152", "#313695", "#543005")


class FastGeoJson(MacroElement):
    """A large GeoJSON layer drawn on a canvas, from a FeatureCollection string.

    The string comes ready-made from geodata.layers.index.LayerIndex (simplified,
    rounded, properties already HTML-escaped); JSON.parse of a string literal
    is much faster than evaluating the same data as a JavaScript object.
    Tooltips are built on hover from the escaped properties.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var map = {{ this._parent._parent.get_name() }};
            if (!map.getPane({{ this.pane|tojson }})) {
                // under the catalog's SVG layer: small catalog sites stay clickable on top
                map.createPane({{ this.pane|tojson }}).style.zIndex = 390;
            }
            var data = JSON.parse({{ this.geojson|tojson }});
            var fields = {{ this.fields|tojson }};
            var layer = L.geoJSON(data, {
                renderer: L.canvas({padding: 0.2, pane: {{ this.pane|tojson }}}),
                style: {{ this.style|tojson }},
                onEachFeature: function (feature, lyr) {
                    lyr.bindTooltip(function () {
                        var p = feature.properties, rows = ['<b>' + p.label + '</b>'];
                        fields.forEach(function (f) { if (p[f] !== undefined) rows.push(f + ': ' + p[f]); });
                        return rows.join('<br>');
                    }, {sticky: true});
                }
            });
            layer.addTo(group);
            // counted once the canvas has painted: benchmarks and tests wait on it
            requestAnimationFrame(function () { window.__atlasDrawn = (window.__atlasDrawn || 0) + 1; });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, geojson: str, fields: list[str], style: dict):
        super().__init__()
        self._name = "FastGeoJson"
        self.pane = IMPORTED_PANE
        self.geojson = geojson
        self.fields = fields
        self.style = style


def imported_group(label: str, geojson: str, fields: list[str], colour: str) -> folium.FeatureGroup:
    """An imported layer's features in view; `fields` are the (escaped) tooltip keys."""
    fg = _feature_group(label)
    FastGeoJson(geojson, fields, {"color": colour, "weight": 1, "fillColor": colour, "fillOpacity": 0.25}).add_to(fg)
    return fg


HIGHLIGHT_COLOUR = "#000000"
HIGHLIGHT_FILL = "#F0E442"  # Okabe-Ito yellow: no phase and not the selection uses it
HIGHLIGHT_PANE = "companyHighlight"


class HighlightPane(MacroElement):
    """A pane above the markers and clusters for a company's rings; clicks pass through to the records below."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent._parent.get_name() }};
            if (!map.getPane({{ this.pane|tojson }})) {
                var pane = map.createPane({{ this.pane|tojson }});
                pane.style.zIndex = 640;
                pane.style.pointerEvents = 'none';
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "HighlightPane"
        self.pane = HIGHLIGHT_PANE


def highlight_group(label: str, records: list[tuple[str, str, object]]) -> folium.FeatureGroup:
    """A ring around every (id, name, geometry) given, above every marker: what a company touches.

    Polygons get their outline and a ring at a point inside them, so a site too
    small to see at national zoom still shows.
    """
    fg = _feature_group(label)
    HighlightPane().add_to(fg)
    for rid, _name, geom in records:
        if geom is None or geom.is_empty:
            continue
        p = geom if geom.geom_type == "Point" else geom.representative_point()
        ring = folium.CircleMarker(
            location=(p.y, p.x),
            radius=18,
            color=HIGHLIGHT_COLOUR,
            weight=3,
            fill=True,
            fill_color=HIGHLIGHT_FILL,
            fill_opacity=0.3,
            class_name="atlas-highlight",
        )
        # folium's path options drop `pane` and `interactive`; a ring must not catch the clicks meant for a marker
        ring.options.update(pane=HIGHLIGHT_PANE, interactive=False)
        ring.add_to(fg)
        if geom.geom_type != "Point":
            outline = folium.GeoJson(
                {"type": "Feature", "id": rid, "properties": {}, "geometry": geom.__geo_interface__},
                style_function=lambda _f: {
                    "color": HIGHLIGHT_COLOUR,
                    "weight": 3,
                    "dashArray": "6 4",
                    "fillColor": HIGHLIGHT_FILL,
                    "fillOpacity": 0.15,
                },
                className="atlas-highlight-outline",
            )
            outline.options.update(pane=HIGHLIGHT_PANE, interactive=False)
            outline.add_to(fg)
    return fg
