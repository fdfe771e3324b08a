"""The timeline under the map: events per day by type, and the date range a user brushes on it.

Vega-Lite (through Altair) draws it from the page's own scripts, so it works offline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import altair as alt
import pandas as pd

from geo.mapview import event_colour

BRUSH = "brush"  # the name of the chart's interval selection, as Streamlit reports it


def timeline_chart(per_day: pd.DataFrame) -> alt.Chart:
    """Stacked bars of ``filters.events_per_day`` with an interval selection along the days."""
    long = per_day.reset_index().melt(id_vars="day", var_name="event_type", value_name="events")
    long = long[long["events"] > 0]
    types = list(per_day.columns)
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(day):T", title=None),  # one band per day: bars as wide as their day
            y=alt.Y("sum(events):Q", title="events"),
            color=alt.Color("event_type:N", title=None, legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=types, range=[event_colour(t) for t in types])),
            tooltip=[alt.Tooltip("yearmonthdate(day):T", title="day"), alt.Tooltip("event_type:N"),
                     alt.Tooltip("events:Q")],
        )
        .add_params(brush)
        .properties(height=160)
    )


def brushed_days(selection) -> tuple[date, date] | None:
    """The first and last day of a brushed range, from what Streamlit returns for the chart; None when none.

    Vega-Lite gives the range's ends as milliseconds since 1970 (UTC), under the name of the
    x field (``yearmonthdate_day`` for the days of ``timeline_chart``).

    >>> brushed_days({"selection": {"brush": {"yearmonthdate_day": [1316822400000, 1317340800000]}}})
    (datetime.date(2011, 9, 24), datetime.date(2011, 9, 30))
    >>> brushed_days({"selection": {"brush": {}}}) is None
    True
    """
    try:
        [ends] = selection["selection"][BRUSH].values()
        first, last = (_day(value) for value in ends[:2])
    except (KeyError, TypeError, ValueError, IndexError, OverflowError, OSError):
        return None
    return (first, last) if first <= last else (last, first)


def _day(value) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return datetime.fromtimestamp(float(value) / 1000, tz=UTC).date()
