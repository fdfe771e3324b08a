"""Facilities and streets placed at the town the text ties them to.

cities500 holds no parks, schools, bridges or streets.  Such a name is either missing from the
gazetteer or known only through a word inside it: "Christopher Inn" is not in Christopher,
Illinois, and "Oulton Park, Cheshire" is in Cheshire.  When the text names a town with it
("X in Y", "X, Y", "X near Y", "Y's X"), the town's point is the best one we have: the
mention takes it, marked approximate, with a reason naming the town.
"""

from __future__ import annotations

import re
from dataclasses import replace

from geo.gazetteer import ADMIN1, CAPITAL, CITY, WIDE_KINDS, Gazetteer, distance_km
from geo.toponyms import lookup, tokenize
from geo.vocabulary import FACILITY_FIRST_WORDS, FACILITY_WORDS

# A facility already placed this close to its town is placed better by its own name.
SAME_TOWN_KM = 25.0
CONFIDENCE = 0.3
# A facility read through a word inside its name, this far from every other place named, is misread.
FAR_KM = 250.0
# What may stand between a facility and the town after it, and between a town and its facility.
_TOWN_AFTER = re.compile(r"\s*(?:,|\bin|\bnear|\boutside|\bat)\s*(?:the\s+)?(?:city\s+of\s+|town\s+of\s+)?", re.I)
_TOWN_BEFORE = re.compile(r"['’]s\s+")


def is_facility(surface: str) -> bool:
    """Whether a name ends in a facility's or a street's word ("Oulton Park", "Royal Street"), or
    opens with a street's word of a language that puts it first ("Rue Casa Calvo")."""
    parts = surface.split()
    if not parts:
        return False
    last = parts[-1].lower().removesuffix("'s").removesuffix("’s").strip(".,;:!?\"'()")
    if last not in FACILITY_WORDS and parts[0].lower() not in FACILITY_FIRST_WORDS:
        return False  # most names: settled without tokenizing
    words = tokenize(surface)
    return len(words) >= 2 and (words[-1][2].lower().rstrip(".") in FACILITY_WORDS
                                or words[0][2].lower() in FACILITY_FIRST_WORDS and words[0][2][:1].isupper())


def place_facilities(text: str, resolved: list, gazetteer: Gazetteer) -> list:
    """``resolved`` with each facility the gazetteer cannot place by its whole name put at its town."""
    placed = []
    for position, r in enumerate(resolved):
        mention = r.mention
        if r.by_analyst:
            placed.append(r)
            continue
        if not _unlisted_facility(mention, gazetteer):
            placed.append(_head_of_facility(text, position, resolved) or r)
            continue
        town, why = _tied_town(text, position, resolved, gazetteer), "the town named with it"
        if town is None and r.place is not None and _alone(r, resolved):
            town, why = _main_town(resolved), "the town the article is most about"
        if town is None or (r.place is not None and not r.approximate and distance_km(
                r.place.latitude, r.place.longitude, town.place.latitude, town.place.longitude) <= SAME_TOWN_KM):
            placed.append(r)
            continue
        placed.append(replace(r, place=town.place, confidence=CONFIDENCE, approximate=True,
                              reason=f"a facility or street; placed at {town.place.name}, {why}"))
    return placed


def _head_of_facility(text: str, position: int, resolved: list):
    """A town's name that opens a facility's ("Walker Library in Minneapolis", "Camden Town Hall in
    London"), read as the town: placed at the town the facility is said to be in, if any.
    Without one, the facility may well lie in its namesake town ("Kegalle General Hospital")."""
    r = resolved[position]
    # Counties and states that open a facility's name hold it ("Kenton County jail", "Texas
    # Southern University"): only a town's name is a namesake's.
    if r.place is None or r.approximate or r.place.kind not in (CITY, CAPITAL):
        return None
    tail = _facility_tail(text, r.mention.end)
    if tail is None:
        return None
    after = resolved[position + 1] if position + 1 < len(resolved) else None
    if after is None or not _is_town(after) or after.place.kind == ADMIN1 or after.mention.key == r.mention.key \
            or not _joins(_TOWN_AFTER, text[tail.end():after.mention.start]) \
            or _facility_tail(text, after.mention.end) is not None:  # a list of facilities
        return None
    facility = text[r.mention.start:tail.end()]
    return replace(r, place=after.place, confidence=CONFIDENCE, approximate=True,
                   reason=f"opens the name of a facility ('{facility}'); placed at {after.place.name}, "
                          "the town named with it")


def _facility_tail(text: str, end: int):
    """The words after a name that end a facility's name: up to three, each capitalised or of a
    facility's kind ("Town Hall", "General Hospital"), the last a facility's word; None if none."""
    for count, word in enumerate(_TAIL_WORD.finditer(text, end, min(len(text), end + 60))):
        if word.start() != end or count == 3:
            return None
        if word.group(1).lower() in FACILITY_WORDS:
            return word
        if not (word.group(1)[0].isupper() or word.group(1).lower() in _FACILITY_QUALIFIERS):
            return None
        end = word.end()
    return None


_TAIL_WORD = re.compile(r" ([A-Za-z][\w’'-]*)\b")
_FACILITY_QUALIFIERS = frozenset({"town", "city", "general", "public", "central", "memorial", "regional"})


def _tied_town(text: str, position: int, resolved: list, gazetteer: Gazetteer):
    """The town named right after a facility ("in Rome", ", Cheshire") or right before it ("Denver's")."""
    mention = resolved[position].mention
    after = resolved[position + 1] if position + 1 < len(resolved) else None
    # A facility after a comma is the next of a list ("Florida Atlantic University, California
    # Polytechnic State University"), not the town the first one is in.
    if after is not None and _is_town(after) and not _unlisted_facility(after.mention, gazetteer) \
            and _joins(_TOWN_AFTER, text[mention.end:after.mention.start]):
        return after
    before = resolved[position - 1] if position else None
    if before is not None and _is_town(before) and _joins(_TOWN_BEFORE, text[before.mention.end:mention.start]):
        return before
    return None


def _unlisted_facility(mention, gazetteer: Gazetteer) -> bool:
    """A facility the gazetteer does not know by its whole name ("Miami Beach" is a town)."""
    return is_facility(mention.text) and not lookup(mention.key, mention.text, gazetteer)


def _joins(pattern: re.Pattern, gap: str) -> bool:
    return len(gap) <= 30 and pattern.fullmatch(gap) is not None


def _alone(r, resolved: list) -> bool:
    """A reading through a word of the name that no other place of the article lies near."""
    others = [o for o in resolved if _is_town(o) and o.mention.key != r.mention.key]
    return bool(others) and all(distance_km(r.place.latitude, r.place.longitude, o.place.latitude,
                                            o.place.longitude) > FAR_KM for o in others)


def _main_town(resolved: list):
    """The town the article names most often (the first named of those tied)."""
    counts: dict = {}
    for o in resolved:
        if _is_town(o) and not is_facility(o.mention.text):
            counts.setdefault(o.place.index, [0, o])[0] += 1
    return max(counts.values(), key=lambda item: item[0])[1] if counts else None


def _is_town(r) -> bool:
    return r.place is not None and not r.approximate and r.place.kind not in WIDE_KINDS
