"""newsmap dashboard: the events in the store (or in a folder of articles), on a map that works offline.

Run with ``streamlit run dashboard.py``.  It shows the store that ``python -m geo
ingest`` fills (``data/newsmap.duckdb``, or ``NEWSMAP_DB``), opened read-only, so an
ingest may run meanwhile.  ``NEWSMAP_ARTICLES=FOLDER`` instead reads a folder in memory,
without a store.  This file is the page, top to bottom; the work is done by the ``geo``
library.
"""

import os
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import assets, filters, intake, mapview, paths, postal, rendering, store, timeline
from geo.errors import NewsmapError, StoreLockedError
from geo.gazetteer import load as load_gazetteer
from geo.geocoder import OfflineGeocoder
from geo.online import PROVIDERS, OnlineGeocoder
from geo.pipeline import process_paths
from geo.table import EVENT_TYPES, export

ARTICLES = os.environ.get("NEWSMAP_ARTICLES")
DB = Path(os.environ.get("NEWSMAP_DB", store.DEFAULT_DB))
# Folders named in the browser must lie inside this one; uploads are saved in its uploads/.
ARTICLES_ROOT = Path(os.environ.get("NEWSMAP_ARTICLES_ROOT") or paths.articles_dir()).resolve()
EVENT_DETAIL_COLUMNS = ["event_id", "event_type", "sub_event_type", "event_date", "location", "admin1",
                        "country", "latitude", "longitude", "fatalities", "source", "notes",
                        "place_status", "confidence", "checked"]
TABLE_ROWS = 1000  # a browser table of 50,000 rows costs seconds to send and draw
SIBLINGS_SHOWN = 25  # buttons beside the article: each is a widget every rerun of the page draws
NO_PLACES = pd.DataFrame({"start": [], "end": []})
_base_path = st.get_option("server.baseUrlPath").strip("/")
STATIC_URL = f"/{_base_path}{assets.STATIC_URL}" if _base_path else assets.STATIC_URL


@st.cache_resource
def install_static_files() -> None:
    assets.install()


@st.cache_resource(show_spinner="Loading the gazetteer (the first time, also building its postal places: about a minute)...")
def gazetteer():
    loaded = load_gazetteer()
    postal.tier_for(loaded)  # opened (or built) here, with the spinner, not inside the first article's run
    return loaded


@st.cache_data(show_spinner="Reading articles...")
def read_articles(folder: str, geocoder: str = "offline"):
    """Events, place mentions, article texts by id, and what went wrong (unreadable files, the online geocoder)."""
    online = None if geocoder == "offline" else OnlineGeocoder(geocoder)
    batch = process_paths([folder], gazetteer(), online=online)
    articles = {article.article_id: article.text for article in batch.articles}
    problems = [f"Skipped {failure}" for failure in batch.failures] + (online.warnings() if online else [])
    return batch.events, batch.places, articles, problems


@st.cache_resource(show_spinner="Reading the store...", max_entries=2)
def read_store(db: str, version: tuple):
    """Every stored event; ``version`` (the file's size and time) makes a refresh after an ingest re-read it.

    One frame shared by every session, never copied per run (at 50,000 events a copy costs more
    than the filter); the page only reads it.
    """
    return store.load_events(db)


def table_options(events) -> dict:
    """The values the filters offer, from the whole table."""
    return {"types": filters.event_type_options(events), "subtypes": filters.sub_event_type_options(events),
            "span": filters.date_span(events), "countries": filters.country_options(events),
            "admin1": filters.admin1_options(events)}


@st.cache_resource(max_entries=2)
def stored_options(db: str, version: tuple, _events) -> dict:
    """``table_options`` of one store version, for every session (60 ms a run at 50,000 events)."""
    return table_options(_events)


@st.cache_resource(max_entries=16)
def stored_view(db: str, version: tuple, view_key: str, _view, _events) -> filters.FilteredView:
    """``filtered_view`` of one filter of one store version, made once for every session asking it.

    A marker click reruns the page with the filter unchanged, and people share filters: under 20
    sessions these were half of a run's work.
    """
    return filters.filtered_view(_view, _events, TABLE_ROWS)


@st.cache_resource(max_entries=16)
def stored_timeline(db: str, version: tuple, view_key: str, _per_day) -> dict:
    """The timeline's Vega-Lite spec of one filter of one store version: Altair validates a spec
    against its schema each time it is made (10% of a run), so it is made once."""
    return timeline.timeline_chart(_per_day).to_dict()


