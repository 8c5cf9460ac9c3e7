"""Behaviour added to the Leaflet map: stacking panes, the wheel guard, offline labels, tile failures.

Each piece is a folium MacroElement whose script runs once, when the constant
base map is built (dashboard/mapview.build_base_map), except LegendImported,
which travels with the feature groups and rewrites the legend's imported-layer
lines on every swap.
"""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

# Stacking, bottom to top. Leaflet's own: tiles 200, overlayPane 400 (SVG sites), markerPane 600
# (investment clusters), tooltipPane 650; ours below.
PANES = {
    "largeAreas": 380,  # huge outlines: under every other site and under imported parcels (390)
    "placeLabels": 395,  # offline place names and interstates, under the data
    "facilityIcons": 590,  # under investment circles and clusters, which sit on the same plants
    "investments": 610,
}
LARGE_PANE = "largeAreas"
FACILITY_PANE = "facilityIcons"
INVESTMENT_PANE = "investments"

# Fills the iframe: the page's CSS sizes the frame to the screen (dashboard/layout.py),
# st_folium sizes its map div in pixels.
FRAME_CSS = """
<style>
html,body{height:100%;margin:0}
#map_div,#parent{height:100vh !important;width:100% !important}
.atlas-wheel-hint{position:absolute;z-index:1001;left:50%;top:50%;transform:translate(-50%,-50%);
  background:rgba(0,0,0,.72);color:#fff;padding:8px 14px;border-radius:6px;font:13px system-ui,sans-serif;
  pointer-events:none;display:none}
.atlas-tile-note{background:#fff8e1;border:1px solid #e0b000;padding:6px 9px;border-radius:6px;
  font:12px/1.35 system-ui,sans-serif;max-width:260px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.atlas-tile-note button{margin-top:4px;font:12px system-ui,sans-serif;cursor:pointer}
.leaflet-top.leaflet-right .atlas-tile-note{margin-top:40px}
.atlas-place-label{background:transparent;border:0;box-shadow:none;padding:0;color:#333;
  font:600 11px system-ui,sans-serif;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}
.atlas-place-label:before{display:none}
.atlas-road-label{background:#fff;border:1px solid #b03a2e;color:#b03a2e;padding:0 3px;border-radius:3px;
  font:700 10px system-ui,sans-serif;box-shadow:none}
.atlas-road-label:before{display:none}
.atlas-no-road-labels .atlas-road-label{display:none}
</style>
"""


