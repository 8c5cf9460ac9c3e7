/* Drawing tools for the atlas map: a rectangle or polygon to filter by (its size shown in acres and km²)
   and a line that measures distance. Plain Leaflet, written for this app.

   A finished shape is announced as Leaflet.draw's `draw:created` event with the shape as `layer`, the event
   streamlit-folium reads into `last_active_drawing`; the app then draws the area itself, so this script
   removes its own copy. Areas are geodesic (spherical excess on the WGS84 semi-major axis, as Leaflet.draw
   does), distances are great-circle; both are within about 0.5 % of the server's equal-area figures. */
(function () {
  "use strict";
  var R_AREA = 6378137, R_DIST = 6371008.8, M2_PER_ACRE = 4046.8564224;

  function rad(d) { return d * Math.PI / 180; }

  function areaM2(latlngs) {
    var n = latlngs.length, total = 0;
    if (n < 3) { return 0; }
    for (var i = 0; i < n; i++) {
      var p1 = latlngs[i], p2 = latlngs[(i + 1) % n];
      total += rad(p2.lng - p1.lng) * (2 + Math.sin(rad(p1.lat)) + Math.sin(rad(p2.lat)));
    }
    return Math.abs(total * R_AREA * R_AREA / 2);
  }

  function distanceM(latlngs) {
    var total = 0;
    for (var i = 1; i < latlngs.length; i++) {
      var a = latlngs[i - 1], b = latlngs[i];
      var dlat = rad(b.lat - a.lat), dlng = rad(b.lng - a.lng);
      var h = Math.pow(Math.sin(dlat / 2), 2) + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.pow(Math.sin(dlng / 2), 2);
      total += 2 * R_DIST * Math.asin(Math.min(1, Math.sqrt(h)));
    }
    return total;
  }

  function fmt(x, digits) {
    return x.toLocaleString("en-US", {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }

  function areaText(latlngs) {
    var m2 = areaM2(latlngs);
    return fmt(m2 / M2_PER_ACRE, 0) + " acres · " + fmt(m2 / 1e6, 1) + " km²";
  }

  function distanceText(latlngs) {
    var m = distanceM(latlngs);
    return fmt(m / 1000, 2) + " km · " + fmt(m / 1609.344, 2) + " mi";
  }

  var DrawControl = L.Control.extend({
    options: {position: "topleft"},

    onAdd: function (map) {
      var box = L.DomUtil.create("div", "leaflet-bar atlas-draw");
      this._map = map;
      this._mode = null;
      this._readout = null;
      var self = this;
      [["rectangle", "▭", "Draw a rectangle to filter by"],
       ["polygon", "⬠", "Draw a polygon to filter by (click the corners, double-click to finish)"],
       ["line", "↔", "Measure a distance (click the points, double-click to finish)"],
       ["clear", "✕", "Clear the drawn area"]].forEach(function (t) {
        var a = L.DomUtil.create("a", "atlas-draw-" + t[0], box);
        a.href = "#"; a.title = t[2]; a.setAttribute("role", "button"); a.setAttribute("aria-label", t[2]);
        a.textContent = t[1];
        L.DomEvent.on(a, "click", function (e) { L.DomEvent.stop(e); self._start(t[0]); });
      });
      this._readout = L.DomUtil.create("div", "atlas-draw-readout", box);
      this._readout.style.display = "none";
      L.DomEvent.disableClickPropagation(box);
      return box;
    },

    _say: function (text) {
      this._readout.textContent = text || "";
      this._readout.style.display = text ? "" : "none";
    },

    _stop: function () {
      var map = this._map;
      var box = map.getContainer();
      L.DomEvent.off(box, "mousedown", this._domDown, this).off(box, "mousemove", this._domMove, this);
      L.DomEvent.off(box, "mousedown", this._pressAt, this).off(box, "mouseup", this._domClick, this);
      L.DomEvent.off(box, "dblclick", this._domDbl, this);
      L.DomEvent.off(document, "mouseup", this._docUp, this);
      map.dragging.enable();
      map.doubleClickZoom.enable();
      map.getContainer().style.cursor = "";
      if (this._temp) { map.removeLayer(this._temp); this._temp = null; }
      this._mode = null;
    },

    _start: function (mode) {
      this._stop();
      if (this._measured) { this._map.removeLayer(this._measured); this._measured = null; }
      if (mode === "clear") { this._say(""); this._announce(L.polygon([[0, 0], [0, 0], [0, 0]]), "clear"); return; }
      var map = this._map, box = map.getContainer();
      this._mode = mode;
      this._points = [];
      map.getContainer().style.cursor = "crosshair";
      map.doubleClickZoom.disable();
      if (mode === "rectangle") {
        map.dragging.disable();
        // DOM events, not map events: the map's own handlers are reset when the app reruns mid-drawing
        L.DomEvent.on(box, "mousedown", this._domDown, this).on(box, "mousemove", this._domMove, this);
        // on the document: the button may be released over the drawn shape, a control or outside the map
        L.DomEvent.on(document, "mouseup", this._docUp, this);
        this._say("Drag to draw a rectangle");
      } else {
        // a point is a press and release without moving (a drag still pans the map)
        L.DomEvent.on(box, "mousedown", this._pressAt, this).on(box, "mouseup", this._domClick, this);
        L.DomEvent.on(box, "mousemove", this._domMove, this).on(box, "dblclick", this._domDbl, this);
        this._say(mode === "line" ? "Click points; double-click to finish" : "Click corners; double-click to finish");
      }
    },

    _down: function (e) {
      // no text selection or native drag while drawing: either would swallow the mouseup
      if (e.originalEvent) { L.DomEvent.preventDefault(e.originalEvent); }
      L.DomUtil.disableTextSelection();
      this._corner = e.latlng;
      this._temp = L.rectangle(L.latLngBounds(e.latlng, e.latlng), {color: "#7b2cbf", weight: 2, interactive: false})
        .addTo(this._map);
    },

    _move: function (e) {
      if (this._mode === "rectangle" && this._corner) {
        var b = L.latLngBounds(this._corner, e.latlng);
        this._temp.setBounds(b);
        this._say(areaText(this._temp.getLatLngs()[0]));
      } else if (this._points && this._points.length) {
        var pts = this._points.concat([e.latlng]);
        this._sketch(pts);
      }
    },

    _ev: function (ev) { return {latlng: this._map.mouseEventToLatLng(ev), originalEvent: ev}; },
    _inside: function (ev) { return !(ev.target && ev.target.closest && ev.target.closest(".leaflet-control")); },
    _domDown: function (ev) { if (this._inside(ev)) { this._down(this._ev(ev)); } },
    _domMove: function (ev) { this._move(this._ev(ev)); },
    _pressAt: function (ev) { this._press = [ev.clientX, ev.clientY]; },
    _domClick: function (ev) {
      var p = this._press;
      this._press = null;
      if (!p || ev.button !== 0 || !this._inside(ev)) { return; }
      if (Math.abs(ev.clientX - p[0]) + Math.abs(ev.clientY - p[1]) > 4) { return; }
      this._click(this._ev(ev));
    },
    _domDbl: function (ev) { if (this._inside(ev)) { L.DomEvent.stop(ev); this._dbl(this._ev(ev)); } },

    _docUp: function (ev) {
      this._up({latlng: this._map.mouseEventToLatLng(ev)});
    },

    _up: function (e) {
      if (!this._corner) { return; }
      L.DomUtil.enableTextSelection();
      var b = L.latLngBounds(this._corner, e.latlng);
      this._corner = null;
      var shape = L.rectangle(b);
      var text = areaText(shape.getLatLngs()[0]);
      this._stop();
      this._say(text);
      this._announce(shape, "rectangle");
    },

    _sketch: function (pts) {
      var map = this._map;
      if (this._temp) { map.removeLayer(this._temp); }
      var style = {color: "#7b2cbf", weight: 2, dashArray: "4 4", interactive: false};
      this._temp = (this._mode === "line" || pts.length < 3 ? L.polyline(pts, style) : L.polygon(pts, style)).addTo(map);
      this._say(this._mode === "line" ? distanceText(pts) : (pts.length >= 3 ? areaText(pts) : ""));
    },

    _click: function (e) {
      var last = this._points[this._points.length - 1], map = this._map;
      // the two presses of a double-click make one point
      if (last && map.latLngToContainerPoint(last).distanceTo(map.latLngToContainerPoint(e.latlng)) < 4) { return; }
      this._points.push(e.latlng);
      this._sketch(this._points);
    },

    _dbl: function (e) {
      var pts = this._points, mode = this._mode;
      this._stop();
      if (mode === "line") {
        this._say(pts.length >= 2 ? distanceText(pts) : "");
        if (pts.length >= 2) { this._measured = L.polyline(pts, {color: "#7b2cbf", weight: 2}).addTo(this._map); }
        return;
      }
      var shape = L.polygon(pts);
      this._say(pts.length >= 3 ? areaText(pts) : "");
      this._announce(shape, "polygon");
    },

    _announce: function (shape, kind) {
      // A counter tells the app a new drawing from the same one sent again on a rerun.
      shape.feature = {type: "Feature", properties: {drawn: kind, n: Date.now()}};
      window.drawnItems = L.featureGroup([shape]);
      this._map.fire("draw:created", {layer: shape, layerType: kind});
    }
  });

  window.atlasDraw = {
    add: function (map) { window.atlasDraw.control = new DrawControl().addTo(map); return window.atlasDraw.control; },
    areaM2: areaM2,
    distanceM: distanceM
  };
})();
