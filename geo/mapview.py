"""Folium layers for the event table: an offline basemap, and one clustered marker per event.

The map is split the way the dashboard uses it: ``base_map`` (country outlines,
the optional online tiles, the view fitted to all events) stays the same while
the user filters, and ``event_layer`` (markers and legend) is what a filter
swaps.  ``event_map`` joins the two, e.g. to save a stand-alone page.

Markers are built in the browser from one data array, so a large table stays a
single JSON value rather than one script per marker.  Article text is untrusted:
it reaches the browser only as JSON data (HTML-special characters escaped by the
``tojson`` filter) and is put into popups and tooltips with ``textContent``,
never parsed as HTML.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import folium
import folium.plugins
import numpy as np
import orjson
import pandas as pd
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo import assets
from geo.table import EVENT_TYPES

# One colour per ACLED event type (colour-blind-safe Okabe-Ito hues), used by the
# markers and the legend alike.
EVENT_COLOURS: dict[str, str] = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#CC79A7",
    "Protests": "#009E73",
    "Riots": "#0072B2",
    "Strategic developments": "#56B4E9",
}
OTHER_COLOUR = "#777777"  # a type outside ACLED's six, should a bad row get through

# The columns a marker carries to the browser, in the order of each data row.
MARKER_FIELDS: tuple[str, ...] = (
    "latitude", "longitude", "event_id", "event_type", "sub_event_type", "event_date",
    "location", "country", "fatalities", "source", "notes",
)
WORLD_BOUNDS = [[-50.0, -150.0], [70.0, 160.0]]
FIT_MAX_ZOOM = 7  # past this the simplified outlines show nothing more
HEAT_MAX_FATALITIES = 100  # one massacre should not drown every other hot spot
MAX_ZOOM = 18  # OpenStreetMap's deepest zoom; a cluster whose events share a point opens there
CLUSTER_CELL_PX = 60  # events closer than this on screen are drawn as one cluster
NOTES_PER_FILE = 2000  # excerpts per served file: a popup fetches a few hundred kilobytes at most
MAP_CSS = """
<style>
  .leaflet-container { background: #dce8f0; }
  .newsmap-event { border: 2px solid #fff; border-radius: 50%; box-shadow: 0 0 2px rgba(0, 0, 0, 0.6); }
  .newsmap-cluster div { width: 100%; height: 100%; box-sizing: border-box; border-radius: 50%;
                         border: 4px solid; background: rgba(255, 255, 255, 0.88); color: #222;
                         font: bold 12px/1 sans-serif; display: flex; align-items: center;
                         justify-content: center; box-shadow: 0 0 3px rgba(0, 0, 0, 0.5); cursor: pointer; }
  .newsmap-popup { max-width: 320px; font-size: 13px; line-height: 1.35; }
  .newsmap-popup .newsmap-excerpt { margin: 6px 0 0; padding-left: 6px; border-left: 3px solid #bbb; }
  .newsmap-legend { background: rgba(255, 255, 255, 0.9); padding: 6px 8px; border-radius: 4px;
                    font-size: 12px; line-height: 18px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); }
  .newsmap-legend .newsmap-swatch { display: inline-block; width: 11px; height: 11px;
                                    margin-right: 6px; border-radius: 50%; vertical-align: -1px; }
</style>
"""

# The event layer, defined once per page.  Markers are grid-clustered in the browser for
# the part of the world in view: each redraw bins the events' Web Mercator points into
# cells of ``CELL`` pixels, so it costs a few milliseconds at 50,000 events and the page
# never holds more than a few hundred marker elements.  Leaflet.markercluster took
# seconds to build its tree at that size.
#
# Every text goes in through textContent (or createTextNode), so markup in an article is
# shown, never run.  An event marker carries its event id in ``marker.feature`` because
# streamlit-folium reports the clicked layer's ``toGeoJSON()`` as ``last_active_drawing``;
# cluster markers sit in a plain LayerGroup, whose clicks do not reach streamlit-folium
# (a click on a cluster zooms in and should not rerun the app).
_EVENT_LAYER_JS = Template(
    """if (!window.NewsmapEvents) {
(function () {
    var fields = {{ fields|tojson }};
    var colours = {{ colours|tojson }};
    var otherColour = {{ other_colour|tojson }};
    var CELL = {{ cell }};
    var EventIcon = L.DivIcon.extend({
        createIcon: function (oldIcon) {
            var div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
            div.style.background = this.options.colour;
            div.dataset.eventType = this.options.eventType;
            return div;
        }
    });
    var icons = {};
    function iconFor(eventType) {
        if (!icons[eventType]) {
            icons[eventType] = new EventIcon({
                className: "newsmap-event", html: "", iconSize: [14, 14],
                colour: colours[eventType] || otherColour, eventType: eventType
            });
        }
        return icons[eventType];
    }
    function line(parent, tag, text, className) {
        var node = document.createElement(tag);
        node.textContent = text;
        if (className) { node.className = className; }
        parent.appendChild(node);
        return node;
    }
    function heading(event) {
        return event.event_type + (event.sub_event_type ? ": " + event.sub_event_type : "");
    }
    function place(event) {
        var names = [event.location];
        if (event.country !== event.location) { names.push(event.country); }  // "Syria", not "Syria, Syria"
        return names.filter(Boolean).join(", ") || "unknown place";
    }
    function popup(event) {
        var box = document.createElement("div");
        box.className = "newsmap-popup";
        box.dataset.ready = "true";
        line(box, "strong", heading(event));
        line(box, "div", "Date: " + (event.event_date || "unknown"));
        line(box, "div", "Place: " + place(event));
        line(box, "div", "Fatalities: " + (event.fatalities === null ? "not reported" : event.fatalities));
        line(box, "div", "Article: " + (event.source || ""));
        line(box, "p", event.notes || "", "newsmap-excerpt");
        return box;
    }
    function tooltip(event) {
        var box = document.createElement("div");
        box.textContent = heading(event) + " | " + place(event) + " | " + (event.event_date || "");
        return box;
    }
    // Rows (a stand-alone page) or the served columns, as columns either way.
    function toColumns(table) {
        if (!Array.isArray(table)) { return table; }
        return {length: table.length, columns: fields.map(function (field, f) {
            return {values: table.map(function (row) { return row[f]; })};
        })};
    }
    // Web Mercator on a world one unit wide: times 256 * 2^zoom, Leaflet's pixel coordinates.
    function mercator(lat, lng) {
        var sin = Math.sin(Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI / 180);
        return [(lng + 180) / 360, 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)];
    }
    function clusterIcon(count, colour) {
        var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 48;
        var div = document.createElement("div");
        div.style.borderColor = colour;
        div.textContent = count >= 10000 ? Math.round(count / 1000) + "k" : String(count);
        return L.divIcon({html: div, className: "newsmap-cluster", iconSize: [size, size]});
    }

    window.NewsmapEvents = L.FeatureGroup.extend({
        initialize: function () {
            L.FeatureGroup.prototype.initialize.call(this, []);
            this._clusters = L.layerGroup();
            this._columns = [];
            this._count = 0;
            this._shown = new Map();  // event index -> its marker on the map
            this._clustersShown = new Map();  // zoom, cell and size -> its cluster marker
            this._drawn = null;  // zoom and pixel bounds of the last redraw
        },
        setRows: function (table) {
            // New rows: markers and clusters of the old ones go, their indices mean nothing now.
            this._unspiderfy();
            this.clearLayers();
            this._clusters.clearLayers();
            this._shown = new Map();
            this._clustersShown = new Map();
            table = toColumns(table);
            this._columns = table.columns;
            this._count = table.length;
            var lat = this._field("latitude"), lng = this._field("longitude");
            this._x = new Float64Array(this._count);
            this._y = new Float64Array(this._count);
            for (var i = 0; i < this._count; i++) {
                var point = mercator(lat[i], lng[i]);
                this._x[i] = point[0];
                this._y[i] = point[1];
            }
            this._ids = null;
            this._redraw(true);
        },
        onAdd: function (map) {
            L.FeatureGroup.prototype.onAdd.call(this, map);
            map.addLayer(this._clusters);
            map.on("moveend", this._onMove, this);
            map.on("zoomstart click", this._unspiderfy, this);
            this._redraw(true);
        },
        onRemove: function (map) {
            map.off("moveend", this._onMove, this);
            map.off("zoomstart click", this._unspiderfy, this);
            map.removeLayer(this._clusters);
            L.FeatureGroup.prototype.onRemove.call(this, map);
            this._clusters.clearLayers();
            this._clustersShown = new Map();
            this._drawn = null;
        },
        // For tests and tools: every event, clustered or not.
        eventCount: function () { return this._count; },
        eventTypes: function () { return Array.from(this._field("event_type")); },
        eventIds: function () { return Array.from(this._field("event_id")); },
        eventLatLng: function (eventId) {
            var i = this._indexOf(eventId);
            return i < 0 ? null : [this._field("latitude")[i], this._field("longitude")[i]];
        },
        // Zooms until the event has a marker of its own (opening a cluster whose events share
        // one point) and returns that marker, or null for an event not on this layer.
        reveal: function (eventId) {
            var i = this._indexOf(eventId), map = this._map;
            if (i < 0 || !map) { return null; }
            var zoom = map.getZoom(), maxZoom = map.getMaxZoom();
            while (zoom < maxZoom && !this._standsAlone(i, zoom)) { zoom++; }
            map.setView(this._latLng(i), zoom, {animate: false});
            this._redraw(true);
            if (this._shown.has(i)) { return this._shown.get(i); }
            var self = this, found = null;
            this._clusters.eachLayer(function (cluster) {
                if (cluster.newsmapMembers && cluster.newsmapMembers.indexOf(i) >= 0) {
                    found = self._spiderfy(cluster)[i];
                }
            });
            return found;
        },

        _field: function (name) {
            var column = this._columns[fields.indexOf(name)];
            if (!column) { return []; }  // the rows are still on their way
            if (!column.labels) { return column.values; }
            if (!column.decoded) {
                column.decoded = Array.from(column.codes, function (code) {
                    return code < 0 ? null : column.labels[code];
                });
            }
            return column.decoded;
        },
        _event: function (i) {
            var event = {};
            for (var f = 0; f < fields.length; f++) {
                var column = this._columns[f];
                if (column.files) { continue; }  // fetched when its popup opens
                event[fields[f]] = column.labels
                    ? (column.codes[i] < 0 ? null : column.labels[column.codes[i]]) : column.values[i];
            }
            return event;
        },
        _indexOf: function (eventId) {
            if (!this._ids) {
                this._ids = new Map();
                var ids = this._field("event_id");
                for (var i = 0; i < ids.length; i++) { this._ids.set(ids[i], i); }
            }
            var i = this._ids.get(eventId);
            return i === undefined ? -1 : i;
        },
        _latLng: function (i) { return L.latLng(this._field("latitude")[i], this._field("longitude")[i]); },
        // The excerpt of event ``i``, from its file when the excerpts were served apart.
        _notes: function (i) {
            var column = this._columns[fields.indexOf("notes")];
            if (!column.files) { return Promise.resolve(column.values[i]); }
            var file = Math.floor(i / column.per_file);
            column.fetched = column.fetched || {};
            if (!column.fetched[file]) {
                column.fetched[file] = fetch(column.files[file]).then(function (response) { return response.json(); });
            }
            return column.fetched[file].then(function (notes) { return notes[i % column.per_file]; });
        },
        _marker: function (i, latLng) {
            var event = this._event(i), self = this;
            var marker = L.marker(latLng || this._latLng(i), {icon: iconFor(event.event_type)});
            marker.feature = {type: "Feature", properties: {event_id: event.event_id, event_type: event.event_type}};
            marker.bindPopup(function () {
                if ("notes" in event) { return popup(event); }
                var box = popup(event);
                delete box.dataset.ready;  // tells a test (or a screen reader's user) the excerpt is on its way
                box.setAttribute("aria-busy", "true");
                self._notes(i).then(function (notes) {
                    event.notes = notes;
                    box.querySelector(".newsmap-excerpt").textContent = notes || "";
                }).catch(function () {
                    box.querySelector(".newsmap-excerpt").textContent = "(the excerpt could not be loaded: reload the page)";
                }).then(function () {
                    box.removeAttribute("aria-busy");
                    box.dataset.ready = "true";
                    if (marker.isPopupOpen()) { marker.getPopup().update(); }
                });
                return box;
            }, {maxWidth: 340});
            marker.bindTooltip(function () { return tooltip(event); });
            return marker;
        },
        _cell: function (i, scale) {
            return Math.floor(this._x[i] * scale / CELL) * 4194304 + Math.floor(this._y[i] * scale / CELL);
        },
        // True when no other event shares the event's cell at ``zoom``, or those that do can
        // never part (the same point, give or take a cell at the deepest zoom).
        _standsAlone: function (i, zoom) {
            var scale = 256 * Math.pow(2, zoom), cell = this._cell(i, scale), members = [];
            for (var j = 0; j < this._count; j++) {
                if (this._cell(j, scale) === cell) { members.push(j); }
            }
            return members.length === 1 || this._inseparable(members);
        },
        _inseparable: function (members) {
            var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
            members.forEach(function (j) {
                minX = Math.min(minX, this._x[j]); maxX = Math.max(maxX, this._x[j]);
                minY = Math.min(minY, this._y[j]); maxY = Math.max(maxY, this._y[j]);
            }, this);
            var deepest = 256 * Math.pow(2, this._map.getMaxZoom());
            return Math.max(maxX - minX, maxY - minY) * deepest < CELL;
        },
        _onMove: function () { this._redraw(false); },
        _redraw: function (force) {
            var map = this._map;
            if (!map) { return; }
            var zoom = map.getZoom(), view = map.getPixelBounds();
            // A viewport of margin on each side: small pans (a popup making room) redraw nothing.
            if (!force && this._drawn && this._drawn.zoom === zoom && this._drawn.bounds.contains(view)) { return; }
            var size = view.getSize(), bounds = L.bounds(view.min.subtract(size), view.max.add(size));
            var scale = 256 * Math.pow(2, zoom), cells = new Map();
            for (var i = 0; i < this._count; i++) {
                var px = this._x[i] * scale, py = this._y[i] * scale;
                if (px < bounds.min.x || px > bounds.max.x || py < bounds.min.y || py > bounds.max.y) { continue; }
                var key = Math.floor(px / CELL) * 4194304 + Math.floor(py / CELL), members = cells.get(key);
                if (members) { members.push(i); } else { cells.set(key, [i]); }
            }
            this._unspiderfy();
            // Markers and clusters that stay keep their elements: no flicker, and a popup stays open.
            var keep = new Map(), keepClusters = new Map(), self = this;
            cells.forEach(function (members, key) {
                if (members.length === 1) {
                    keep.set(members[0], self._shown.get(members[0]) || self._marker(members[0]));
                    return;
                }
                key = zoom + ":" + key + ":" + members.length;
                keepClusters.set(key, self._clustersShown.get(key) || self._clusterMarker(members, scale));
            });
            this._shown.forEach(function (marker, i) { if (!keep.has(i)) { self.removeLayer(marker); } });
            keep.forEach(function (marker, i) { if (!self._shown.has(i)) { self.addLayer(marker); } });
            this._clustersShown.forEach(function (marker, key) {
                if (!keepClusters.has(key)) { self._clusters.removeLayer(marker); }
            });
            keepClusters.forEach(function (marker, key) {
                if (!self._clustersShown.has(key)) { self._clusters.addLayer(marker); }
            });
            this._shown = keep;
            this._clustersShown = keepClusters;
            this._drawn = {zoom: zoom, bounds: bounds};
        },
        _clusterMarker: function (members, scale) {
            var sumX = 0, sumY = 0, byType = {}, types = this._field("event_type"), top = null;
            members.forEach(function (j) {
                sumX += this._x[j]; sumY += this._y[j];
                byType[types[j]] = (byType[types[j]] || 0) + 1;
                if (top === null || byType[types[j]] > byType[top]) { top = types[j]; }
            }, this);
            var centre = this._map.unproject(L.point(sumX / members.length * scale, sumY / members.length * scale),
                                             this._map.getZoom());
            var cluster = L.marker(centre, {icon: clusterIcon(members.length, colours[top] || otherColour),
                                            zIndexOffset: -1000, keyboard: false});
            cluster.newsmapMembers = members;
            cluster.on("click", function () {
                if (this._map.getZoom() >= this._map.getMaxZoom() || this._inseparable(members)) {
                    this._spiderfy(cluster);
                    return;
                }
                var lat = this._field("latitude"), lng = this._field("longitude");
                this._map.fitBounds(L.latLngBounds(members.map(function (j) { return [lat[j], lng[j]]; })),
                                    {padding: [40, 40]});
            }, this);
            return cluster;
        },
        // Spreads a cluster's events around it (a circle, or a spiral when many), each with a leg
        // to the shared point; returns their markers by event index.
        _spiderfy: function (cluster) {
            this._unspiderfy();
            var map = this._map, centre = map.latLngToLayerPoint(cluster.getLatLng());
            var members = cluster.newsmapMembers, count = members.length, markers = {}, legs = [];
            var angle = 0, radius = 11 * 2;
            members.forEach(function (j, k) {
                var offset;
                if (count <= 8) {
                    var ring = Math.max(28, count * 20 / (2 * Math.PI));
                    offset = L.point(ring * Math.cos(2 * Math.PI * k / count), ring * Math.sin(2 * Math.PI * k / count));
                } else {
                    angle += 20 / radius + 0.0005 * k;
                    radius += 20 / (2 * Math.PI) * (20 / radius);
                    offset = L.point(radius * Math.cos(angle), radius * Math.sin(angle));
                }
                var where = map.layerPointToLatLng(centre.add(offset));
                var marker = this._marker(j, where);
                marker.setZIndexOffset(1000);
                markers[j] = marker;
                legs.push(L.polyline([cluster.getLatLng(), where], {color: "#333", weight: 1.2, opacity: 0.6,
                                                                     interactive: false}));
                this.addLayer(marker);
            }, this);
            cluster.setOpacity(0.35);
            legs.forEach(function (leg) { this._clusters.addLayer(leg); }, this);
            this._spider = {cluster: cluster, markers: markers, legs: legs};
            return markers;
        },
        _unspiderfy: function () {
            if (!this._spider) { return; }
            var spider = this._spider;
            this._spider = null;
            Object.keys(spider.markers).forEach(function (j) { this.removeLayer(spider.markers[j]); }, this);
            spider.legs.forEach(function (leg) { this._clusters.removeLayer(leg); }, this);
            spider.cluster.setOpacity(1);
        }
    });
})();
}"""
)


@functools.cache
def _event_layer_js() -> str:
    # The same for every layer: rendered once, not on every filter change.
    return _EVENT_LAYER_JS.render(fields=MARKER_FIELDS, colours=EVENT_COLOURS, other_colour=OTHER_COLOUR,
                                  cell=CLUSTER_CELL_PX)


class EventMarkers(Layer):
    """The events' markers, clustered in the browser from one table of ``MARKER_FIELDS`` columns.

    The rows are either written into the page (``rows``: a stand-alone file) or fetched
    from ``rows_url`` (the dashboard): a large table then never passes through folium's
    template engine or the page's script, and the page stays a few kilobytes.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this.layer_js }}
            var {{ this.get_name() }} = new window.NewsmapEvents();
            {% if this.rows_url %}
            fetch({{ this.rows_url|tojson }})
                .then(function (response) { return response.json(); })
                .then(function (table) { {{ this.get_name() }}.setRows(table); })
                .catch(function (error) { console.warn("newsmap: no event rows", error); });
            {% else %}
            {{ this.get_name() }}.setRows({{ this.rows_json }});
            {% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list] | None = None, rows_url: str | None = None):
        super().__init__(name="Event markers", control=False)
        self._name = "EventMarkers"
        self.rows_url = rows_url
        self.rows_json = inert_json(rows or [])
        self.layer_js = _event_layer_js()


