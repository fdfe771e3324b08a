// newsmap's event layer for Leaflet: one marker per event, grid-clustered in the browser.
//
// newsmapDefineEvents(settings) defines window.NewsmapEvents once per page; settings is one
// object {fields, colours, otherColour, cell} written by geo/mapview.py. Each redraw bins the
// events' Web Mercator points into cells of `cell` pixels for the part of the world in view, so
// it costs a few milliseconds at 50,000 events and the page never holds more than a few hundred
// marker elements (Leaflet.markercluster took seconds to build its tree at that size).
//
// Article text is untrusted: every text goes in through textContent or createTextNode, so
// markup in an article is shown, never run. An event marker carries its event id in
// marker.feature because streamlit-folium reports the clicked layer's toGeoJSON() as
// last_active_drawing; cluster markers sit in a plain LayerGroup, whose clicks do not reach
// streamlit-folium (a click on a cluster zooms in and should not rerun the app).
// Needs Leaflet (L) and newsmap-columns.js (NewsmapColumns). The page may carry this file once
// per layer it swaps in: it defines its functions on the first run only.

(function () {
if (globalThis.newsmapEventLayer) { return; }

function newsmapFetchJson(url) {
    return fetch(url).then(function (response) { return response.json(); });
}

function newsmapDefineEvents(settings) {
    if (globalThis.NewsmapEvents) { return; }
    var fields = settings.fields;
    var colours = settings.colours;
    var otherColour = settings.otherColour;
    var CELL = settings.cell;
    var fetchJson = newsmapFetchJson;
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
    // Bidi controls and zero-width characters shown as their code points, as geo/rendering.py
    // shows them: "invoice\u202eTXT.exe" must not read as "invoiceexe.TXT".
    var INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
    function visible(text) {
        return String(text).replace(INVISIBLE, function (c) {
            return "\u27e8U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "\u27e9";
        });
    }
    function line(parent, tag, text, className) {
        var node = document.createElement(tag);
        node.textContent = visible(text);
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
        box.textContent = visible(heading(event) + " | " + place(event) + " | " + (event.event_date || ""));
        return box;
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

    globalThis.NewsmapEvents = L.FeatureGroup.extend({
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
            table = NewsmapColumns.fromRows(table, fields);
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
            return column ? NewsmapColumns.decoded(column) : [];  // none while the rows are on their way
        },
        _event: function (i) {
            var event = {};
            for (var f = 0; f < fields.length; f++) {
                var column = this._columns[f];
                if (column.files) { continue; }  // fetched when its popup opens
                event[fields[f]] = NewsmapColumns.value(column, i);
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
            return NewsmapColumns.fetched(this._columns[fields.indexOf("notes")], i, fetchJson);
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
                    box.querySelector(".newsmap-excerpt").textContent = visible(notes || "");
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
};

// The rows of a layer: written into the page (a stand-alone file) or fetched from the static folder.
function newsmapEventLayer(settings, rows, rowsUrl) {
    newsmapDefineEvents(settings);
    var layer = new globalThis.NewsmapEvents();
    if (rowsUrl) {
        newsmapFetchJson(rowsUrl)
            .then(function (table) { layer.setRows(table); })
            .catch(function (error) { console.warn("newsmap: no event rows", error); });
    } else {
        layer.setRows(rows);
    }
    return layer;
}

// The colour key of the event types present; it comes and goes with its layer.
function newsmapLegend(layer, entries) {
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
    return legend;
}

globalThis.newsmapEventLayer = newsmapEventLayer;
globalThis.newsmapLegend = newsmapLegend;
})();
