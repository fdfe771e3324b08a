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


@functools.cache
def _event_settings() -> dict:
    """What newsmap-events.js is told of the table: its fields, colours and cluster size."""
    return {"fields": list(MARKER_FIELDS), "colours": EVENT_COLOURS, "otherColour": OTHER_COLOUR,
            "cell": CLUSTER_CELL_PX}


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
            var {{ this.get_name() }} = newsmapEventLayer({{ this.settings|tojson }},
                {{ this.rows_json }}, {{ this.rows_url|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list] | None = None, rows_url: str | None = None):
        super().__init__(name="Event markers", control=False)
        self._name = "EventMarkers"
        self.rows_url = rows_url
        self.rows_json = inert_json(rows or [])
        self.settings = _event_settings()
        # The layer's own code rides with it: streamlit-folium runs the script of a layer it
        # swaps in, but loads no file the layer would name.
        self.layer_js = assets.web_script("newsmap-columns.js", "newsmap-events.js")


class CountryOutlines(Layer):
    """The basemap: country polygons fetched from the static folder, drawn without any tile server."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this.basemap_js }}
            var {{ this.get_name() }} = newsmapCountryOutlines({{ this.options|tojson }},
                {{ this.data|tojson }}, {{ this.url|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, url: str, filled: bool = True, data: dict | None = None):
        super().__init__(name="Countries", control=False)
        self._name = "CountryOutlines"
        self.url = url
        self.data = data  # written into the page (a stand-alone file) instead of fetched
        self.basemap_js = assets.web_script("newsmap-basemap.js")
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
            newsmapLegend({{ this._parent.get_name() }}, {{ this.entries|tojson }});
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


def publish_markers(events: pd.DataFrame, base_url: str = assets.STATIC_URL) -> tuple[str, tuple[str, ...]]:
    """Write the marker table of ``events`` and its excerpt files to the static folder.

    Returns the table's URL, and every file written (paths under the static folder), so a
    caller that keeps the URL can tell whether the files are still there (``assets.published``).
    """
    written = []

    def notes_file(notes: list) -> str:
        written.append(assets.publish(orjson.dumps(notes), ".json"))
        return assets.static_url(written[-1], base_url)

    table = marker_columns(events, notes_file)
    written.append(assets.publish(orjson.dumps(table, option=orjson.OPT_SERIALIZE_NUMPY), ".json"))
    return assets.static_url(written[-1], base_url), tuple(written)


def event_layer(events: pd.DataFrame, base_url: str = assets.STATIC_URL,
                heatmap: bool = False, served: bool = False, rows_url: str | None = None) -> folium.FeatureGroup:
    """The swappable layer: clustered markers, coloured by event type, and their legend.

    ``heatmap`` adds a heat layer under the markers, weighted by one plus the fatalities,
    so that deadly places glow brighter than busy ones.  ``served`` writes the marker rows
    to the static folder (``assets.publish``) for the browser to fetch, instead of into the
    page: what a server does; a stand-alone file keeps them inline. ``rows_url`` is a table
    ``publish_markers`` wrote before for these same events.
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
        EventMarkers(rows_url=rows_url or publish_markers(events, base_url)[0]).add_to(layer)
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
    folium_map.get_root().header.add_child(Element(f"<style>\n{assets.web_script('newsmap-map.css')}</style>"),
                                           name="newsmap_css")
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
