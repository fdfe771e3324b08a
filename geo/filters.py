"""What the dashboard's controls do to the event table, as pure functions of a frame.

Nothing here knows about Streamlit, so each control is tested on its own.
``None`` for a filter means "do not filter on this"; an empty collection
means "keep nothing", as an emptied multiselect does.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Iterable, NamedTuple

import pandas as pd

from geo.table import EVENT_TYPES


class EventCounts(NamedTuple):
    """How many events a frame holds and the fatalities they report."""

    events: int
    fatalities: int


def filter_events(
    events: pd.DataFrame,
    event_types: Iterable[str] | None = None,
    date_range: tuple[date | str, date | str] | None = None,
    countries: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Keep the events of the given types, dated within ``date_range`` (inclusive), in the given countries.

    Undated events fall outside any date range; events with no country outside any country list.

    >>> from geo.table import events_frame
    >>> frame = events_frame([{"event_type": "Battles", "event_date": "2011-09-27"}])
    >>> len(filter_events(frame, event_types=["Protests"]))
    0
    >>> len(filter_events(frame, date_range=("2011-09-01", "2011-09-30")))
    1
    """
    keep = pd.Series(True, index=events.index)
    if event_types is not None:
        keep &= events["event_type"].isin(list(event_types)).fillna(False)
    if date_range is not None:
        first, last = (_iso(day) for day in date_range)
        keep &= events["event_date"].between(first, last).fillna(False)
    if countries is not None:
        keep &= events["country"].isin(list(countries)).fillna(False)
    return events[keep.astype(bool)]


def _iso(day: date | str) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


def event_counts(events: pd.DataFrame) -> EventCounts:
    """Number of events and the sum of their reported fatalities (missing counts as none).

    >>> from geo.table import events_frame
    >>> event_counts(events_frame([{"fatalities": 10}, {"fatalities": None}]))
    EventCounts(events=2, fatalities=10)
    """
    return EventCounts(len(events), int(events["fatalities"].sum(skipna=True)))


def event_type_options(events: pd.DataFrame) -> list[str]:
    """The event types present, in ACLED's order (any other type last)."""
    present = set(events["event_type"].dropna())
    return [t for t in EVENT_TYPES if t in present] + sorted(present - set(EVENT_TYPES))


def country_options(events: pd.DataFrame) -> list[str]:
    """The countries present, sorted by name."""
    return sorted(events["country"].dropna().unique())


def date_span(events: pd.DataFrame) -> tuple[date, date] | None:
    """The first and last event date, or None when no event is dated.

    >>> from geo.table import events_frame
    >>> date_span(events_frame([{"event_date": "2011-09-30"}, {"event_date": "2011-09-27"}]))
    (datetime.date(2011, 9, 27), datetime.date(2011, 9, 30))
    """
    dates = events["event_date"].dropna()
    if dates.empty:
        return None
    return date.fromisoformat(dates.min()), date.fromisoformat(dates.max())


def events_per_day(events: pd.DataFrame) -> pd.DataFrame:
    """Events per day (rows, every day of the span) and event type (columns, ACLED's order); undated left out.

    >>> from geo.table import events_frame
    >>> events_per_day(events_frame([{"event_type": "Battles", "event_date": "2011-09-27"},
    ...                              {"event_type": "Battles", "event_date": "2011-09-29"}]))["Battles"].tolist()
    [1, 0, 1]
    """
    dated = events.dropna(subset=["event_date"])
    if dated.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="day"))
    days = pd.to_datetime(dated["event_date"], errors="coerce")
    counts = pd.crosstab(days.rename("day"), dated["event_type"].fillna("unknown"))
    counts = counts.reindex(pd.date_range(counts.index.min(), counts.index.max(), freq="D", name="day"),
                            fill_value=0)
    ordered = [t for t in EVENT_TYPES if t in counts.columns]
    return counts[ordered + sorted(set(counts.columns) - set(ordered))]


def highlight_places(text: str, places: pd.DataFrame) -> str:
    """The article as HTML: every piece of text escaped, each place mention wrapped in ``<mark>``.

    ``places`` needs ``start`` and ``end`` offsets into ``text``, and may have a
    ``status``: unresolved mentions are marked in grey.  Overlapping mentions
    keep the first.  Line breaks become ``<br>`` so the result is one line,
    which Markdown renderers take as a raw HTML block instead of parsing the
    article as Markdown.

    >>> places = pd.DataFrame({"start": [0], "end": [4], "status": ["resolved"]})
    >>> highlight_places("Homs <b>", places)
    '<div class="newsmap-article"><mark>Homs</mark> &lt;b&gt;</div>'
    """
    pieces = []
    position = 0
    for mention in places.sort_values(["start", "end"]).itertuples(index=False):
        start, end = int(mention.start), int(mention.end)
        if start < position or end <= start or end > len(text):
            continue
        unresolved = getattr(mention, "status", "resolved") == "unresolved"
        opening = '<mark style="background: #ddd">' if unresolved else "<mark>"
        pieces += [_escape(text[position:start]), opening, _escape(text[start:end]), "</mark>"]
        position = end
    pieces.append(_escape(text[position:]))
    return '<div class="newsmap-article">' + "".join(pieces) + "</div>"


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