class CountryOutlines(Layer):
    """The basemap: country polygons fetched from the static folder, drawn without any tile server."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJSON(null, {{ this.options|tojson }});
            {% if this.data %}
            {{ this.get_name() }}.addData({{ this.data|tojson }});
            {% else %}
            fetch({{ this.url|tojson }})
                .then(function (response) { return response.json(); })
                .then(function (outlines) { {{ this.get_name() }}.addData(outlines); })
                .catch(function (error) { console.warn("newsmap: no country outlines", error); });
            {% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, url: str, filled: bool = True, data: dict | None = None):
        super().__init__(name="Countries", control=False)
        self._name = "CountryOutlines"
        self.url = url
        self.data = data  # written into the page (a stand-alone file) instead of fetched
        # Not clickable: a click on land must not count as a click on an object.
        self.options = {
            "interactive": False,
            "style": {"color": "#8d8778", "weight": 0.8, "fillColor": "#f5f2ea",
                      "fillOpacity": 1 if filled else 0},
        }


class HeatPlugin(JSCSSMixin, MacroElement):
    """Loads the heat-map plugin with the base map.

    streamlit-folium loads the scripts of the base map's elements only, so a heat layer
    that comes later with a swapped layer needs its script there from the start.
    """

    _template = Template("")
    default_js = [("leaflet-heat.js", "leaflet-heat.js")]  # the name is what assets.localize maps

    def __init__(self):
        super().__init__()
        self._name = "HeatPlugin"


class Legend(MacroElement):
    """The colour key of the event types present; it comes and goes with its parent layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var layer = {{ this._parent.get_name() }};
                var entries = {{ this.entries|tojson }};
                var legend = L.control({position: "bottomright"});
                legend.onAdd = function () {
                    var box = L.DomUtil.create("div", "newsmap-legend");
                    entries.forEach(function (entry) {
                        var row = L.DomUtil.create("div", "", box);
                        L.DomUtil.create("span", "newsmap-swatch", row).style.background = entry[1];
                        row.appendChild(document.createTextNode(entry[0]));
                    });
                    return box;
                };
                layer.on("add", function () { legend.addTo(layer._map); });
                layer.on("remove", function () { legend.remove(); });
                if (layer._map) { legend.addTo(layer._map); }
            })();
        {% endmacro %}
        """
    )

    def __init__(self, entries: list[tuple[str, str]]):
        super().__init__()
        self._name = "Legend"
        self.entries = entries


def inert_json(rows: list[list]) -> str:
    r"""JSON of rows of scalars that stays inert in a page and in folium's templates.

    folium renders an element's script and then parses the result as a Jinja template once
    more, so ``{{ ... }}`` or ``{% ... %}`` in an article would run on the server. Braces,
    like ``<``, ``>``, ``&`` and quotes, are written as JSON escapes; that is only valid inside
    strings, which is where they are in rows of scalars.

    >>> print(inert_json([["{{ 7*7 }} <b>", 1.5, None]]))
    [["\u007b\u007b 7*7 \u007d\u007d \u003cb\u003e",1.5,null]]
    """
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    for character, escape in _INERT:
        text = text.replace(character, escape)
    return text


_INERT = (("{", "\\u007b"), ("}", "\\u007d"), ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
          ("'", "\\u0027"))


def event_colour(event_type: str) -> str:
    """The marker colour of an event type.

    >>> event_colour("Battles")
    '#D55E00'
    >>> event_colour("not an ACLED type")
    '#777777'
    """
    return EVENT_COLOURS.get(event_type, OTHER_COLOUR)


def legend_entries(events: pd.DataFrame) -> list[tuple[str, str]]:
    """(event type, colour) for each type with a drawn marker, in ACLED's order, others last."""
    present = set(events.loc[_has_point(events), "event_type"].dropna().unique())
    ordered = [t for t in EVENT_TYPES if t in present] + sorted(present - set(EVENT_TYPES))
    return [(t, event_colour(t)) for t in ordered]


