"""newsmap dashboard: the events read from a folder of articles, on a map that works offline.

Run with ``streamlit run dashboard.py``; set ``NEWSMAP_ARTICLES`` to read another
folder than ``seeds``.  This file is the page, top to bottom; the work is done
by the ``geo`` library.
"""

import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import assets, filters, mapview
from geo.errors import NewsmapError
from geo.gazetteer import load as load_gazetteer
from geo.pipeline import process_paths
from geo.table import export

ARTICLES = os.environ.get("NEWSMAP_ARTICLES", "seeds")
EVENT_DETAIL_COLUMNS = ["event_id", "event_type", "sub_event_type", "event_date", "location", "admin1",
                        "country", "latitude", "longitude", "fatalities", "source", "notes",
                        "place_status", "confidence"]
_base_path = st.get_option("server.baseUrlPath").strip("/")
STATIC_URL = f"/{_base_path}{assets.STATIC_URL}" if _base_path else assets.STATIC_URL


@st.cache_resource
def install_static_files() -> None:
    assets.install()


@st.cache_resource(show_spinner="Loading the gazetteer...")
def gazetteer():
    return load_gazetteer()


@st.cache_data(show_spinner="Reading articles...")
def read_articles(folder: str):
    """Events, place mentions, article texts by id, and what could not be read (as text)."""
    batch = process_paths([folder], gazetteer())
    articles = {article.article_id: article.text for article in batch.articles}
    return batch.events, batch.places, articles, [str(failure) for failure in batch.failures]


def exported(frame: pd.DataFrame, file_name: str) -> bytes:
    """The bytes ``geo.table.export`` writes, so downloads match the command line's files."""
    with tempfile.TemporaryDirectory() as folder:
        return export(frame, Path(folder) / file_name).read_bytes()


st.set_page_config(page_title="newsmap", layout="wide")
install_static_files()
st.title("newsmap")
st.caption(f"Events read from the articles in `{ARTICLES}`.")
try:
    events, places, article_texts, failures = read_articles(ARTICLES)
except NewsmapError as error:
    st.error(str(error))
    st.stop()
for failure in failures:
    st.warning(f"Skipped {failure}")

with st.sidebar:
    st.header("Filter")
    type_options = filters.event_type_options(events)
    chosen_types = st.multiselect("Event type", type_options, default=type_options)
    span = filters.date_span(events)
    chosen_dates = st.date_input("Date range", value=span, min_value=span[0], max_value=span[1]) if span else ()
    chosen_countries = st.multiselect("Country", filters.country_options(events), placeholder="All countries")
    online_tiles = st.checkbox("Online tiles (OpenStreetMap)", value=False,
                               help="Draws OpenStreetMap's tiles under the markers, fetched from the internet.")
    # Articles are read once per folder; this picks up files added or changed since.
    if st.button("Re-read articles"):
        read_articles.clear()
        st.rerun()

# A half-picked range (one day chosen so far) or the full span filters nothing.
date_range = tuple(chosen_dates) if len(chosen_dates) == 2 and tuple(chosen_dates) != span else None
shown = filters.filter_events(events, chosen_types, date_range, chosen_countries or None)
counts = filters.event_counts(shown)
events_metric, fatalities_metric = st.columns(2)
events_metric.metric("Events", counts.events)
fatalities_metric.metric("Fatalities", counts.fatalities)

map_column, detail_column = st.columns([3, 2])
with map_column:
    # The base map depends only on the whole table, so a filter swaps the marker
    # layer without reloading the map; only a marker click reruns the page.
    map_state = st_folium(
        mapview.base_map(events, online_tiles, STATIC_URL),
        feature_group_to_add=mapview.event_layer(shown, STATIC_URL),
        returned_objects=["last_active_drawing"],
        key="map", height=560, use_container_width=True,
    )
clicked = mapview.clicked_event_id(map_state)
if clicked:
    st.session_state["selected_event"] = clicked
selected = shown[shown["event_id"].isin([st.session_state.get("selected_event")])]
with detail_column:
    if selected.empty:
        st.info("Click a marker to see its event and article.")
    else:
        event = selected.iloc[0]
        st.subheader("Event")
        st.dataframe(event[EVENT_DETAIL_COLUMNS].astype("string").to_frame("value"))
        st.subheader("Article")
        with st.container(height=360):
            # highlight_places escapes every character of the article.
            st.markdown(filters.highlight_places(article_texts.get(event["article_id"], ""),
                                                 places[places["article_id"] == event["article_id"]]),
                        unsafe_allow_html=True)

st.subheader("Events")
st.dataframe(shown, hide_index=True)
csv_button, geojson_button, _ = st.columns([1, 1, 4])
csv_button.download_button("Download CSV", exported(shown, "events.csv"), "events.csv", "text/csv",
                           on_click="ignore")
geojson_button.download_button("Download GeoJSON", exported(shown, "events.geojson"), "events.geojson",
                               "application/geo+json", on_click="ignore")
