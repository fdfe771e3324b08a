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

import json

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
MAX_ZOOM = 18  # marker clustering needs the map's maxZoom; 18 is OpenStreetMap's
MAP_CSS = """
<style>
  .leaflet-container { background: #dce8f0; }
  .newsmap-popup { max-width: 320px; font-size: 13px; line-height: 1.35; }
  .newsmap-popup .newsmap-excerpt { margin: 6px 0 0; padding-left: 6px; border-left: 3px solid #bbb; }
  .newsmap-legend { background: rgba(255, 255, 255, 0.9); padding: 6px 8px; border-radius: 4px;
                    font-size: 12px; line-height: 18px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); }
  .newsmap-legend .newsmap-swatch { display: inline-block; width: 11px; height: 11px;
                                    margin-right: 6px; border-radius: 50%; vertical-align: -1px; }
</style>
"""

# Builds one marker from one data row.  Every text goes in through textContent
# (or createTextNode), so markup in an article is shown, never run.  The row's
# event id sits in ``marker.feature`` because streamlit-folium reports the
# clicked layer's ``toGeoJSON()`` as ``last_active_drawing``.
_MARKER_CALLBACK = Template(
    """(function () {
    var fields = {{ fields|tojson }};
    var colours = {{ colours|tojson }};
    var otherColour = {{ other_colour|tojson }};
    var EventIcon = L.DivIcon.extend({
        createIcon: function (oldIcon) {
            var div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
            div.style.background = this.options.colour;
            div.style.border = "2px solid #fff";
            div.style.borderRadius = "50%";
            div.style.boxShadow = "0 0 2px rgba(0, 0, 0, 0.6)";
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
    return function (row) {
        var event = {};
        for (var i = 0; i < fields.length; i++) { event[fields[i]] = row[i]; }
        var marker = L.marker([event.latitude, event.longitude], {icon: iconFor(event.event_type)});
        marker.feature = {type: "Feature", properties: {event_id: event.event_id, event_type: event.event_type}};
        // Built on first opening: a page of 50,000 markers should not build 50,000 popups up front.
        marker.bindPopup(function () { return popup(event); }, {maxWidth: 340});
        marker.bindTooltip(function () { return tooltip(event); });
        return marker;
    };
})()"""
)


class EventMarkers(folium.plugins.MarkerCluster):
    """A marker cluster built in the browser from one array of ``MARKER_FIELDS`` rows.

    The rows are either written into the page (``rows``: a stand-alone file) or fetched
    from ``rows_url`` (the dashboard): a large table then never passes through folium's
    template engine or the page's script, and the page stays a few kilobytes.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var toMarker = {{ this.callback }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                function addRows(rows) {
                    if (!Array.isArray(rows)) { rows = fromColumns(rows); }
                    // One bulk add: far faster than adding markers one by one.
                    cluster.addLayers(rows.map(toMarker));
                }
                // The served form: one array per column, repeated texts as labels and codes.
                function fromColumns(table) {
                    var columns = table.columns.map(function (column) {
                        if (!column.labels) { return column.values; }
                        return column.codes.map(function (code) { return code < 0 ? null : column.labels[code]; });
                    });
                    var rows = new Array(table.length);
                    for (var i = 0; i < table.length; i++) {
                        rows[i] = columns.map(function (values) { return values[i]; });
                    }
                    return rows;
                }
                {% if this.rows_url %}
                fetch({{ this.rows_url|tojson }})
                    .then(function (response) { return response.json(); })
                    .then(addRows)
                    .catch(function (error) { console.warn("newsmap: no event rows", error); });
                {% else %}
                addRows({{ this.rows_json }});
                {% endif %}
                return cluster;
            })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list] | None = None, rows_url: str | None = None):
        # Chunked loading keeps the page responsive while a large table is clustered.
        super().__init__(name="Event markers", control=False, chunked_loading=True)
        self._name = "EventMarkers"
        self.rows_url = rows_url
        self.rows_json = inert_json(rows or [])
        self.callback = _MARKER_CALLBACK.render(fields=MARKER_FIELDS, colours=EVENT_COLOURS,
                                                other_colour=OTHER_COLOUR)


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


def marker_columns(events: pd.DataFrame) -> dict:
    """``marker_rows`` column by column, as the browser fetches them: ``{"length", "columns"}``.

    Each column is ``{"values": [...]}``, or ``{"labels": [...], "codes": [...]}`` (code -1 is
    missing) for the repeated texts.
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
        target = assets.publish(orjson.dumps(marker_columns(events), option=orjson.OPT_SERIALIZE_NUMPY), ".json")
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