def mapped_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events that have coordinates; unresolved ones stay in the table but get no marker."""
    return events[_has_point(events)]


def _has_point(events: pd.DataFrame) -> pd.Series:
    return events["latitude"].notna() & events["longitude"].notna()


def event_bounds(events: pd.DataFrame) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the mapped events, or None when there are none."""
    mapped = mapped_events(events)
    if mapped.empty:
        return None
    return [[float(mapped["latitude"].min()), float(mapped["longitude"].min())],
            [float(mapped["latitude"].max()), float(mapped["longitude"].max())]]


def marker_rows(events: pd.DataFrame) -> list[list]:
    """One JSON-ready row of ``MARKER_FIELDS`` per mapped event (missing values become None)."""
    # Only the marker's columns are taken: selecting whole rows of a large table costs more.
    columns = events.loc[_has_point(events), list(MARKER_FIELDS)]
    return columns.to_numpy(dtype=object, na_value=None).tolist()


# Columns with few distinct values travel as labels and codes: smaller, and built without a
# Python object per cell.
_CODED_FIELDS = frozenset({"event_type", "sub_event_type", "event_date", "location", "country", "source"})


def marker_columns(events: pd.DataFrame, notes_file: Callable[[list], str] | None = None) -> dict:
    """``marker_rows`` column by column, as the browser fetches them: ``{"length", "columns"}``.

    Each column is ``{"values": [...]}``, or ``{"labels": [...], "codes": [...]}`` (code -1 is
    missing) for the repeated texts.  With ``notes_file`` (a list of excerpts -> its URL) the
    excerpts, most of the bytes, go to files of ``NOTES_PER_FILE`` and the column is
    ``{"files": [...], "per_file": n}``: a popup fetches the one file its excerpt is in.
    """
    mapped = events.loc[_has_point(events), list(MARKER_FIELDS)]
    columns = []
    for field in MARKER_FIELDS:
        column = mapped[field]
        if field in _CODED_FIELDS:
            codes, labels = pd.factorize(column, use_na_sentinel=True)
            columns.append({"labels": [str(label) for label in labels], "codes": codes.astype(np.int32)})
        elif column.dtype.kind == "f":
            columns.append({"values": column.to_numpy(dtype=np.float64)})
        elif field == "notes" and notes_file is not None:
            values = column.to_numpy(dtype=object, na_value=None).tolist()
            columns.append({"files": [notes_file(values[first:first + NOTES_PER_FILE])
                                      for first in range(0, len(values), NOTES_PER_FILE)],
                            "per_file": NOTES_PER_FILE})
        else:
            columns.append({"values": column.to_numpy(dtype=object, na_value=None).tolist()})
    return {"length": len(mapped), "columns": columns}