@st.cache_resource(max_entries=64)
def published_markers(db: str, version: tuple, view_key: str, base_url: str, _shown):
    """The marker table of one filter of one store version, written once for every session asking it."""
    return mapview.publish_markers(_shown, base_url)


@st.cache_data(max_entries=64)
def read_stored_article(db: str, version: tuple, article_id: str):
    """The text and place mentions of one article: fetched for the clicked event only."""
    con = store.open_read_only(db)
    try:
        article = store.read_article(con, article_id)
    finally:
        con.close()
    return (article["text"] or "", article["places"]) if article else ("", NO_PLACES)


@st.cache_resource
def last_read() -> dict:
    """The events last read from each store, for the page to show while an ingest holds the file."""
    return {}


def add_articles(uploads, folder: str) -> None:
    """Save the uploads and check the folder, then ingest them into the store with progress shown."""
    paths = []
    try:
        for upload in uploads or ():
            paths += intake.save_upload(ARTICLES_ROOT, upload.name, upload.getvalue())
        if folder.strip():
            paths.append(intake.inside(ARTICLES_ROOT, folder))
    except NewsmapError as error:
        st.sidebar.error(rendering.literal(error))
        return
    if not paths:
        st.sidebar.warning("Choose files to upload or name a folder first.")
        return
    with st.sidebar.status(f"Adding {len(paths)} file(s) or folder(s)...", expanded=True) as status:
        counts = st.empty()
        code, messages = intake.ingest_paths(paths, DB, lambda seen: counts.write(
            f"{seen['new']} new, {seen['changed']} changed, {seen['unchanged']} unchanged, {seen['failed']} failed"))
        for line in messages.splitlines():
            if line.startswith(("skipped", "error", "warning")):
                st.text(line)  # plain text: file names are the user's, never Markdown or HTML
        status.update(label="Added to the store" if code == 0 else "Nothing could be added",
                      state="complete" if code == 0 else "error")


def brush_to_dates() -> None:
    """A range brushed on the timeline becomes the sidebar's date range (before the page reruns)."""
    days = timeline.brushed_days(st.session_state.get("timeline"))
    if days:
        st.session_state["dates"] = days


def focus_on(event_id: str | None, latitude, longitude, zoom: int) -> None:
    """Select an event (or none) and centre the map on a point."""
    if event_id:
        st.session_state["selected_event"] = event_id
    if pd.notna(latitude) and pd.notna(longitude):
        st.session_state["focus"] = (float(latitude), float(longitude), zoom)


def reader_navigation(event, mentions: pd.DataFrame, all_events: pd.DataFrame) -> None:
    """The article's events and places, each a button that centres the map on it."""
    siblings, count = filters.article_events(all_events, event["article_id"], SIBLINGS_SHOWN)
    more = f"; the first {SIBLINGS_SHOWN:,} here, the table holds all" if count > SIBLINGS_SHOWN else ""
    st.caption(f"Events in this article ({count:,}{more})")
    for sibling in siblings.itertuples():
        where = sibling.location if isinstance(sibling.location, str) else "unknown place"
        when = sibling.event_date if isinstance(sibling.event_date, str) else "undated"
        label = rendering.literal(f"{sibling.event_type} · {where} · {when}")
        st.button(label, key=f"event-{sibling.event_id}", on_click=focus_on, type="tertiary",
                  args=(sibling.event_id, sibling.latitude, sibling.longitude, 10),
                  disabled=sibling.event_id == event["event_id"])
    located = mentions.dropna(subset=["latitude"]).drop_duplicates("name") if "latitude" in mentions else mentions[:0]
    if len(located):
        st.caption("Places in this article")
        columns = st.columns(4)
        for number, place in enumerate(located.itertuples()):
            columns[number % 4].button(
                rendering.literal(place.name), key=f"place-{event['article_id']}-{place.start}", on_click=focus_on,
                args=(None, place.latitude, place.longitude, 9 if place.feature_kind == "city" else 6))


