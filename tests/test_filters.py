"""The dashboard's filters, counts and article highlighting, without Streamlit."""

from datetime import date
from urllib.parse import parse_qs, urlencode

import pandas as pd

from geo.filters import (
    EventCounts,
    EventFilter,
    breakdown,
    country_options,
    date_span,
    event_counts,
    event_type_options,
    filter_events,
)
from geo.rendering import highlight_places
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
        'near &quot;<mark style="background: #ddd" title="not found in the gazetteer">Rastan</mark>&quot; &amp; '
        '&lt;img src=x onerror=alert(1)&gt;</div>'
    )


def test_highlight_skips_overlapping_and_out_of_range_mentions():
    places = pd.DataFrame({"start": [0, 2, 8], "end": [4, 6, 20]})
    assert highlight_places("Homs Hama", places) == '<div class="newsmap-article"><mark>Homs</mark> Hama</div>'


def test_highlight_marks_the_places_the_pipeline_found(batch):
    seed = next(a for a in batch.articles if a.article_id == "rastan-2011-09")
    places = batch.places[batch.places["article_id"] == seed.article_id]
    highlighted = highlight_places(seed.text, places)
    # Each mark's tooltip says which place was chosen, and why.
    assert '<mark title="Ar Rastan, SY: town; Syria named in the article">Rastan</mark>' in highlighted
    assert highlighted.count("<mark") == len(places)
    assert "\n" not in highlighted


def acled_like_events():
    return events_frame([
        {"event_id": "a#1", "event_type": "Battles", "sub_event_type": "Armed clash", "event_date": "2011-09-24",
         "country": "Syria", "admin1": "Homs", "fatalities": 10, "confidence": 0.9,
         "notes": "Army defectors clashed with troops in Rastan."},
        {"event_id": "a#2", "event_type": "Protests", "sub_event_type": "Peaceful protest",
         "event_date": "2011-09-30", "country": "Syria", "admin1": "Hama", "fatalities": 0, "confidence": 0.6,
         "notes": "Protesters marched in Hama after Friday prayers."},
        {"event_id": "b#1", "event_type": "Explosions/Remote violence",
         "sub_event_type": "Shelling/artillery/missile attack", "event_date": "2011-10-02", "country": "Lebanon",
         "admin1": None, "fatalities": None, "confidence": 0.8, "notes": "Shells from Syria hit Wadi Khaled."},
    ])


def test_each_acled_criterion_filters_and_they_combine():
    events = acled_like_events()
    assert ids(EventFilter(sub_event_types=("Armed clash",)).apply(events)) == ["a#1"]
    assert ids(EventFilter(admin1=("Hama",)).apply(events)) == ["a#2"]
    # Unknown fatalities never pass a minimum; zero passes none above zero.
    assert ids(EventFilter(min_fatalities=1).apply(events)) == ["a#1"]
    assert ids(EventFilter(text="SYRIA").apply(events)) == ["b#1"]
    assert ids(EventFilter(text="[a-z]+").apply(events)) == []  # words, not a pattern
    assert ids(EventFilter(min_confidence=0.7).apply(events)) == ["a#1", "b#1"]
    assert ids(EventFilter(countries=("Syria",), min_confidence=0.7).apply(events)) == ["a#1"]


def test_a_filter_survives_the_trip_through_a_url():
    view = EventFilter(event_types=("Battles", "Protests"), sub_event_types=("Armed clash",),
                       date_range=("2011-09-01", "2011-09-30"), countries=("Syria",), admin1=("Homs",),
                       min_fatalities=3, text="defectors", min_confidence=0.5)
    query = urlencode(view.to_query(), doseq=True)
    assert EventFilter.from_query(parse_qs(query, keep_blank_values=True)) == view
    assert EventFilter().to_query() == {}  # the whole table: a clean URL
    # No type at all is a filter too, and survives.
    nothing = EventFilter(event_types=())
    assert EventFilter.from_query(parse_qs(urlencode(nothing.to_query(), doseq=True), keep_blank_values=True)) == nothing


def test_a_hand_edited_url_cannot_break_the_page():
    broken = {"from": ["yesterday"], "to": ["2011-13-45"], "min_fatalities": ["many"], "min_confidence": ["nan"],
              "q": ["x" * 10_000], "type": ["<script>alert(1)</script>"]}
    view = EventFilter.from_query(broken)
    assert view.date_range is None and view.min_fatalities == 0 and view.min_confidence == 0.0
    assert len(view.text) == 200
    assert ids(view.apply(acled_like_events())) == []


def test_counts_by_country_add_up():
    table = breakdown(acled_like_events(), "country")
    assert table.to_dict("index") == {"Syria": {"events": 2, "fatalities": 10}, "Lebanon": {"events": 1, "fatalities": 0}}
    assert list(breakdown(acled_like_events(), "admin1").index) == ["Homs", "Hama", "unknown"]


def test_a_place_tooltip_cannot_break_out_of_its_attribute():
    places = pd.DataFrame({"start": [0], "end": [4], "status": ["resolved"], "name": ['"><script>x</script>'],
                           "country_code": ["SY"], "reason": ["it's <b>here</b>"]})
    marked = highlight_places("Homs", places)
    assert marked == ('<div class="newsmap-article"><mark title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;, SY: '
                      'it&#x27;s &lt;b&gt;here&lt;/b&gt;">Homs</mark></div>')


def test_the_reader_can_open_at_the_excerpt():
    text = "Title\n\nHoms was shelled. Rastan too.\n\nHama was calm."
    places = pd.DataFrame({"start": [7, 25, 38], "end": [11, 31, 42], "status": ["resolved"] * 3})
    excerpt = (7, 36)
    before = highlight_places(text, places, part=slice(0, excerpt[0]))
    opened = highlight_places(text, places, excerpt, part=slice(excerpt[0], None))
    assert before == '<div class="newsmap-article">Title<br><br></div>'
    assert opened.startswith('<div class="newsmap-article"><span class="newsmap-excerpt"')
    assert "<mark>Homs</mark> was shelled. <mark>Rastan</mark> too.</span><br><br><mark>Hama</mark> was calm." in opened
