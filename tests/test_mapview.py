"""The Folium map: local assets only, escaped article text, a legend of the types drawn."""

import json
import math
import re

import pytest
from conftest import HOSTILE_TITLE, PAYLOADS

from geo import assets
from geo.filters import filter_events
from geo.mapview import (
    EVENT_COLOURS,
    MARKER_FIELDS,
    base_map,
    clicked_event_id,
    event_bounds,
    event_layer,
    event_map,
    legend_entries,
    marker_rows,
)
from geo.table import EVENT_TYPES


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory):
    """A static folder as ``install`` writes it (simplifying the outlines takes a second or two)."""
    return assets.install(tmp_path_factory.mktemp("static"))


def rendered(events, **options):
    return event_map(events, **options).get_root().render()


_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


def calls(page, function):
    """The arguments of every call of one of newsmap's browser functions that the page makes.

    Arguments are JSON values as the templates write them, or the names of Leaflet objects;
    the function's own definition (in geo/web/) is no call and is skipped.
    """
    decoder, found = json.JSONDecoder(), []
    for match in re.finditer(rf"(?<![\w.]){function}\(", page):
        at, args = match.end(), []
        try:
            while True:
                at += len(page[at:at + 200]) - len(page[at:at + 200].lstrip())
                name = _IDENTIFIER.match(page, at)
                if name and name.group() not in ("null", "true", "false"):
                    value, at = ("name", name.group()), name.end()
                else:
                    value, at = decoder.raw_decode(page, at)
                args.append(value)
                at += len(page[at:at + 200]) - len(page[at:at + 200].lstrip())
                if page[at] == ")":
                    break
                assert page[at] == ","
                at += 1
        except (ValueError, AssertionError):
            continue
        if not all(isinstance(a, tuple) for a in args):  # a definition's parameters are all names
            found.append(args)
    return found


def linked_urls(page):
    """Every URL the page loads by itself: script sources, stylesheet links, fetched data."""
    fetched = [args[-1] for function in ("newsmapEventLayer", "newsmapCountryOutlines")
               for args in calls(page, function) if isinstance(args[-1], str)]
    return (re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", page)
            + re.findall(r"<link[^>]*\shref=\"([^\"]+)\"", page) + fetched)


def legend_of(page):
    [(_, entries)] = calls(page, "newsmapLegend")
    return [label for label, _ in entries]


def test_palette_gives_each_acled_type_its_own_colour():
    assert set(EVENT_COLOURS) == set(EVENT_TYPES)
    assert len(set(EVENT_COLOURS.values())) == len(EVENT_TYPES)


def test_the_map_loads_nothing_from_outside(batch, static_dir):
    page = rendered(batch.events)
    urls = linked_urls(page)
    assert any(url.endswith("/leaflet.js") for url in urls)
    assert any(url.endswith(".geojson") for url in urls)
    assert all(url.startswith("/app/static/") for url in urls), urls
    assert "https://" not in page and "http://" not in page
    # ... and every one of those URLs is a file that install() writes.
    for url in urls:
        assert (static_dir / url.removeprefix("/app/static/")).is_file(), url


def test_online_tiles_only_when_asked(batch):
    assert "tile.openstreetmap.org" not in rendered(batch.events)
    assert "tile.openstreetmap.org" in rendered(batch.events, online_tiles=True)


def test_hostile_article_text_reaches_the_page_as_data_not_markup(batch):
    hostile = batch.events[batch.events["article_id"] == "hostile"]
    assert not hostile.empty, "the hostile article should give an event"
    assert (hostile["source"] == HOSTILE_TITLE).all()
    page = rendered(batch.events)
    for payload in PAYLOADS:
        assert payload not in page
    # The text is still all there, as JSON data for the markers.
    [(_, rows, _)] = calls(page, "newsmapEventLayer")
    titles = {row[MARKER_FIELDS.index("source")] for row in rows}
    assert HOSTILE_TITLE in titles
    # Popups, tooltips and legend are built with textContent; no inline script parses HTML.
    assert "innerHTML" not in page


# Decodes every row of a served table as the map does, with geo/web/newsmap-columns.js; the
# excerpts' files come from ``files`` (URL -> contents) instead of the network.
_DECODE_ALL = """async ([table, files]) => {
    const fetchJson = (url) => Promise.resolve(files[url]);
    const rows = [];
    for (let i = 0; i < table.length; i++) {
        rows.push(await Promise.all(table.columns.map((column) => NewsmapColumns.fetched(column, i, fetchJson))));
    }
    return rows;
}"""