def correction_forms(event, mentions: pd.DataFrame) -> None:
    """Forms to correct the selected event and the places of its article; the store's CLI does the writing."""
    with st.expander("Correct this event"):
        with st.form("correct_event"):
            pairs = [(t, sub) for t, subs in EVENT_TYPES.items() for sub in subs]
            current = (event["event_type"], event["sub_event_type"])
            pair = st.selectbox("Event type: sub-event type", pairs, format_func=": ".join,
                                index=pairs.index(current) if current in pairs else 0)
            day = st.date_input("Date", value=date.fromisoformat(event["event_date"])
                                if isinstance(event["event_date"], str) else None)
            fatalities = st.number_input("Fatalities", min_value=0, step=1,
                                         value=0 if pd.isna(event["fatalities"]) else int(event["fatalities"]))
            if st.form_submit_button("Save the correction"):
                arguments = ["event", event["event_id"], "--type", pair[0], "--sub-type", pair[1],
                             "--fatalities", str(int(fatalities))] + (["--date", day.isoformat()] if day else [])
                report(*intake.run_correction(DB, *arguments))
    resolved = mentions[mentions["text"].notna()] if len(mentions) else mentions
    if not len(resolved):
        return
    with st.expander("Correct a place"):
        # A stored mention the gazetteer could not place has no name: <NA>, which has no truth value.
        labels = [f"{m.text} (at {m.start}) → {m.name if isinstance(m.name, str) else 'unresolved'}"
                  for m in resolved.itertuples()]
        picked = st.selectbox("Place mention", range(len(labels)), format_func=labels.__getitem__)
        chosen_mention = resolved.iloc[picked]
        options = OfflineGeocoder(gazetteer()).geocode(chosen_mention["text"], exactly_one=False) or []
        if not options:
            st.caption("The gazetteer has no other entry of that name.")
            return
        candidate = st.selectbox("It means", options, format_func=lambda location: (
            f"{location.address} ({location.raw['feature_kind']}, pop. {location.raw['population']:,})"))
        if st.button("Use this place"):
            report(*intake.run_correction(DB, "place", event["article_id"], int(chosen_mention["start"]),
                                          int(chosen_mention["end"]), candidate.raw["geonameid"]))


def report(code: int, said: str) -> None:
    """Say how a correction went; on success rerun, so the map shows it."""
    if code == 0:
        st.session_state["correction_note"] = said
        st.rerun()
    st.error(rendering.literal(said) if said else "The correction could not be saved.")


def exported(frame: pd.DataFrame, file_name: str) -> bytes:
    """The bytes ``geo.table.export`` writes, so downloads match the command line's files."""
    with tempfile.TemporaryDirectory() as folder:
        return export(frame, Path(folder) / file_name).read_bytes()


st.set_page_config(page_title="newsmap", layout="wide")
install_static_files()
st.title("newsmap")
if ARTICLES:
    st.caption(f"Events read from the articles in `{ARTICLES}`.")
    geocoder = st.sidebar.selectbox(
        "Geocoder", PROVIDERS, help="offline: the embedded gazetteer only. nominatim: also asks OpenStreetMap's "
        "Nominatim, over the internet, for the places the gazetteer cannot place (one request per second).")
    try:
        events, places, article_texts, problems = read_articles(ARTICLES, geocoder)
    except NewsmapError as error:
        st.error(rendering.literal(error))
        st.stop()
    for problem in problems:
        st.warning(rendering.literal(problem))

    def article_of(article_id: str):
        return article_texts.get(article_id, ""), places[places["article_id"] == article_id]
else:
    st.caption(f"Events in the store `{DB}`.")
    with st.sidebar.expander("Add articles", expanded=not DB.exists()):
        with st.form("add_articles", clear_on_submit=True):
            uploads = st.file_uploader("Upload articles", type=["txt", "html", "htm", "json", "jsonl", "zip"],
                                       accept_multiple_files=True, help="Saved in the uploads folder of "
                                       f"{ARTICLES_ROOT}; a zip is unpacked there.")
            folder = st.text_input("Or a folder inside the articles folder", placeholder="e.g. syria/2011-09",
                                   help=f"Relative to {ARTICLES_ROOT}; nothing outside it is read.")
            if st.form_submit_button("Add to the store"):
                add_articles(uploads, folder)
    if not DB.exists():
        st.info(f"The store `{DB}` holds no events yet. Add articles with `newsmap ingest PATH...` "
                "(for example `newsmap ingest seeds`), then reload this page.")
        st.stop()
    try:
        version = store.file_version(DB)
        events = last_read()[str(DB)] = read_store(str(DB), version)
    except StoreLockedError as error:
        # DuckDB lets no reader in while an ingest writes: show what was read before it began.
        if str(DB) not in last_read():
            st.warning(f"{rendering.literal(error)} Reload this page when the ingest is done.")
            st.stop()
        events = last_read()[str(DB)]
        st.info("An ingest is writing to the store: these are the events read before it began. "
                "Reload the page when it is done to see the new ones.")
    except NewsmapError as error:
        st.error(rendering.literal(error))
        st.stop()
    if events.empty:
        st.info("The store holds no events yet. Add articles with `newsmap ingest PATH...`, "
                "then reload this page.")
        st.stop()

    def article_of(article_id: str):
        try:
            return read_stored_article(str(DB), version, article_id)
        except StoreLockedError:
            return "An ingest is writing to the store: reload to read this article.", NO_PLACES