class Panes(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var panes = {{ this.panes|tojson }};
            Object.keys(panes).forEach(function (name) {
                if (!map.getPane(name)) { map.createPane(name).style.zIndex = panes[name]; }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "Panes"
        self.panes = PANES


class FitLower48(MacroElement):
    """Open on the whole lower 48 where the opening zoom would cut it (a phone's narrow map).

    The server does not know the map's width before the browser first reports it, so
    the opening view is fitted here, before anything is drawn; wider maps keep the
    opening view as it is.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            // the frame has its width but not yet its height here: fit the lower 48 across, by width alone
            var span = {{ this.box[2] }} - ({{ this.box[0] }}), width = map.getSize().x * 0.96;
            var zoom = Math.floor(Math.log2(width * 360 / (256 * span)));
            if (width > 0 && zoom < map.getZoom()) {
                map.setView(map.getCenter(), Math.max(zoom, 3), {animate: false});
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, box: tuple[float, float, float, float]):
        super().__init__()
        self._name = "FitLower48"
        self.box = box


class WheelGuard(MacroElement):
    """The wheel scrolls the page until the map is clicked; Ctrl + wheel zooms at once.

    A map that takes the wheel traps a reader scrolling down the page. Leaflet
    leaves the wheel alone while scrollWheelZoom is off, so the page under the
    iframe scrolls; a click on the map (or leaving and coming back) decides.

    The click focuses the map without scrolling the page: Leaflet's own focus()
    scrolled the page until the whole map showed, between the press and the
    release, so a first click on a map taller than the screen's rest landed as
    a drag and selected nothing.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            var hint = L.DomUtil.create('div', 'atlas-wheel-hint', box);
            hint.textContent = 'Click the map to zoom with the wheel, or hold Ctrl while scrolling';
            var timer = null;
            map.scrollWheelZoom.disable();
            if (map.keyboard) {  // its handler is bound when enabled: swap it while disabled
                var keys = map.keyboard, on = keys.enabled();
                if (on) { keys.disable(); }
                keys._onMouseDown = function () {
                    if (!this._focused) { this._map._container.focus({preventScroll: true}); }
                };
                if (on) { keys.enable(); }
            }
            window.__atlasWheel = false;
            function arm() { map.scrollWheelZoom.enable(); window.__atlasWheel = true; hint.style.display = 'none'; }
            function disarm() { map.scrollWheelZoom.disable(); window.__atlasWheel = false; }
            map.on('click', arm);
            map.on('mousedown', arm);
            box.addEventListener('mouseleave', disarm);
            box.addEventListener('wheel', function (e) {
                if (window.__atlasWheel) { return; }
                if (e.ctrlKey || e.metaKey) {
                    e.preventDefault();
                    var step = e.deltaY < 0 ? 1 : -1;
                    map.setZoomAround(map.mouseEventToContainerPoint(e), map.getZoom() + step);
                    return;
                }
                hint.style.display = 'block';
                clearTimeout(timer);
                timer = setTimeout(function () { hint.style.display = 'none'; }, 1200);
            }, {capture: true, passive: false});
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "WheelGuard"


class BasemapReport(MacroElement):
    """Hand the chosen basemap back to the app (so a shared link keeps it) and keep offline labels in step.

    st_folium reports `selected_layers` on an `overlayadd` event; the basemap
    rides along under a key of its own.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            map.on('baselayerchange', function (e) {
                window.__atlasBasemap = e.name;
                map.fire('atlasbasemap', {name: e.name});
                var g = window.__GLOBAL_DATA__;
                if (g && g.selected_layers) {
                    g.selected_layers.__basemap = {name: e.name, url: 'basemap'};
                    map.fire('overlayadd', {layer: null, name: '__basemap'});
                }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "BasemapReport"


class TileFailure(MacroElement):
    """When the tiles of the shown basemap fail to load, say so on the map and offer the offline one."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var offlineName = {{ this.offline|tojson }};
            var note = null, failures = 0;
            function offline() {
                var target = window.__atlasOfflineLayer, tiles = [];
                map.eachLayer(function (l) { if (l instanceof L.TileLayer) { tiles.push(l); } });
                tiles.forEach(function (t) { map.removeLayer(t); });
                if (target && !map.hasLayer(target)) { map.addLayer(target); }
                hide();
            }
            function hide() { if (note) { map.removeControl(note); note = null; } failures = 0; }
            function show() {
                if (note) { return; }
                note = L.control({position: 'topright'});
                note.onAdd = function () {
                    var d = L.DomUtil.create('div', 'atlas-tile-note');
                    d.innerHTML = '<b>Map tiles are not loading</b> (offline, or the tile server is '
                        + 'unreachable). The records are still drawn.<br>';
                    var b = L.DomUtil.create('button', '', d);
                    b.textContent = 'Use ' + offlineName;
                    L.DomEvent.disableClickPropagation(d);
                    L.DomEvent.on(b, 'click', offline);
                    return d;
                };
                note.addTo(map);
            }
            function watch(layer) {
                if (!(layer instanceof L.TileLayer) || layer.__atlasWatched) { return; }
                layer.__atlasWatched = true;
                layer.on('tileerror', function () {
                    failures += 1;
                    if (failures >= 2 && map.hasLayer(layer)) { show(); }
                });
                layer.on('tileload', function () { failures = 0; hide(); });
            }
            map.eachLayer(watch);
            map.on('layeradd', function (e) { watch(e.layer); });
            map.on('baselayerchange', function (e) { if (!(e.layer instanceof L.TileLayer)) { hide(); } });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, offline_label: str):
        super().__init__()
        self._name = "TileFailure"
        self.offline = offline_label


class OfflineLayer(MacroElement):
    """Name the offline basemap's layer for the tile-failure note's switch."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.__atlasOfflineLayer = {{ this._parent.get_name() }};
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "OfflineLayer"


class PlaceLabels(MacroElement):
    """GeoNames places and the shipped interstates, drawn while the offline basemap is shown.

    Labels follow the zoom (the biggest cities first) and are rebuilt for the
    view, so a few hundred at most exist at once.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var offlineName = {{ this.offline|tojson }};
            var places = null, roads = null;
            var labels = L.layerGroup(), lines = L.layerGroup();
            var on = {{ this.initially|tojson }};
            function minPop(z) { return z < 5 ? 600000 : z < 6 ? 250000 : z < 7 ? 100000 : z < 8 ? 40000 : 0; }
            var measure = document.createElement('canvas').getContext('2d');
            measure.font = '600 11px system-ui,sans-serif';
            function taken() {
                // what a label must not cover: the record markers and circles now on the map
                var boxes = [];
                map.eachLayer(function (l) {
                    if (!l.getLatLng || l.options.pane === 'placeLabels' || !l._map) { return; }
                    var p = map.latLngToContainerPoint(l.getLatLng()), r = l.getRadius ? l.getRadius() + 2 : 15;
                    boxes.push([p.x - r, p.y - r, p.x + r, p.y + r]);
                });
                return boxes;
            }
            function free(box, boxes) {
                for (var k = 0; k < boxes.length; k++) {
                    var o = boxes[k];
                    if (box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]) { return false; }
                }
                return true;
            }
            function redraw() {
                labels.clearLayers();
                if (!on || !places) { return; }
                var b = map.getBounds().pad(0.1), floor = minPop(map.getZoom()), shown = 0;
                var markers = taken(), placed = [], size = map.getSize();
                // biggest first; a label that would cover a record or a bigger place's label is left out
                for (var i = 0; i < places.length && shown < 160; i++) {
                    var p = places[i];
                    if (p[3] < floor) { break; }
                    if (!b.contains([p[1], p[2]])) { continue; }
                    var pt = map.latLngToContainerPoint([p[1], p[2]]);
                    var box = [pt.x - 3, pt.y - 8, pt.x + 6 + measure.measureText(p[0]).width, pt.y + 8];
                    if (box[0] < 0 || box[2] > size.x || box[1] < 0 || box[3] > size.y) { continue; }  // cut off
                    if (!free(box, placed) || !free(box, markers)) { continue; }
                    placed.push(box);
                    shown += 1;
                    L.circleMarker([p[1], p[2]], {pane: 'placeLabels', radius: 2, color: '#333', weight: 1,
                        fillOpacity: 1, interactive: false})
                        .bindTooltip(p[0], {permanent: true, direction: 'right', offset: [3, 0], pane: 'placeLabels',
                                            className: 'atlas-place-label', interactive: false})
                        .addTo(labels);
                }
                window.__atlasPlaceLabels = shown;
                window.__atlasPlaceBoxes = placed;
            }
            function drawRoads() {
                lines.clearLayers();
                if (!roads) { return; }
                roads.features.forEach(function (f) {
                    var ll = f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
                    var line = L.polyline(ll, {pane: 'placeLabels', color: '#b03a2e', weight: 1.6, opacity: 0.75,
                                               interactive: false});
                    line.addTo(lines);
                    var mid = ll[Math.floor(ll.length / 2)];
                    L.marker(mid, {pane: 'placeLabels', interactive: false,
                                   icon: L.divIcon({className: 'atlas-road-label-icon', html: '', iconSize: [0, 0]})})
                        .bindTooltip(f.properties.name, {permanent: true, direction: 'center', pane: 'placeLabels',
                                                         className: 'atlas-road-label', interactive: false})
                        .addTo(lines);
                });
            }
            function roadLabels() {
                // sign labels only where there is room for them
                var pane = map.getPane('placeLabels');
                if (pane) { pane.classList.toggle('atlas-no-road-labels', map.getZoom() < 6); }
            }
            map.on('zoomend', roadLabels);
            roadLabels();
            function set(state) {
                on = state;
                if (on) { labels.addTo(map); lines.addTo(map); redraw(); }
                else { map.removeLayer(labels); map.removeLayer(lines); window.__atlasPlaceLabels = 0; }
            }
            fetch({{ this.places_url|tojson }}).then(function (r) { return r.json(); }).then(function (d) {
                places = d; redraw();
            });
            fetch({{ this.roads_url|tojson }}).then(function (r) { return r.json(); }).then(function (d) {
                roads = d; drawRoads();
            });
            map.on('moveend zoomend', redraw);
            map.on('atlasbasemap', function (e) { set(e.name === offlineName); });
            set(on);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, places_url: str, roads_url: str, offline_label: str, initially: bool):
        super().__init__()
        self._name = "PlaceLabels"
        self.places_url = places_url
        self.roads_url = roads_url
        self.offline = offline_label
        self.initially = initially


class LegendImported(MacroElement):
    """Rewrite the legend's lines for imported layers (they change with what the user shows)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var box = document.querySelector('.atlas-legend .atlas-legend-imported');
            if (!box) { return; }
            box.innerHTML = {{ this.html|tojson }};
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str):
        super().__init__()
        self._name = "LegendImported"
        self.html = html
