"""The dashboard's filters, counts and article highlighting, without Streamlit."""

from datetime import date

import pandas as pd

from geo.filters import (EventCounts, country_options, date_span, event_counts, event_type_options,
                         filter_events, highlight_places)
from geo.table import events_frame


def sample_events():
    return events_frame([
        {"event_id": "a#1", "event_type": "Battles", "event_date": "2011-09-24", "country": "Syria",
         "fatalities": 10},
        {"event_id": "a#2", "event_type": "Protests", "event_date": "2011-09-30", "country": "Syria",
         "fatalities": None},
        {"event_id": "b#1", "event_type": "Protests", "event_date": "2011-10-02", "country": "Lebanon",
         "fatalities": 2},
        {"event_id": "b#2", "event_type": "Riots", "event_date": None, "country": None, "fatalities": 0},
    ])


def ids(frame):
    return list(frame["event_id"])


def test_no_filter_keeps_every_event():
    assert ids(filter_events(sample_events())) == ["a#1", "a#2", "b#1", "b#2"]


def test_filter_by_event_type():
    assert ids(filter_events(sample_events(), event_types=["Protests"])) == ["a#2", "b#1"]
    assert ids(filter_events(sample_events(), event_types=[])) == []


def test_filter_by_date_range_is_inclusive_and_drops_undated_events():
    assert ids(filter_events(sample_events(), date_range=(date(2011, 9, 24), date(2011, 9, 30)))) == ["a#1", "a#2"]
    assert ids(filter_events(sample_events(), date_range=("2011-10-01", "2011-12-31"))) == ["b#1"]


def test_filter_by_country_drops_events_without_one():
    assert ids(filter_events(sample_events(), countries=["Lebanon"])) == ["b#1"]


def test_filters_combine():
    shown = filter_events(sample_events(), event_types=["Protests", "Battles"],
                          date_range=("2011-09-01", "2011-09-30"), countries=["Syria"])
    assert ids(shown) == ["a#1", "a#2"]


def test_counts_follow_the_filter():
    events = sample_events()
    assert event_counts(events) == EventCounts(events=4, fatalities=12)
    assert event_counts(filter_events(events, event_types=["Protests"])) == EventCounts(2, 2)
    assert event_counts(filter_events(events, event_types=[])) == EventCounts(0, 0)


def test_options_and_span():
    events = sample_events()
    assert event_type_options(events) == ["Battles", "Protests", "Riots"]
    assert country_options(events) == ["Lebanon", "Syria"]
    assert date_span(events) == (date(2011, 9, 24), date(2011, 10, 2))
    assert date_span(events.iloc[3:]) is None


def test_highlight_escapes_every_piece_of_text():
    text = 'Homs <script>alert(1)</script>\nnear "Rastan" & <img src=x onerror=alert(1)>'
    places = pd.DataFrame({"start": [0, 37], "end": [4, 43], "status": ["resolved", "unresolved"]})
    assert highlight_places(text, places) == (
        '<div class="newsmap-article"><mark>Homs</mark> &lt;script&gt;alert(1)&lt;/script&gt;<br>'
        'near &quot;<mark style="background: #ddd">Rastan</mark>&quot; &amp; '
        '&lt;img src=x onerror=alert(1)&gt;</div>'
    )


def test_highlight_skips_overlapping_and_out_of_range_mentions():
    places = pd.DataFrame({"start": [0, 2, 8], "end": [4, 6, 20]})
    assert highlight_places("Homs Hama", places) == '<div class="newsmap-article"><mark>Homs</mark> Hama</div>'


def test_highlight_marks_the_places_the_pipeline_found(batch):
    seed = next(a for a in batch.articles if a.article_id == "rastan-2011-09")
    places = batch.places[batch.places["article_id"] == seed.article_id]
    highlighted = highlight_places(seed.text, places)
    assert "<mark>Rastan</mark>" in highlighted
    assert highlighted.count("<mark") == len(places)
    assert "\n" not in highlighted