def chosen(options: list[str], wanted) -> list[str]:
    """The values of a shared URL that this table has, in the options' order."""
    return [option for option in options if option in set(wanted or ())]


# The URL holds the filter, so a view can be shared and reopened as it was.
from_url = filters.EventFilter.from_query({key: st.query_params.get_all(key) for key in st.query_params})
if "permalink_read" not in st.session_state:
    # A permalink (?event=ID) opens with that event selected and the map on it.
    st.session_state["permalink_read"] = True
    linked = events[events["event_id"] == st.query_params.get("event", "")]
    if len(linked):
        focus_on(linked.iloc[0]["event_id"], linked.iloc[0]["latitude"], linked.iloc[0]["longitude"], 10)
with st.sidebar:
    st.header("Filter")
    options = table_options(events) if ARTICLES else stored_options(str(DB), version, events)
    type_options = options["types"]
    chosen_types = st.multiselect("Event type", type_options, key="types", default=type_options
                                  if from_url.event_types is None else chosen(type_options, from_url.event_types))
    subtype_options = options["subtypes"]
    chosen_subtypes = st.multiselect("Sub-event type", subtype_options, key="subtypes", placeholder="All sub-types",
                                     default=chosen(subtype_options, from_url.sub_event_types))
    span = options["span"]
    start_dates = tuple(date.fromisoformat(day) for day in from_url.date_range) if from_url.date_range else span
    chosen_dates = ()
    if span:
        # Set before the widget: from the URL on the first run, from a brushed timeline later; kept in the span.
        wanted = st.session_state.get("dates", start_dates)
        if len(wanted) == 2:
            st.session_state["dates"] = tuple(min(max(day, span[0]), span[1]) for day in wanted)
        chosen_dates = st.date_input("Date range", min_value=span[0], max_value=span[1], key="dates")
    country_options = options["countries"]
    chosen_countries = st.multiselect("Country", country_options, key="countries", placeholder="All countries",
                                      default=chosen(country_options, from_url.countries))
    admin1_options = options["admin1"]
    chosen_admin1 = st.multiselect("Admin-1 area", admin1_options, key="admin1", placeholder="All areas",
                                   default=chosen(admin1_options, from_url.admin1))
    min_fatalities = st.number_input("At least this many fatalities", min_value=0, step=1, key="min_fatalities",
                                     value=from_url.min_fatalities)
    text = st.text_input("Words in the excerpt", value=from_url.text, key="text")
    min_confidence = st.slider("Confidence at least", 0.0, 1.0, step=0.05, key="min_confidence",
                               value=float(from_url.min_confidence))
    heatmap = st.checkbox("Heatmap", value=False, help="Where events (weighted by fatalities) concentrate.")
    online_tiles = st.checkbox("Online tiles (OpenStreetMap)", value=False,
                               help="Draws OpenStreetMap's tiles under the markers, fetched from the internet.")
    # Articles are read once per folder; this picks up files added or changed since.
    if ARTICLES and st.button("Re-read articles"):
        read_articles.clear()
        st.rerun()

# A half-picked range (one day chosen so far) or the full span filters nothing.
date_range = tuple(chosen_dates) if len(chosen_dates) == 2 and tuple(chosen_dates) != span else None
view = filters.EventFilter(
    event_types=None if chosen_types == type_options else tuple(chosen_types),
    sub_event_types=tuple(chosen_subtypes) or None,
    date_range=tuple(day.isoformat() for day in date_range) if date_range else None,
    countries=tuple(chosen_countries) or None, admin1=tuple(chosen_admin1) or None,
    min_fatalities=int(min_fatalities), text=text, min_confidence=float(min_confidence))
url_state = view.to_query()
parts = filters.filtered_view(view, events, TABLE_ROWS) if ARTICLES else \
    stored_view(str(DB), version, repr(view), view, events)
shown, counts = parts.shown, parts.counts
events_metric, fatalities_metric = st.columns(2)
events_metric.metric("Events", counts.events)
fatalities_metric.metric("Fatalities", counts.fatalities)

