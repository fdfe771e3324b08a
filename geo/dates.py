"""Dates in text: full dates, day-month without a year, and weekdays relative to the article's date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from geo.vocabulary import MONTHS, RELATIVE_DAYS, WEEKDAYS, alternation

# A month as text writes it, capitalised, with or without the dot of an abbreviation.
_MONTH = "(" + alternation(spelling.capitalize() for spelling in MONTHS) + r")\.?"
_DATE_PATTERNS = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("y", "m", "d")),
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"), ("M", "d", "y")),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4})\b"), ("d", "M", "y")),
)


def find_dates(text: str) -> Iterator[tuple[date, int, int]]:
    """Yield every full calendar date written in ``text`` with its character offsets."""
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups()))
            try:
                month = int(parts["m"]) if "m" in parts else MONTHS[parts["M"].lower().rstrip(".")]
                found = date(int(parts["y"]), month, int(parts["d"]))
            except (ValueError, KeyError):
                continue
            yield found, match.start(), match.end()


def date_in_text(text: str) -> str | None:
    """The first full date written in the text (a dateline or a dated caption), as ISO."""
    found = sorted(find_dates(text), key=lambda d: d[1])
    return found[0][0].isoformat() if found else None


_WEEKDAY = re.compile(r"\b(?:on|last|this|early|late)?\s*(" + alternation(d.capitalize() for d in WEEKDAYS) + r")\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?!,?\s+\d{4})\b")
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s+\d{4})")


def event_date(text: str, published: str | None) -> tuple[str | None, int]:
    """The day an excerpt says its event happened, and ACLED's time precision (1 day, 2 week, 3 month).

    A full date wins; then a day and month in the article's year; then a weekday or
    "yesterday" counted back from the publication date; else the publication date itself
    at precision 2.  Returns ``(None, 3)`` when nothing dates the event.
    """
    found = sorted(find_dates(text), key=lambda d: d[1])
    if found:
        return found[0][0].isoformat(), 1
    reference = date.fromisoformat(published) if published else None
    if reference is not None:
        for pattern, order in ((_DAY_MONTH, ("d", "M")), (_MONTH_DAY, ("M", "d"))):
            match = pattern.search(text)
            if match:
                parts = dict(zip(order, match.groups()))
                try:
                    day = date(reference.year, MONTHS[parts["M"].lower().rstrip(".")], int(parts["d"]))
                    if (day - reference).days > 1:
                        day = day.replace(year=day.year - 1)  # "30 December" in a January article
                except (ValueError, KeyError):
                    continue  # no such day: "31 June", or "29 February" a year back, or before year 1
                return day.isoformat(), 1
        match = _WEEKDAY.search(text)
        if match:
            back = (reference.weekday() - WEEKDAYS.index(match.group(1).lower())) % 7
            found = _days_before(reference, back)
            if found:
                return found, 1
        lowered = text.lower()
        for word, days in RELATIVE_DAYS.items():
            if re.search(r"\b" + re.escape(word) + r"\b", lowered):
                found = _days_before(reference, days)
                if found:
                    return found, 1
        return reference.isoformat(), 2
    return None, 3


def _days_before(reference: date, days: int) -> str | None:
    """The ISO day ``days`` before ``reference``, or None before the calendar's first day."""
    try:
        return (reference - timedelta(days=days)).isoformat()
    except OverflowError:
        return None
