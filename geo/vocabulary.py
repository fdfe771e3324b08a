r"""The words newsmap's rules are written in, each list read once from ``geo/resources/words/``.

Months and weekdays, the words before a place ("in", "near"), nouns of places ("village"), words
that report deaths, titles, capitalised words that are never places, the event classifier's cue
groups: each list is a text file, and this module is the only reader of those files.  A module
that matches a list with a regular expression builds the expression with ``alternation``, so a
word added to a file reaches every rule that uses its list.

A list file holds one word or phrase a line.  ``#`` starts a comment; blank lines are skipped;
``[name]`` opens a part of the file (lists that differ on purpose, or the groups of the cue list);
an entry in double quotes keeps its spaces (``"strike "``).  The files write words as text does;
the lists below are in lower case, to be compared with lower-cased text or matched by a pattern
compiled with ``re.IGNORECASE``, except where a name says otherwise.

Some lists feed learned features: the event classifier's cue groups (``EVENT_CUES``) and the
recognizer's ``LOCATIVES``, ``TITLES``, ``PERSON_VERBS``, ``PLACE_SUFFIXES`` and
``ORGANISATION_WORDS``.  A change to one of those changes the fitted model's answers until it is
trained again (``tools/train_event_model.py``, ``tools/train_recognizer.py``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from geo import paths


@functools.cache
def sections(name: str) -> dict[str, tuple[str, ...]]:
    """The parts of ``words/NAME.txt`` by their ``[name]``, each a tuple of its entries in file order.

    Entries before the first ``[name]`` make the part ``""``, left out when there are none.
    """
    parts: dict[str, list[str]] = {"": []}
    current = parts[""]
    for line in paths.resource(f"words/{name}.txt").read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry.startswith("[") and entry.endswith("]"):
            current = parts.setdefault(entry[1:-1].strip(), [])
        elif len(entry) > 1 and entry[0] == entry[-1] == '"':
            current.append(entry[1:-1])
        elif entry:
            current.append(entry)
    return {part: tuple(entries) for part, entries in parts.items() if part or entries}


def words(name: str) -> tuple[str, ...]:
    """Every entry of ``words/NAME.txt`` in file order, whatever part it stands in."""
    return tuple(entry for entries in sections(name).values() for entry in entries)


def alternation(choices: Iterable[str]) -> str:
    r"""A regular expression group matching any one of ``choices``: each escaped, the longest first.

    Longest first, so that where nothing after the group forces a longer choice, a shorter one
    that opens it ("kill" of "killing") does not win.

    >>> alternation(["kill", "killing", "a.m."])
    '(?:killing|a\\.m\\.|kill)'
    >>> re.match(alternation(["kill", "killing"]), "killings").group()
    'killing'
    >>> alternation([])
    Traceback (most recent call last):
    ValueError: no choices: an empty alternation would match anywhere
    """
    ordered = sorted(set(choices), key=lambda choice: (-len(choice), choice))
    if not ordered:
        raise ValueError("no choices: an empty alternation would match anywhere")
    return "(?:" + "|".join(map(re.escape, ordered)) + ")"


def _lower(entries: Iterable[str]) -> tuple[str, ...]:
    return tuple(entry.lower() for entry in entries)


# The calendar.  ``MONTHS`` takes every spelling (name or abbreviation) to the month's number.
_MONTH_ROWS = [row.split() for row in words("months")]
MONTH_NAMES = tuple(row[0].lower() for row in _MONTH_ROWS)
MONTHS = {spelling.lower(): number for number, row in enumerate(_MONTH_ROWS, start=1) for spelling in row}
WEEKDAYS = _lower(words("weekdays"))  # Monday first, as ``date.weekday()`` counts
# "yesterday": how many days before the publication date each phrase points to, in the file's order.
RELATIVE_DAYS = {phrase: int(days) for phrase, days in (entry.rsplit(None, 1) for entry in words("relative_days"))}

# Words before a place name, one list per rule (locatives.txt says which rule reads which).
_LOCATIVES = sections("locatives")
LOCATIVES = frozenset(_LOCATIVES["before a place"])
UNKNOWN_NAME_LOCATIVES = frozenset(_LOCATIVES["before an unknown name"])
EVENT_LOCATIVES = frozenset(_LOCATIVES["before an event's place"])
NEAR_LOCATIVES = frozenset(_LOCATIVES["near a place"])
COUNTRY_WIDE_LOCATIVES = frozenset(_LOCATIVES["across a country"])
_DIRECTIONS = sections("directions")
COMPASS_POINTS = _DIRECTIONS["compass points"]
AREA_PARTS = COMPASS_POINTS + _DIRECTIONS["other parts of an area"]

# Nouns of places, one list per rule (place_nouns.txt).
_PLACE_NOUNS = sections("place_nouns")
PLACE_NOUNS = frozenset(_PLACE_NOUNS["before of a place"])
EVENT_PLACE_NOUNS = frozenset(_PLACE_NOUNS["before of an event's place"])
TERRITORY_NOUNS = frozenset(_PLACE_NOUNS["taken by an armed group"])
NATURE_NOUNS = frozenset(_PLACE_NOUNS["natural features"])
HOST_NOUNS = frozenset(_PLACE_NOUNS["between a place and the place it lies in"])
HOST_NOUN = alternation(HOST_NOUNS)  # "Ada town (Dangme West, Greater Accra)", "Thor village, Thies"
PLACE_SUFFIXES = frozenset(_lower(words("place_suffixes")))
# Last words of a facility's or a street's name (facility_words.txt).
_FACILITY_SECTIONS = sections("facility_words")
_OPENING = "first words of streets and quarters in other languages"
FACILITY_WORDS = frozenset(_lower(e for part, entries in _FACILITY_SECTIONS.items() if part != _OPENING for e in entries))
FACILITY_FIRST_WORDS = frozenset(_lower(_FACILITY_SECTIONS[_OPENING]))  # "Rue Casa Calvo"
# Names of currencies, after which a country's name names the money (currency_words.txt).
CURRENCY_WORDS = frozenset(_lower(words("currency_words")))

# Words that report deaths: all of them, and those a count may follow.
_KILL_WORDS = sections("kill_words")
KILL_WORDS = frozenset(words("kill_words"))
ACTIVE_KILL_WORDS = frozenset(_KILL_WORDS["active"])
TOLL_WORDS = frozenset(_KILL_WORDS["toll"])

# Who a capitalised name is: a person after a title or before a verb of speech, an organisation
# before one of its words, never a place for a word of NEVER_PLACES.
_TITLES = sections("titles")
TITLES = frozenset(_lower(words("titles")))
# Months by any spelling: "Last updated at Jun 142016" names no place "Jun".
NEVER_PLACES = frozenset(_lower(words("never_places"))) | frozenset(MONTHS) | frozenset(WEEKDAYS) \
    | frozenset(_lower(_TITLES["never a place"]))
PERSON_VERBS = frozenset(words("person_verbs"))
ORGANISATION_WORDS = frozenset(_lower(words("organisation_words")))
ARABIC_ARTICLES = frozenset(words("arabic_articles"))  # "al" of "al-Bab", without its hyphen
ABBREVIATIONS = words("abbreviations")  # as written: "Mr", "St", "vs"

# The event classifier's cue groups, by name, each a tuple of entries in file order.
EVENT_CUES = {group: entries for group, entries in sections("event_cues").items() if group}