def event_layer(events: pd.DataFrame, base_url: str = assets.STATIC_URL,
                heatmap: bool = False, served: bool = False) -> folium.FeatureGroup:
    """The swappable layer: clustered markers, coloured by event type, and their legend.

    ``heatmap`` adds a heat layer under the markers, weighted by one plus the fatalities,
    so that deadly places glow brighter than busy ones.  ``served`` writes the marker rows
    to the static folder (``assets.publish``) for the browser to fetch, instead of into the
    page: what a server does; a stand-alone file keeps them inline.
    """
    layer = folium.FeatureGroup(name="Events")
    if heatmap:
        mapped = mapped_events(events)
        if not mapped.empty:
            weights = 1 + mapped["fatalities"].fillna(0).clip(upper=HEAT_MAX_FATALITIES)
            points = pd.concat([mapped["latitude"], mapped["longitude"], weights.astype(float)], axis=1)
            folium.plugins.HeatMap(points.values.tolist(), radius=18, blur=14, min_opacity=0.3,
                                   max_zoom=FIT_MAX_ZOOM).add_to(layer)
    if served:
        def notes_file(notes: list) -> str:
            return assets.static_url(assets.publish(orjson.dumps(notes), ".json"), base_url)

        table = marker_columns(events, notes_file)
        target = assets.publish(orjson.dumps(table, option=orjson.OPT_SERIALIZE_NUMPY), ".json")
        EventMarkers(rows_url=assets.static_url(target, base_url)).add_to(layer)
    else:
        EventMarkers(marker_rows(events)).add_to(layer)
    entries = legend_entries(events)
    if entries:
        Legend(entries).add_to(layer)
    return assets.localize(layer, base_url)


