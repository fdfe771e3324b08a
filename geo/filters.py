"""What the dashboard's controls do to the event table, as pure functions of a frame.

Nothing here knows about Streamlit, so each control is tested on its own.
``None`` for a filter means "do not filter on this"; an empty collection
means "keep nothing", as an emptied multiselect does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from geo import rendering
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
    return EventFilter(
        event_types=None if event_types is None else tuple(event_types),
        date_range=None if date_range is None else tuple(_iso(day) for day in date_range),
        countries=None if countries is None else tuple(countries),
    ).apply(events)


@dataclass(frozen=True)
class EventFilter:
    """Everything the dashboard can filter on, ACLED Explorer's way; ``None`` keeps every value.

    It travels in the page's URL (``to_query`` / ``from_query``), so a view can be shared.

    >>> EventFilter.from_query({"type": ["Battles"], "min_fatalities": ["5"]}).to_query()
    {'type': ['Battles'], 'min_fatalities': ['5']}
    """

    event_types: tuple[str, ...] | None = None
    sub_event_types: tuple[str, ...] | None = None
    date_range: tuple[str, str] | None = None
    countries: tuple[str, ...] | None = None
    admin1: tuple[str, ...] | None = None
    min_fatalities: int = 0
    text: str = ""  # words to find in the excerpt, any case
    min_confidence: float = 0.0

    def apply(self, events: pd.DataFrame) -> pd.DataFrame:
        """The events that pass every criterion."""
        # One mask, one selection: selecting copies every column, which is most of the cost.
        keep = np.ones(len(events), dtype=bool)
        for column, values in (("event_type", self.event_types), ("sub_event_type", self.sub_event_types),
                               ("country", self.countries), ("admin1", self.admin1)):
            if values is not None:
                keep &= _true(events[column].isin(list(values)))
        if self.date_range is not None:
            first, last = self.date_range
            keep &= _true(events["event_date"].between(first, last))
        if self.min_fatalities > 0:
            keep &= _true(events["fatalities"] >= self.min_fatalities)
        if self.text.strip():
            keep &= _true(events["notes"].str.contains(self.text.strip(), case=False, regex=False))
        if self.min_confidence > 0:
            keep &= _true(events["confidence"] >= self.min_confidence)
        return events if keep.all() else events[keep]

    def to_query(self) -> dict[str, list[str]]:
        """URL query parameters for the criteria that filter (each a list of values)."""
        query = {}
        for name, key in _QUERY_KEYS.items():
            value = getattr(self, name)
            if value is None or value in ("", 0, 0.0):
                continue
            if name == "date_range":
                query["from"], query["to"] = [value[0]], [value[1]]
            elif isinstance(value, tuple):
                query[key] = list(value) or [""]  # one empty value: "none of them"
            else:
                query[key] = [str(value)]
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, list[str]]) -> EventFilter:
        """The filter a URL's query parameters describe; values that do not parse are ignored."""
        found = {}
        for name, key in _QUERY_KEYS.items():
            values = [v for v in query.get(key, []) if isinstance(v, str)]
            if name == "date_range":
                first, last = query.get("from", [None])[0], query.get("to", [None])[0]
                if _is_iso_day(first) and _is_iso_day(last):
                    found[name] = (min(first, last), max(first, last))
            elif not values:
                continue
            elif name in ("min_fatalities", "min_confidence"):
                try:
                    number = float(values[0])
                except ValueError:
                    continue
                if number == number and number > 0:  # not NaN
                    found[name] = int(min(number, 1e9)) if name == "min_fatalities" else min(number, 1.0)
            elif name == "text":
                found[name] = values[0][:200]
            else:
                found[name] = tuple(v for v in values if v)
        return cls(**found)


_QUERY_KEYS = {"event_types": "type", "sub_event_types": "subtype", "date_range": "from",
               "countries": "country", "admin1": "admin1", "min_fatalities": "min_fatalities",
               "text": "q", "min_confidence": "min_confidence"}
assert set(_QUERY_KEYS) == {f.name for f in fields(EventFilter)}


def _is_iso_day(value) -> bool:
    try:
        date.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def breakdown(events: pd.DataFrame, column: str) -> pd.DataFrame:
    """Events and fatalities per value of ``column`` (``event_type``, ``country``, ``admin1``), most events first.

    >>> from geo.table import events_frame
    >>> breakdown(events_frame([{"country": "Syria", "fatalities": 3}, {"country": "Syria"}]), "country")  # doctest: +NORMALIZE_WHITESPACE
             events  fatalities
    country
    Syria         2           3
    """
    grouped = events.groupby(events[column].fillna("unknown"))
    table = pd.DataFrame({"events": grouped.size(), "fatalities": grouped["fatalities"].sum(min_count=0)})
    table["fatalities"] = table["fatalities"].fillna(0).astype("int64")
    return table.sort_values(["events", "fatalities"], ascending=False)


def sub_event_type_options(events: pd.DataFrame) -> list[str]:
    """The sub-event types present, sorted."""
    return sorted(events["sub_event_type"].dropna().unique())


def admin1_options(events: pd.DataFrame) -> list[str]:
    """The first-level areas present, sorted."""
    return sorted(events["admin1"].dropna().unique())


def _true(mask: pd.Series) -> np.ndarray:
    """A nullable boolean mask as numpy booleans, missing values false."""
    return mask.fillna(False).to_numpy(dtype=bool)


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
    days = pd.to_datetime(dated["event_date"], errors="coerce").rename("day")
    counts = dated.groupby([days, dated["event_type"].fillna("unknown")]).size().unstack(fill_value=0)
    counts = counts.reindex(pd.date_range(counts.index.min(), counts.index.max(), freq="D", name="day"),
                            fill_value=0)
    counts.columns.name = None
    ordered = [t for t in EVENT_TYPES if t in counts.columns]
    return counts[ordered + sorted(set(counts.columns) - set(ordered))]


def article_events(events: pd.DataFrame, article_id: str, limit: int) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` events of one article, in table order, and how many it has in all.

    >>> frame = pd.DataFrame({"article_id": ["a", "b", "a", "a"], "event_id": ["a#0", "b#0", "a#1", "a#2"]})
    >>> first, count = article_events(frame, "a", 2)
    >>> list(first["event_id"]), count
    (['a#0', 'a#1'], 3)
    """
    # Positions first: selecting every column of thousands of rows to draw a few buttons costs more.
    positions = np.flatnonzero(events["article_id"].to_numpy() == article_id)
    return events.iloc[positions[:limit]], len(positions)


BREAKDOWNS = (("Event type", "event_type"), ("Country", "country"), ("Admin-1 area", "admin1"))


@dataclass(frozen=True)
class FilteredView:
    """Everything the page shows of one filter: made once, drawn by every session that asks for it."""

    shown: pd.DataFrame  # the events that pass (the table itself when nothing is filtered)
    counts: EventCounts
    table: pd.DataFrame  # the first rows, their text escaped for display
    per_day: pd.DataFrame
    breakdowns: tuple[pd.DataFrame, ...]  # one per BREAKDOWNS entry, named by its label


def filtered_view(view: EventFilter, events: pd.DataFrame, table_rows: int) -> FilteredView:
    """What ``view`` shows of ``events``: the events, counts, escaped table, days and breakdowns."""
    shown = view.apply(events)
    return FilteredView(shown, event_counts(shown), rendering.shown_frame(shown.head(table_rows)),
                        events_per_day(shown),
                        tuple(breakdown(shown, column).rename_axis(name) for name, column in BREAKDOWNS))