map_column, detail_column = st.columns([3, 2])
with map_column:
    # The base map depends only on the whole table, so a filter swaps the marker
    # layer without reloading the map; only a marker click reruns the page.
    # A place or an event chosen in the reader moves the view there without drawing the map again.
    focus = st.session_state.get("focus")
    markers_url = None
    if not ARTICLES:  # a store: the same filter gives the same table to every session until an ingest
        markers_url, files = published_markers(str(DB), version, repr(view), STATIC_URL, shown)
        if not assets.published(files):  # pruned since, by the tables of other filters
            published_markers.clear()
            markers_url, _ = published_markers(str(DB), version, repr(view), STATIC_URL, shown)
    map_state = st_folium(
        mapview.base_map(events, online_tiles, STATIC_URL),
        feature_group_to_add=mapview.event_layer(shown, STATIC_URL, heatmap=heatmap, served=True,
                                                 rows_url=markers_url),
        returned_objects=["last_active_drawing"],
        center=focus[:2] if focus else None, zoom=focus[2] if focus else None,
        key="map", height=560, use_container_width=True,
    )
clicked = mapview.clicked_event_id(map_state)
if clicked and clicked != st.session_state.get("clicked_event"):
    st.session_state["clicked_event"] = st.session_state["selected_event"] = clicked
selected = shown[shown["event_id"].isin([st.session_state.get("selected_event")])]
if len(selected):
    url_state["event"] = [selected.iloc[0]["event_id"]]
st.query_params.from_dict(url_state)
with detail_column:
    if selected.empty:
        st.info("Click a marker to see its event and article.")
    else:
        event = selected.iloc[0]
        st.subheader("Event")
        st.dataframe(rendering.shown_frame(event[EVENT_DETAIL_COLUMNS].astype("string").to_frame("value")))
        st.subheader("Article")
        text, mentions = article_of(event["article_id"])
        # The article opens at the excerpt, set apart; what comes before it is one click away.
        # highlight_places escapes every character of the article.
        excerpt = (int(event["excerpt_start"]), int(event["excerpt_end"])) if pd.notna(event["excerpt_start"]) \
            else (0, 0)
        if excerpt[0] > 0:
            with st.expander(f"The article before this excerpt ({excerpt[0]:,} characters)"):
                st.markdown(rendering.highlight_places(text, mentions, part=slice(0, excerpt[0])),
                            unsafe_allow_html=True)
        with st.container(height=360):
            st.markdown(rendering.highlight_places(text, mentions, excerpt, part=slice(excerpt[0], None)),
                        unsafe_allow_html=True)
        reader_navigation(event, mentions, shown)
        if not ARTICLES:
            if "correction_note" in st.session_state:
                st.success(rendering.literal(st.session_state.pop("correction_note")))
            correction_forms(event, mentions)

# The timeline has a tab of its own: a chart is drawn on the browser's one thread, and a large
# map would wait for it (0.5 s at 50,000 events); in a tab it is drawn when opened.
table_tab, timeline_tab, counts_tab = st.tabs(["Events", "Events per day", "Counts"])
with table_tab:
    if len(shown) > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {len(shown):,} events; the downloads hold all of them.")
    st.dataframe(parts.table, hide_index=True)
with timeline_tab:
    per_day = parts.per_day
    if len(per_day.columns):
        st.caption("Drag across the bars to show only those days; the date range in the sidebar follows.")
        spec = timeline.timeline_chart(per_day).to_dict() if ARTICLES else \
            stored_timeline(str(DB), version, repr(view), per_day)
        st.vega_lite_chart(spec=spec, width="stretch", height=200, on_select=brush_to_dates, key="timeline")
    else:
        st.caption("No event the filter shows has a date.")
with counts_tab:
    for column, breakdown in zip(st.columns(3), parts.breakdowns):
        column.dataframe(breakdown)
csv_button, geojson_button, parquet_button, map_button, _ = st.columns([1, 1, 1, 1, 2])
# Callables: the files are made when a button is clicked, not on every rerun. Each holds what the filter shows.
csv_button.download_button("Download CSV", lambda: exported(shown, "events.csv"), "events.csv", "text/csv",
                           on_click="ignore")
geojson_button.download_button("Download GeoJSON", lambda: exported(shown, "events.geojson"), "events.geojson",
                               "application/geo+json", on_click="ignore")
parquet_button.download_button("Download Parquet", lambda: exported(shown, "events.parquet"), "events.parquet",
                               "application/vnd.apache.parquet", on_click="ignore")
map_button.download_button("Download map (HTML)", lambda: mapview.standalone_html(shown).encode("utf-8"),
                           "newsmap.html", "text/html", on_click="ignore",
                           help="The map with these events as one file that opens offline in any browser.")