def base_map(events: pd.DataFrame, online_tiles: bool = False, base_url: str = assets.STATIC_URL,
             outlines: dict | None = None) -> folium.Map:
    """The map without markers: country outlines, fitted to ``events``.

    ``online_tiles`` adds OpenStreetMap's tiles, fetched from the internet; off
    by default so that nothing leaves the machine.
    """
    folium_map = folium.Map(tiles=None, maxZoom=MAX_ZOOM, control_scale=True)
    folium_map.get_root().header.add_child(Element(MAP_CSS), name="newsmap_css")
    assets.LeafletImagePath(base_url).add_to(folium_map)
    HeatPlugin().add_to(folium_map)
    if online_tiles:
        folium.TileLayer("OpenStreetMap", max_zoom=MAX_ZOOM, control=False).add_to(folium_map)
    # With tiles underneath, the outlines stay as borders only.
    CountryOutlines(assets.static_url(assets.COUNTRY_OUTLINES, base_url), filled=not online_tiles,
                    data=outlines).add_to(folium_map)
    folium_map.fit_bounds(event_bounds(events) or WORLD_BOUNDS, max_zoom=FIT_MAX_ZOOM, padding=(30, 30))
    return assets.localize(folium_map, base_url)


def event_map(events: pd.DataFrame, online_tiles: bool = False, base_url: str = assets.STATIC_URL) -> folium.Map:
    """The whole map in one piece: ``base_map`` with ``event_layer`` on it."""
    folium_map = base_map(events, online_tiles, base_url)
    event_layer(events, base_url).add_to(folium_map)
    return folium_map


def standalone_html(events: pd.DataFrame) -> str:
    """The map of ``events`` as one HTML file that opens offline: scripts, styles, outlines and rows written in."""
    folium_map = base_map(events, base_url=assets.INLINE_BASE, outlines=assets.outlines_data())
    event_layer(events, assets.INLINE_BASE).add_to(folium_map)
    return assets.inline(folium_map.get_root().render())


def clicked_event_id(map_state: dict | None) -> str | None:
    """The event id of the marker last clicked, from what ``st_folium`` returned.

    Expects ``last_active_drawing`` among the returned objects; a click on a
    cluster or on nothing gives None.

    >>> clicked_event_id({"last_active_drawing": {"properties": {"event_id": "a-1"}}})
    'a-1'
    >>> clicked_event_id({"last_active_drawing": None}) is None
    True
    """
    feature = (map_state or {}).get("last_active_drawing") or {}
    return (feature.get("properties") or {}).get("event_id")
