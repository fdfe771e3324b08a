"""An analyst's corrections: a place mention resolved to another gazetteer entry, an event's type, date or toll.

Corrections are kept in the store (``store.add_correction``) apart from what the machine
read, and applied whenever an article is processed, so they survive re-ingests and
upgrades: a place correction goes into the pipeline before events are extracted (the event
moves with its place); an event correction overrides the fields it names and marks the event
``checked = "human"``. An event correction holds the excerpt it was made on and is applied
only to the event of the same id read from that same excerpt, so that a newer pipeline that
reads the article differently never moves it onto another event.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from geo.errors import CorrectionError
from geo.geocode import Resolved
from geo.table import EVENT_TYPES, SUB_EVENT_TYPES

EVENT_FIELDS = ("event_type", "sub_event_type", "event_date", "fatalities")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Correction:
    """One stored correction. ``target`` is ``"start:end"`` of a mention, or ``"start:end:event_id"`` of an event."""

    kind: str  # "place" or "event"
    article_id: str
    target: str
    field: str  # "geonameid" for a place; one of EVENT_FIELDS for an event
    value: str

    @property
    def key(self) -> str:
        return "|".join((self.kind, self.article_id, self.target, self.field))


def place_correction(article_id: str, start: int, end: int, geonameid: int) -> Correction:
    """The mention at ``start:end`` means the gazetteer entry ``geonameid``."""
    if start < 0 or end <= start:
        raise CorrectionError(f"{start}:{end} is not a mention's span; give its start and end offsets")
    return Correction("place", article_id, f"{start}:{end}", "geonameid", str(int(geonameid)))


def event_corrections(event, **values) -> list[Correction]:
    """Corrections of ``event`` (a table row) for each of ``EVENT_FIELDS`` given, checked against ACLED's codebook."""
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise CorrectionError(f"cannot correct {', '.join(sorted(unknown))}; choose from {', '.join(EVENT_FIELDS)}")
    event_type = values.get("event_type") or event["event_type"]
    if event_type not in EVENT_TYPES:
        raise CorrectionError(f"{event_type!r} is not one of ACLED's event types: {', '.join(EVENT_TYPES)}")
    sub_event_type = values.get("sub_event_type")
    if "event_type" in values and sub_event_type is None and event["sub_event_type"] not in EVENT_TYPES[event_type]:
        raise CorrectionError(f"give the sub-event type too: {event['sub_event_type']!r} is not one of "
                              f"{event_type}'s ({', '.join(EVENT_TYPES[event_type])})")
    if sub_event_type is not None and SUB_EVENT_TYPES.get(sub_event_type) != event_type:
        raise CorrectionError(f"{sub_event_type!r} is not a sub-event type of {event_type}: choose from "
                              f"{', '.join(EVENT_TYPES[event_type])}")
    day = values.get("event_date")
    if day is not None and not _ISO_DAY.fullmatch(str(day)):
        raise CorrectionError(f"{day!r} is not a day; write it as YYYY-MM-DD")
    fatalities = values.get("fatalities")
    if fatalities is not None and (not str(fatalities).isdigit() or int(fatalities) > 10_000_000):
        raise CorrectionError(f"{fatalities!r} is not a number of deaths; give a whole number, 0 or more")
    target = f"{int(event['excerpt_start'])}:{int(event['excerpt_end'])}:{event['event_id']}"
    return [Correction("event", event["article_id"], target, name, str(value))
            for name, value in values.items() if value is not None]


def place_overrides(corrections: list[Correction]) -> dict[tuple[int, int], int]:
    """(start, end) of a mention -> the geonameid an analyst chose for it."""
    overrides = {}
    for c in corrections:
        if c.kind == "place":
            start, end = (int(part) for part in c.target.split(":"))
            overrides[(start, end)] = int(c.value)
    return overrides


def apply_places(resolved: list[Resolved], overrides: dict[tuple[int, int], int], gazetteer) -> list[Resolved]:
    """``resolved`` with each corrected mention given the analyst's place, at full confidence."""
    if not overrides:
        return resolved
    corrected = []
    for r in resolved:
        geonameid = overrides.get((r.mention.start, r.mention.end))
        place = gazetteer.by_geonameid(geonameid) if geonameid is not None else None
        if place is None:
            corrected.append(r)
        else:
            corrected.append(dataclasses.replace(r, place=place, confidence=1.0, approximate=False,
                                                 reason="chosen by an analyst", by_analyst=True))
    return corrected


def apply_events(events: list, corrections: list[Correction]) -> list:
    """``events`` (``Event`` rows) with the analyst's fields, each corrected one marked ``checked = "human"``.

    An event placed at a mention whose place an analyst chose is marked too.
    """
    by_excerpt: dict[str, dict[str, str]] = {}
    for c in corrections:
        if c.kind == "event":
            by_excerpt.setdefault(c.target, {})[c.field] = c.value
    chosen_places = place_overrides(corrections)
    corrected = []
    for event in events:
        fields = by_excerpt.get(f"{event.excerpt_start}:{event.excerpt_end}:{event.event_id}")
        if not fields and any(gid == event.geonameid and event.excerpt_start <= start < event.excerpt_end
                              for (start, _), gid in chosen_places.items()):
            event = dataclasses.replace(event, checked="human")
        elif fields:
            changes = {name: int(value) if name == "fatalities" else value for name, value in fields.items()}
            if "event_date" in changes:
                changes["time_precision"] = 1  # the analyst gave the day
            event = dataclasses.replace(event, **changes, checked="human")
        corrected.append(event)
    return corrected