@pytest.mark.browser
def test_a_served_layer_keeps_its_rows_out_of_the_page(batch, tmp_path, monkeypatch, browser):
    """What the dashboard sends: a small page, and the rows as a file the browser fetches."""
    monkeypatch.setattr(assets, "STATIC_DIR", tmp_path)
    monkeypatch.setattr(assets.publish, "__defaults__", (tmp_path,))
    page = served_page(batch.events)
    [[_, rows, url]] = calls(page, "newsmapEventLayer")
    assert rows == [] and re.fullmatch(r"/app/static/data/[0-9a-f]+\.json", url)
    for payload in PAYLOADS:
        assert payload not in page

    def read(url):
        return json.loads((tmp_path / url.removeprefix("/app/static/")).read_text(encoding="utf-8"))

    served = read(url)
    files = {file: read(file) for column in served["columns"] for file in column.get("files", ())}
    assert files, "the excerpts should be served apart from the table"
    # Decoded by the page's own decoder, the served columns are the marker rows.
    tab = browser.new_page()
    try:
        tab.add_script_tag(content=assets.web_script("newsmap-columns.js"))
        decoded = tab.evaluate(_DECODE_ALL, [served, files])
    finally:
        tab.close()
    assert decoded == json.loads(json.dumps(marker_rows(batch.events))) and len(decoded) > 1
    # The same rows again are the same file: a filter chosen twice is written once.
    assert calls(served_page(batch.events), "newsmapEventLayer")[0][2] == url


def served_page(events) -> str:
    folium_map = base_map(events)
    event_layer(events, served=True).add_to(folium_map)
    return folium_map.get_root().render()


def test_markers_carry_the_popup_fields_and_event_id(batch):
    rows = marker_rows(batch.events)
    mapped = batch.events[batch.events["latitude"].notna()]
    assert len(rows) == len(mapped) > 0
    by_id = {row[MARKER_FIELDS.index("event_id")]: dict(zip(MARKER_FIELDS, row)) for row in rows}
    first = mapped.iloc[0]
    assert by_id[first["event_id"]]["notes"] == first["notes"]
    assert by_id[first["event_id"]]["source"] == first["source"]


def test_unresolved_events_get_no_marker_but_stay_in_the_table(batch):
    events = batch.events.copy()
    lost = events.index[0]
    events.loc[lost, ["latitude", "longitude"]] = math.nan
    events.loc[lost, "place_status"] = "unresolved"
    ids = [row[MARKER_FIELDS.index("event_id")] for row in marker_rows(events)]
    assert events.loc[lost, "event_id"] not in ids
    assert len(ids) == len(marker_rows(batch.events)) - 1


def test_map_is_fitted_to_the_events(batch):
    (south, west), (north, east) = event_bounds(batch.events)
    mapped = batch.events.dropna(subset=["latitude", "longitude"])
    assert south == mapped["latitude"].min() and east == mapped["longitude"].max()
    assert south <= 34.93 <= north and west <= 36.73 <= east  # Ar Rastan
    fitted = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", rendered(batch.events)).group(1)
    assert json.loads(fitted) == [[south, west], [north, east]]


def test_legend_lists_the_event_types_drawn(batch):
    drawn = [t for t in EVENT_TYPES if t in set(batch.events.dropna(subset=["latitude"])["event_type"])]
    assert legend_of(rendered(batch.events)) == drawn == [label for label, _ in legend_entries(batch.events)]
    one_type = filter_events(batch.events, event_types=drawn[:1])
    assert legend_of(rendered(one_type)) == drawn[:1]


def test_clicked_event_id_ignores_clusters_and_empty_clicks():
    assert clicked_event_id(None) is None
    assert clicked_event_id({"last_active_drawing": {"type": "Feature", "properties": {}}}) is None
    assert clicked_event_id({"last_active_drawing": {"properties": {"event_id": "a#1"}}}) == "a#1"


def test_assets_install_is_idempotent_and_the_basemap_is_small(static_dir):
    outlines = static_dir / assets.COUNTRY_OUTLINES
    before = {path: path.stat().st_mtime_ns for path in static_dir.rglob("*") if path.is_file()}
    assets.install(static_dir)
    assert before == {path: path.stat().st_mtime_ns for path in static_dir.rglob("*") if path.is_file()}
    assert outlines.stat().st_size < 1.5e6
    countries = {f["properties"]["name"] for f in json.loads(outlines.read_text())["features"]}
    assert {"Syria", "Lebanon", "France", "Brazil"} <= countries and len(countries) > 240
