"""Actor1 and actor2 of an event in ACLED's naming ("Al Shabaab", "Protesters (Kenya)", "Military Forces of Syria (2000-)").

The names, their surface forms and the words that signal each generic role ("gunmen" for an
unidentified armed group) are learned from ACLED records by ``tools/build_actor_names.py`` into
``geo/resources/actor_names.json`` (names and surface forms only, never a note). One Aho-Corasick pass over
the lowered text finds the mentions, a second over the original text finds the case-sensitive
acronyms ("AS", "JNIM"); the event type then orders them as ACLED does: the side that acts first.

>>> actors("On 3 May 2020, Al Shabaab militants attacked a military base.", "Battles", "Armed clash", "Somalia")[0]
'Al Shabaab'
>>> actors("", None, None, None)
(None, None)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import ahocorasick_rs

from geo import paths

DEFAULT_NAMES = paths.resource("actor_names.json")
ROLE = "{c}"  # a name holding ROLE is a template filled with the event's country
# An actor's country is the event's when it holds this share of the actor's records ("JNIM": Burkina Faso, 84%).
ACTING_SHARE = 0.8
_YEAR_RANGE = re.compile(r"\s*\(\d{4}-(?:\d{4})?\)\s*$")
_SPACES = re.compile(r"\s+")
_PROPER_WORD = re.compile(r"[A-Z][\w'’-]*")
_WORD_CHARACTER = re.compile(r"\w")
_INTERVENTION = ("Protest with intervention", "Excessive force against protesters")
_BY = re.compile(r"\bby (?:the |an? )?$", re.I)
_TAKES_TERRITORY = ("Government regains territory", "Non-state actor overtakes territory")
_PLANTED = ("Remote explosive/landmine/IED", "Grenade", "Suicide bomb")
_TARGETED = re.compile(r"\b(?:target\w*|against|attack\w*|ambush\w*|killing|killed|wounding|wounded|injur\w*|"
                       r"hit|struck|convoy|patrol\w*|vehicles?|trucks?|bases?|posts?|checkpoints?|camps?|outposts?|"
                       r"stations?)\b", re.I)


def _is_state(key: str | None) -> bool:
    return bool(key) and "Forces of" in key


def normalise_actor(name: str | None) -> str:
    """The key two actor names are compared by: lowercased, spaces collapsed, a trailing year range dropped.

    >>> normalise_actor("Military Forces of Nigeria  (2015-2023)")
    'military forces of nigeria'
    >>> normalise_actor(None)
    ''
    """
    if not name or name == "NA":
        return ""
    return _YEAR_RANGE.sub("", _SPACES.sub(" ", name.strip()).lower())


class _Names:
    """The shipped data: surface forms to actor keys, and how each key is written for a country."""

    def __init__(self, data: dict):
        self.countries: dict[str, str] = data["countries"]
        self.state_names: dict[str, dict[str, str]] = data["state_names"]
        self.priors: dict[str, list] = data["priors"]
        self.lowered = _Finder(data["surfaces"])  # surface (lowercase) -> actor key
        self.exact = _Finder(data["acronyms"])  # surface (case as written) -> actor key
        homes = data.get("homes", {})
        self.homes: dict[str, list] = homes.get("countries", {})  # actor key -> [[ISO code, share]]
        self.country_words: dict[str, str] = data.get("country_words", {})  # "awami" -> "BD"
        # (event type, second, first): a pair ACLED writes the other way round
        self.reversed = {(event_type, second, first) for event_type, pairs in data.get("orders", {}).items()
                         for first, second in pairs}
        self.home_lowered = _Finder(homes.get("lowered", {}))
        self.home_exact = _Finder(homes.get("exact", {}))

    def name(self, key: str, country: str | None) -> str | None:
        """The name ACLED writes for an actor key in a country: a template filled, the year range it uses most."""
        if ROLE not in key:
            return key
        if not country:
            return None
        return self.state_names.get(country, {}).get(key) or key.replace(ROLE, country)

    def mentions(self, text: str) -> list[tuple[int, str]]:
        """(start, key) of every actor mention, in text order, each a whole word or words."""
        found = [*self.lowered.spans(text.lower()), *self.exact.spans(text)]
        found.sort()
        kept, after = [], 0
        for start, end, key in found:  # the two passes may overlap: the earlier, longer mention wins
            if start >= after:
                kept.append((start, key))
                after = end
        return kept


class _Finder:
    """Whole-word surfaces of one case and what each one stands for."""

    def __init__(self, values: dict):
        self.values = list(values.values())
        kind = ahocorasick_rs.MatchKind.LeftmostLongest
        self.automaton = ahocorasick_rs.AhoCorasick(list(values), matchkind=kind) if values else None

    def spans(self, haystack: str):
        """(start, end, value) of every surface found in ``haystack`` as a whole word or words."""
        if self.automaton is None:
            return
        for index, start, end in self.automaton.find_matches_as_indexes(haystack):
            if not ((start and _WORD_CHARACTER.match(haystack, start - 1)) or _WORD_CHARACTER.match(haystack, end)):
                yield start, end, self.values[index]

    def find(self, haystack: str):
        """The value of every surface found in ``haystack`` as a whole word or words."""
        return (value for _, _, value in self.spans(haystack))


@lru_cache(maxsize=4)
def load_names(path: Path = DEFAULT_NAMES) -> _Names:
    with open(path, encoding="utf-8") as file:
        return _Names(json.load(file))


@lru_cache(maxsize=256)
def actor_countries(text: str, names_path: Path = DEFAULT_NAMES) -> dict[str, float]:
    """The countries the named armed groups and parties of ``text`` act in (ISO code -> share of their
    ACLED records), from the actors' own names only ("JNIM", "al Shabaab", "Katiba Macina").

    ACLED notes seldom name their country; "suspected JNIM militants attacked Solle" is in Burkina
    Faso or Mali, not at a village of that name in Spain.

    >>> actor_countries("Suspected JNIM militants attacked the village.")
    {'BF': 0.844, 'ML': 0.122}
    """
    names = load_names(names_path)
    return _countries_of(names, (*names.home_lowered.find(text.lower()), *names.home_exact.find(text)))


def acled_country(name: str | None, names_path: Path = DEFAULT_NAMES) -> str | None:
    """A country's name as ACLED writes it ("Palestine", "Democratic Republic of Congo"), given GeoNames'.

    >>> acled_country("Palestinian Territory")
    'Palestine'
    >>> acled_country("Syria")
    'Syria'
    """
    return load_names(names_path).countries.get(name, name) if name else name


def acting_country(text: str, names_path: Path = DEFAULT_NAMES) -> str | None:
    """The one country (ISO code) that holds ``ACTING_SHARE`` of the ACLED records of the actors ``text``
    names in any of their learned forms ("Pokomo", "ODM"), or None.

    For an event the text places nowhere: its generic actors are then named for that country.
    """
    names = load_names(names_path)
    found = _countries_of(names, (key for _, key in names.mentions(text)))
    top = max(found, key=found.get, default=None)
    return top if top is not None and found[top] >= ACTING_SHARE else None


@lru_cache(maxsize=256)
def worded_country(text: str, names_path: Path = DEFAULT_NAMES) -> str | None:
    """The country (ISO code) most of the text's proper words point to ("Awami", "Sagaing", "Mungiki"),
    learned from ACLED's notes; None when none does or two tie.

    >>> worded_country("Awami League activists attacked BNP supporters.")
    'BD'
    """
    words = load_names(names_path).country_words
    votes = Counter(words[word] for word in {token.lower() for token in _PROPER_WORD.findall(text)} if word in words)
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def _countries_of(names: _Names, keys) -> dict[str, float]:
    found: dict[str, float] = {}
    for key in keys:
        for code, share in names.homes.get(key, ()):
            if share > found.get(code, 0.0):
                found[code] = share
    return found


def _joint_names(keys: list[str]) -> list[str]:
    """ACLED's joint name for two groups it cannot tell apart stands for either one named beside it:
    "JNIM and/or ISGS militants" is "JNIM: ... and/or Islamic State (Greater Sahara)", not JNIM alone."""
    joint = [key for key in keys if " and/or " in key]
    if not joint:
        return keys
    kept = []
    for key in keys:
        whole = next((j for j in joint if j != key and (j.startswith(key + " and/or ") or j.endswith(" and/or " + key))),
                     None)
        name = whole or key
        if name not in kept:
            kept.append(name)
    return kept


def _agent_first(text: str, mentions: list[tuple[int, str]]) -> tuple[list[str], str | None]:
    """Distinct keys, the acting side first, and that side when the text marks it: a mention right
    after "by" ("killed by gunmen") is the agent."""
    keys: list[str] = []
    agent = None
    for start, key in mentions:
        if agent is None and _BY.search(text[max(0, start - 7):start]):
            agent = key
        if key not in keys:
            keys.append(key)
    if agent is not None:
        keys.remove(agent)
        keys.insert(0, agent)
    return keys, agent


def actors(text: str, event_type: str | None, sub_event_type: str | None,
           country: str | None, names_path: Path = DEFAULT_NAMES) -> tuple[str | None, str | None]:
    """Actor1 (the side that acts) and actor2 (its target or opponent) in ACLED's naming, None where there is none.

    ``country`` is the event's country as newsmap's gazetteer or ACLED names it; it fills the generic
    names ("Civilians (Nigeria)"). Without it a generic actor is None, a named one is still given.

    >>> actors("On 2 June 2021, gunmen killed two villagers in Zurmi.", "Violence against civilians", "Attack", "Nigeria")
    ('Unidentified Armed Group (Nigeria)', 'Civilians (Nigeria)')
    >>> actors("Students protested in Nairobi.", "Protests", "Peaceful protest", "Kenya")
    ('Protesters (Kenya)', None)
    """
    if not text or not event_type:
        return None, None
    names = load_names(names_path)
    country = names.countries.get(country, country) if country else None
    prior1, prior2 = names.priors.get(f"{event_type}|{sub_event_type}") or names.priors.get(event_type, (None, None))
    keys, agent = _agent_first(text, names.mentions(text))
    keys = _joint_names(keys)
    if agent is not None and agent not in keys:
        agent = keys[0]
    untargeted = False
    if sub_event_type in _PLANTED and agent is None:
        # A bomb or a grenade is seldom the state's: ACLED codes its army or police as the target
        # (4% of such records have a state force as actor1), the bomber unknown unless named...
        states = [key for key in keys if _is_state(key)]
        keys = [key for key in keys if not _is_state(key)]
        # ... and only where the text says the device was aimed at them or hit them: "exploded near
        # the clock tower that the military was securing" has no target in ACLED's coding (of the IED
        # notes that name a state force, 80% of those with no actor2 say no such word, 6% of those
        # with the state as actor2).
        untargeted = bool(states) and not _TARGETED.search(text)
        if not untargeted:
            keys += states
            if keys and _is_state(keys[0]):
                keys.insert(0, prior1)
    elif sub_event_type in _TAKES_TERRITORY:
        # The side that takes the ground is actor1: the state when it regains it, else the group.
        state_first = sub_event_type == "Government regains territory"
        keys = sorted(keys, key=lambda key: _is_state(key) != state_first)
    crowd = "Protesters ({c})" if event_type == "Protests" else "Rioters ({c})"
    if event_type in ("Protests", "Riots"):
        others = [key for key in keys if key not in ("Protesters ({c})", "Rioters ({c})")]
        if event_type == "Protests" and sub_event_type not in _INTERVENTION:
            second = None
        elif event_type == "Protests":
            second = next((key for key in others if "Forces" in key), prior2)
        else:
            second = others[0] if others else prior2
        return names.name(crowd, country), names.name(second, country) if second else None
    if event_type == "Violence against civilians":
        first = next((key for key in keys if key != "Civilians ({c})"), prior1)
        return names.name(first, country) if first else None, names.name("Civilians ({c})", country)
    first = keys[0] if keys else prior1
    second = next((key for key in keys if key != first), None)
    if second is None and prior2 and prior2 != first and not untargeted:
        second = prior2
    # Where the text does not say who acted, the order ACLED writes the pair in.
    if agent is None and (event_type, first, second) in names.reversed:
        first, second = second, first
    return (names.name(first, country) if first else None), (names.name(second, country) if second else None)
