"""Choosing the place a mention means: the in-context resolver, a learned ranker over the gazetteer.

``resolve`` ranks each mention's candidates with what the whole article says: the countries
it names, the "X, Y" pattern, the places near the others, one sense per name per article.
``geo.geocoder.OfflineGeocoder`` offers the same in geopy's shape for a bare query.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from pathlib import Path
from typing import NamedTuple

from geo import paths
from geo.actors import actor_countries, worded_country
from geo.facilities import place_facilities
from geo.gazetteer import (
    ADMIN1,
    ADMIN2,
    CAPITAL,
    CITY,
    COUNTRY,
    WIDE_KINDS,
    Gazetteer,
    Place,
    distance_km,
    is_own_name,
    normalize,
)
from geo.postal import place_villages, tier_for
from geo.toponyms import Mention
from geo.vocabulary import HOST_NOUN

KIND_NAMES = ("continent", "country", "admin1", "admin2", "city", "capital", "region")
KIND_LABELS = ("continent", "country", "first-level area", "second-level area", "town", "capital", "region")

WEIGHTS_FILE = paths.resource("resolver_weights.json")

FEATURES = (
    "log_population", "continent", "country", "admin1", "admin2", "city", "capital", "region", "own_name",
    "country_support", "admin1_support", "country_named", "admin1_named", "container",
    "near_anchor", "anchor_distance", "most_populous", "population_share", "candidates",
    "known_country", "namesake_city", "currency_country", "near_names", "outlet_home",
)
# Weights before any training: size and kind first, then the article's countries and areas.
# tools/train_resolver.py fits better ones on annotated corpora into WEIGHTS_FILE.
HAND_WEIGHTS = {
    "log_population": 7.0, "continent": 5.0, "country": 6.0, "admin1": 2.5, "admin2": 0.5, "region": 9.0,
    "capital": 4.0, "own_name": 1.5, "country_support": 3.0, "admin1_support": 2.5,
    "country_named": 3.0, "admin1_named": 2.5, "container": 6.0, "near_anchor": 2.0,
    "known_country": 8.0, "namesake_city": -3.0, "outlet_home": 4.0,
}
# Weights training does not set. Annotated corpora never set a country for the user. Only one
# corpus (LGL) repeats outlets, and fitted there the outlet's home explained away the article's
# own context (admin1_support 8.6 -> 3.1, near_names 6.7 -> 3.1), which single articles rely on:
# a Syrian report lost its Ariha. Left at 4.0: LGL acc161 0.884 -> 0.927, GeoWebNews unchanged.
HAND_SET = ("known_country", "outlet_home")
NEAR_KM = 250.0
MAX_CONTENDERS = 20
STRAY_POPULATION = 100_000
STRAY_LEAD = 0.5
# The second reading (see ``resolve``): +1.4 points acc@161 on LGL and +0.3 on GeoWebNews, with
# a gain on either half of each corpus.
ANCHOR_CONFIDENCE = 0.5
REREAD_BELOW = 0.8
# Amounts in a currency only one country uses tell where a local report is from: "$765,000"
# (no "C$", "A$", "HK$" before it) in a town council story.  Prices abroad are rare in local news.
# "Rs" is left out: Pakistan, Nepal and Sri Lanka write their rupees so too.
_CURRENCIES = {"US": ("US dollars", "$", re.compile(r"(?<![A-Za-z])\$\s?\d")),
               "GB": ("pounds sterling", "£", re.compile(r"(?<![A-Za-z])£\s?\d")),
               "IN": ("rupees", "₹", re.compile(r"₹\s?\d"))}


@dataclass(frozen=True, slots=True)
class Resolved:
    """A mention and the place chosen for it (``place`` is None when nothing fits)."""

    mention: Mention
    place: Place | None
    confidence: float
    reason: str
    approximate: bool = False  # the point is borrowed from a nearby named place
    by_analyst: bool = False  # an analyst's correction: kept exactly as chosen

    @property
    def status(self) -> str:
        if self.place is None:
            return "unresolved"
        return "approximate" if self.approximate else "resolved"


@lru_cache(maxsize=4)
class Reading(NamedTuple):
    """How one name of an article is read: the ranker's score, the place, its confidence and why."""

    score: float
    place: Place | None
    confidence: float
    reason: str


def load_weights(path: Path | str = WEIGHTS_FILE) -> dict[str, float]:
    """The ranker's weights: fitted ones from ``geo/resources/``, else the hand-set defaults."""
    # Read once per version of the file: every article's resolve asks for them (one stat each).
    try:
        version = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        version = None
    return dict(_weights_of(str(path), version))


@lru_cache(maxsize=8)
def _weights_of(path: str, version: int | None) -> dict[str, float]:
    weights = {name: HAND_WEIGHTS.get(name, 0.0) for name in FEATURES}
    if version is not None:
        fitted = json.loads(Path(path).read_text(encoding="utf-8"))["weights"]
        # A feature newer than the fitted file keeps its hand-set weight until the next fit.
        weights.update({name: float(fitted.get(name, weights[name])) for name in FEATURES})
    for name in HAND_SET:
        weights[name] = HAND_WEIGHTS[name]
    return weights


def prior(place: Place, own_name: bool) -> float:
    """How likely a place is meant before reading the article: size, kind, own name."""
    weights = load_weights()
    score = weights["log_population"] * math.log10(place.population + 10) / 7
    score += weights[KIND_NAMES[place.kind]]
    return score + (weights["own_name"] if own_name else 0.0)


def most_populous(mention: Mention, gazetteer: Gazetteer) -> Place | None:
    """The baseline: the candidate with the largest population, nothing else considered."""
    places = [gazetteer.posted(code) for code in mention.codes]
    return max(places, key=lambda p: p.population) if places else None


class _Context:
    """What the whole article says about where it is: countries, areas, sure places."""

    def __init__(self, text: str, mentions: list[Mention], gazetteer: Gazetteer, known_country: str | None,
                 home: dict | None = None):
        self.text, self.mentions, self.gazetteer, self.known_country = text, mentions, gazetteer, known_country
        self.home = home or {}  # area -> share: where the outlet's other articles are (geo.outlets)
        # A name recurs: its places and their largest population are looked up once.
        by_codes: dict[tuple, tuple[list[Place], int]] = {}
        for m in mentions:
            if m.codes not in by_codes:
                places = [gazetteer.posted(code) for code in m.codes]
                by_codes[m.codes] = (places, max((p.population for p in places), default=0) or 1)
        self.places = [by_codes[m.codes][0] for m in mentions]
        self.largest = [by_codes[m.codes][1] for m in mentions]
        self.country_votes: dict[str, dict[str, float]] = {}  # key -> country -> share
        self.admin1_votes: dict[str, dict[tuple, float]] = {}
        self.countries_named, self.admin1_named = set(), set()
        stated: set[str] = set()  # by a country's name, or a people's as a noun (not "Irish pub")
        self.anchors: list[Place] = []
        anchored: set[int] = set()
        self.anchor_sets: dict[str, list[Place]] = {}  # per name, for a second reading
        for mention, places in zip(mentions, self.places):
            if mention.cue == "demonym" and _ACTOR_AFTER.match(text, mention.end) \
                    and not self._other_name_in(mention.country_code, places):
                # "Somali militia shot a herder in Kitui": whose the force is, not where the places
                # lie, unless another name may lie there too ("Syrian army troops ... in Ariha").
                continue
            if mention.country_code:
                self.countries_named.add(mention.country_code)
                if mention.cue != "demonym" or not _QUALIFIED.match(text, mention.end):
                    stated.add(mention.country_code)
            if places and all(p.kind == COUNTRY for p in places[:1]) and len(places) <= 3:
                self.countries_named.add(places[0].country_code)
                if mention.cue != "demonym":
                    stated.add(places[0].country_code)
            if len(places) == 1:
                if places[0].kind == ADMIN1:
                    self.admin1_named.add((places[0].country_code, places[0].admin1_code))
                if places[0].kind not in WIDE_KINDS and places[0].index not in anchored:
                    anchored.add(places[0].index)  # once: a name may recur thousands of times
                    self.anchors.append(places[0])
            if places and mention.key not in self.country_votes:
                self.country_votes[mention.key], self.admin1_votes[mention.key], _ = _spread(mention.codes, gazetteer)
        self.voters = max(1, len(self.country_votes) - 1)
        # The armed groups it names say where too ("JNIM" is in Burkina Faso or Mali).
        self.countries_said = frozenset(self.countries_named)
        self.actor_countries = actor_countries(text)
        self.countries_named.update(self.actor_countries)
        # A note that names no country may still say it in its proper words ("Awami", "Bench Maji").
        self.worded_country = None if self.countries_named else worded_country(text)
        if self.worded_country:
            self.countries_named.add(self.worded_country)
            stated.add(self.worded_country)
        self.countries_stated = frozenset(stated | set(self.actor_countries))
        # The symbol first: most articles have none, and ``in`` is far cheaper than the expression.
        self.currency_countries = {country for country, (_, symbol, amount) in _CURRENCIES.items()
                                   if symbol in text and amount.search(text)}
        # Which names have a town or county in each one-degree cell: local reports name places
        # that lie together, so a reading beside the other names' namesakes is the likelier.
        self.names_in_cell: dict[tuple[int, int], dict[str, float]] = {}
        cells_of_name: dict[str, set] = {}
        for mention, places in zip(mentions, self.places):
            if mention.key not in cells_of_name:
                cells_of_name[mention.key] = _spread(mention.codes, gazetteer)[2] if places else frozenset()
        # A name with namesakes everywhere ("Washington") says little about any one cell.
        for key, cells in cells_of_name.items():
            for cell in cells:
                self.names_in_cell.setdefault(cell, {})[key] = 1.0 / len(cells)
        self.local_names = sum(1 for cells in cells_of_name.values() if cells)
        self._near_names: dict[tuple, float] = {}
        self.country_totals = _totals(self.country_votes)
        self.admin1_totals = _totals(self.admin1_votes)

    def _other_name_in(self, country: str, own: list[Place]) -> bool:
        """Whether a name other than the one whose places are ``own`` may lie in ``country``."""
        return any(place.country_code == country for places in self.places if places is not own for place in places)

    def near_names(self, place: Place, key: str) -> float:
        """How many of the article's other local names have a namesake within about a degree of ``place``.

        Each name counts by its share of the cells its namesakes lie in, so "Washington", with
        namesakes everywhere, counts for little; the sum is a share of all the other names.
        """
        if place.kind not in _LOCAL_KINDS or self.local_names < 2:
            return 0.0
        cell = _cell(place)
        found = self._near_names.get((cell, key))
        if found is None:
            near: dict[str, float] = {}
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    for name, share in self.names_in_cell.get((cell[0] + dr, cell[1] + dc), _NO_NAMES).items():
                        if share > near.get(name, 0.0):
                            near[name] = share
            near.pop(key, None)
            found = self._near_names[(cell, key)] = sum(near.values()) / (self.local_names - 1)
        return found

    def support(self, votes: dict, totals: dict, key: str, target) -> float:
        """Share of the article's other names that could lie in ``target`` (a country or an area)."""
        return (totals.get(target, 0.0) - votes.get(key, {}).get(target, 0.0)) / self.voters


_LOCAL_KINDS = frozenset({CITY, CAPITAL, ADMIN2})
_NO_NAMES: dict = {}


# A people's name as an adjective ("Irish pub", "Irish songs") says little about where an article is.
_QUALIFIED = re.compile(r" [a-z]")
# The nouns of an armed force or a gang after a people's name.
_ACTOR_AFTER = re.compile(r"(?:-backed|-led)?\s+(?:(?:armed|security|government|military|special|border)\s+)?"
                          r"(?:forces|troops|army|soldiers|military|militias?|militiam[ae]n|gunm[ae]n|bandits|raiders|"
                          r"rebels|fighters|insurgents|militants|jihadists|police|policem[ae]n|navy|warplanes|jets|"
                          r"aircraft|drones|artillery|herders|pastoralists|attackers|assailants|kidnappers)\b", re.I)


@lru_cache(maxsize=50_000)
def _spread(codes: tuple[int, ...], gazetteer: Gazetteer) -> tuple[dict, dict, frozenset]:
    """Where a name's places lie: each country's share, each admin-1 area's share, the cells of its towns.

    The same in every article: kept per name, as a name recurs across a corpus ("Washington" has hundreds
    of namesakes). Callers never change the dicts.
    """
    places = [gazetteer.posted(code) for code in codes]
    countries = {p.country_code for p in places}
    areas = {(p.country_code, p.admin1_code) for p in places if p.kind != COUNTRY}
    return ({c: 1.0 / len(countries) for c in countries}, {a: 1.0 / len(areas) for a in areas},
            frozenset(_cell(p) for p in places if p.kind in _LOCAL_KINDS))


def _cell(place: Place) -> tuple[int, int]:
    return math.floor(place.latitude), math.floor(place.longitude)


def _totals(votes: dict) -> dict:
    totals: dict = {}
    for shares in votes.values():
        for target, share in shares.items():
            totals[target] = totals.get(target, 0.0) + share
    return totals


def candidate_features(context: _Context, position: int, place: Place, own_name: bool,
                       container: Place | None) -> list[float]:
    """The ranker's features of one candidate for one mention, in ``FEATURES`` order."""
    mention = context.mentions[position]
    places = context.places[position]
    largest = context.largest[position]
    near = _nearest_anchor(place, context.anchor_sets.get(mention.key, context.anchors))
    kind = [0.0] * len(KIND_NAMES)
    kind[place.kind] = 1.0
    area = (place.country_code, place.admin1_code)
    return [
        math.log10(place.population + 10) / 7,
        *kind,
        1.0 if own_name else 0.0,
        context.support(context.country_votes, context.country_totals, mention.key, place.country_code),
        context.support(context.admin1_votes, context.admin1_totals, mention.key, area)
        if place.kind != COUNTRY else 0.0,
        1.0 if place.country_code in context.countries_named and place.kind not in WIDE_KINDS else 0.0,
        1.0 if area in context.admin1_named and place.kind not in WIDE_KINDS | {ADMIN1} else 0.0,
        1.0 if container is not None and _contains(container, place) else 0.0,
        1.0 if near is not None and near[1] <= NEAR_KM else 0.0,
        math.log1p(near[1]) / 10 if near is not None else 1.0,
        1.0 if place.population == largest else 0.0,
        place.population / largest,
        math.log(len(places)) / 5,
        1.0 if context.known_country and place.country_code == context.known_country else 0.0,
        1.0 if place.kind in (ADMIN1, ADMIN2) and _has_namesake_city(place, places) else 0.0,
        1.0 if place.country_code in context.currency_countries and place.kind not in WIDE_KINDS else 0.0,
        context.near_names(place, mention.key),
        context.home.get(area, 0.0) if place.kind not in WIDE_KINDS else 0.0,
    ]


def resolve(text: str, mentions: list[Mention], gazetteer: Gazetteer,
            known_country: str | None = None, weights: dict | None = None,
            home: dict | None = None) -> list[Resolved]:
    """Choose a place for every mention, using the whole article as context.

    ``home``: the outlet's home areas and their shares (``geo.outlets``), when known.

    Mentions with no candidate are kept: placed at the nearest town named when there is
    one (status "approximate"), else unresolved, each with the reason.
    """
    weights = weights or load_weights()
    vector = [weights[name] for name in FEATURES]
    context = _Context(text, mentions, gazetteer, known_country, home)
    best_by_key = _choose(mentions, context, vector, gazetteer, text)
    # A second reading: the towns and counties the first reading was sure of stand as anchors
    # for the other names, and the names it was unsure of are read again with them. A local
    # report's "Boone County" is then the one beside its "Florence, Ky.".
    sure = {key: place for key, (_, place, confidence, _) in best_by_key.items()
            if place is not None and place.kind not in WIDE_KINDS and confidence >= ANCHOR_CONFIDENCE}
    unsure = {key for key, reading in best_by_key.items() if reading.confidence < REREAD_BELOW}
    if sure and unsure:
        # Towns and counties only: an area's point says little about where in it a town lies.
        towns = [(k, p) for k, p in sure.items() if p.kind != ADMIN1]
        context.anchor_sets = {key: context.anchors + [p for k, p in towns if k != key] for key in unsure}
        # A sure name now votes for its reading's country and area only, not for all its
        # namesakes'; a sure state counts as named ("Indiana" beside "Richmond", "Wayne County").
        for key, place in sure.items():
            context.country_votes[key] = {place.country_code: 1.0}
            context.admin1_votes[key] = {(place.country_code, place.admin1_code): 1.0}
            if place.kind == ADMIN1:
                context.admin1_named.add((place.country_code, place.admin1_code))
        context.country_totals = _totals(context.country_votes)
        context.admin1_totals = _totals(context.admin1_votes)
        best_by_key.update(_choose(mentions, context, vector, gazetteer, text, only=unsure))
    results: list[Resolved | None] = []
    for mention in mentions:
        if not mention.codes:
            results.append(Resolved(mention, None, 0.0, "no gazetteer entry for this name"))
            continue
        if mention.key in best_by_key and best_by_key[mention.key].place is None:
            results.append(Resolved(mention, None, 0.0, "only namesakes lie in countries the article is not about"))
            continue
        results.append(None)
    # Every occurrence of a name takes the reading its best-supported occurrence chose.
    final = []
    for mention, result in zip(mentions, results):
        if result is not None:
            final.append(result)
        else:
            _, place, confidence, reason = best_by_key[mention.key]
            final.append(Resolved(mention, place, confidence, reason))
    placed = place_villages(text, place_facilities(text, final, gazetteer), tier_for(gazetteer), gazetteer,
                            known_country, hinted=context.actor_countries)
    return _place_unknown_names(text, placed)


def _choose(mentions, context, vector, gazetteer, text, only: set | None = None) -> dict[str, Reading]:
    """The best reading of each name (of the names in ``only``); its place is None for a stray (``_stray``)."""
    best_by_key: dict[str, Reading] = {}
    # A name's features do not depend on where it stands, save for a container after it: a
    # recurrence with the same container scores the same, and a tie never displaces the first.
    read = set()
    for position, mention in enumerate(mentions):
        if not mention.codes or (only is not None and mention.key not in only):
            continue
        container = _container_after(text, position, mentions, gazetteer)
        host = _host_country(text, position, mentions, context)
        occurrence = (mention.key, mention.codes, container.index if container is not None else None, host)
        if occurrence in read:
            continue
        read.add(occurrence)
        scored = []
        for code, place in _contenders(mention, context.places[position], context, container):
            features = candidate_features(context, position, place, is_own_name(code), container)
            scored.append((sum(map(mul, vector, features)), place, features))
        scored.sort(key=lambda item: -item[0])
        top_score, top_place, features = _world_over_namesake(scored, mention.key)
        previous = best_by_key.get(mention.key)
        if _stray(top_place, mention, context) or _outside_host(top_place, host, context.places[position]):
            if previous is None:
                best_by_key[mention.key] = Reading(float("-inf"), None, 0.0, "")
            continue
        confidence = _confidence([s for s, _, _ in scored])
        reason = _describe(top_place, len(scored), dict(zip(FEATURES, features)), mention, container, context)
        if previous is None or top_score > previous.score:
            best_by_key[mention.key] = Reading(top_score, top_place, confidence, reason)
    return best_by_key


# admin1_support: another name of the article may lie in the namesake's state ("Paris" beside "Henry County").
_STATE_EVIDENCE = tuple(FEATURES.index(name) for name in (
    "admin1_named", "admin1_support", "container", "known_country", "outlet_home"))
_NEAR_ANCHOR, _NEAR_NAMES, _OWN_NAME, _CONTAINER = (FEATURES.index(name) for name in (
    "near_anchor", "near_names", "own_name", "container"))
WORLD_PLACE_POPULATION = 100_000  # a country, or a town of this size: "London", "Lebanon", "St. Petersburg"
WORLD_PLACE_RATIO = 5  # ... this many times the size of the namesake


def _world_over_namesake(scored: list, key: str) -> tuple:
    """The top reading, unless it is a small namesake of a world place that nothing local points to.

    That the article names the United States is no reason to read "Aberdeen" as Aberdeen, South
    Dakota, or "Lebanon's Prime Minister" as Lebanon, Pennsylvania: a town needs its state named, or
    another name that may lie in it, a container ("Lebanon, Pa."), the user's or outlet's country,
    or other places named near it; the namesake of a country needs one of the first four.
    """
    top = _country_over_its_capital(scored)
    place, features = top[1], top[2]
    if place.kind not in (CITY, ADMIN2) or any(features[i] for i in _STATE_EVIDENCE):
        return top
    floor = max(WORLD_PLACE_POPULATION, WORLD_PLACE_RATIO * place.population)
    near = features[_NEAR_ANCHOR] or features[_NEAR_NAMES] >= 0.5
    # Its own name, or a spelling of it ("St. Petersburg"), not another name it once had or a
    # look-alike GeoNames lists ("Cancun" for Changchun).
    last = key.rsplit(" ", 1)[-1]
    world = [item for item in scored if item[1].population >= floor
             and (item[2][_OWN_NAME] or normalize(item[1].name).rsplit(" ", 1)[-1] == last)
             and (item[1].kind == COUNTRY or (item[1].kind in (CITY, CAPITAL) and not near))]
    return max(world, key=lambda item: item[1].population) if world else top


def _country_over_its_capital(scored: list) -> tuple:
    """The top reading, or the country when the top is one of its towns reached through another
    spelling: "Mexico" is the country, which GeoNames also lists as a name of Mexico City."""
    top = scored[0]
    place, features = top[1], top[2]
    if place.kind not in (CITY, CAPITAL) or features[_OWN_NAME] or features[_CONTAINER]:
        return top
    return next((item for item in scored if item[1].kind == COUNTRY and item[2][_OWN_NAME]
                 and item[1].country_code == place.country_code), top)


def _place_unknown_names(text: str, resolved: list[Resolved]) -> list[Resolved]:
    """Give a name the gazetteer lacks (a street, a building, a hamlet) a point from the places around it.

    First the areas named in brackets right after it ("Ruramba (Kayokwe, Mwaro)"), else the
    nearest town named before it.  The point is approximate and says so: status
    "approximate", low confidence, and the reason names where it was borrowed from.
    With nothing around it, it stays unresolved.
    """
    if all(r.place is not None for r in resolved):
        return resolved
    towns = [r for r in resolved if r.place is not None and r.place.kind in (CITY, CAPITAL, ADMIN2)]
    placed = []
    for position, r in enumerate(resolved):
        if r.place is not None:
            placed.append(r)
            continue
        host, why = None, ""
        if _BRACKET_AFTER.match(text, r.mention.end):
            inside = [h for h in resolved[position + 1:position + 3]
                      if h.place is not None and h.mention.start - r.mention.end < 40]
            if inside:
                host, why = inside[0], "the area named in brackets after it"
        country = _country_named_with(text, position, resolved)
        if host is None and towns:
            # "the Syrian city of Al-Tabqah" lies in Syria, whatever town the dateline names (Moscow).
            mine = [t for t in towns if country is None or t.place.country_code == country.place.country_code]
            before = [t for t in mine if t.mention.start < r.mention.start]
            # "in al-Meshrfeh area in the countryside of Homs": the town the sentence goes on to name.
            after = [t for t in mine if 0 <= t.mention.start - r.mention.end <= TOWN_AFTER_CHARACTERS
                     and not _SENTENCE_END.search(text, r.mention.end, t.mention.start)]
            if after:
                host, why = after[0], "the town named after it"
            elif mine:
                host, why = (before[-1] if before else mine[0]), "the nearest town named"
        if host is None and country is not None:
            host, why = country, "the country named with it"
        if host is None:
            placed.append(r)
            continue
        placed.append(Resolved(r.mention, host.place, 0.1,
                               f"no gazetteer entry; placed at {host.place.name}, {why}", approximate=True))
    return placed


TOWN_AFTER_CHARACTERS = 60
_SENTENCE_END = re.compile(r"[.!?;]\s")
# "the Syrian city of X", "Syria's X", "in northern Syria, X": a country named this close before a
# name says where it lies.
_COUNTRY_GAP = re.compile(r"(?:['’]s)?\s+(?:(?:city|town|village|province|region|district|capital|border town|"
                          r"port(?: city)?)\s+of\s+)?|,\s+")


# "near Mayadeen in Syria", "Mayadeen, Syria": a country named right after a name.
_COUNTRY_AFTER_GAP = re.compile(r",\s+|\s+in\s+(?:(?:north|south|east|west|central)\w*\s+)?")


def _country_named_with(text: str, position: int, resolved: list[Resolved]) -> Resolved | None:
    """The country the text names right beside the mention at ``position`` as the one it lies in:
    before it ("the Syrian city of X", "Syria's X") or after it ("X in Syria", "X, Syria")."""
    beside = ((position - 1, _COUNTRY_GAP), (position + 1, _COUNTRY_AFTER_GAP))
    for other, gap_pattern in beside:
        if not 0 <= other < len(resolved):
            continue
        country = resolved[other]
        if country.place is None or country.place.kind != COUNTRY or (other > position and country.mention.cue == "demonym"):
            continue
        first, second = sorted((country.mention, resolved[position].mention), key=lambda m: m.start)
        if gap_pattern.fullmatch(text, first.end, second.start):
            return country
    return None


def _stray(place: Place, mention: Mention, context: _Context) -> bool:
    """A small namesake abroad when the article is plainly about another country.

    ACLED notes and local reports seldom name their country, but their other places do: a
    village "Dih" in India is no reading of "Dih" in a note about Ghazni.  Nor is a town in a
    country no other name supports when the article states its own country ("JNIM" is Burkina
    Faso's, so Piela is not Piła in Poland).  Such a name is better left unresolved (then placed
    approximately) than put on another continent.
    """
    if place.kind in WIDE_KINDS or place.kind in (ADMIN1, CAPITAL) or place.population >= STRAY_POPULATION:
        return False
    if place.country_code in context.countries_named or not context.country_totals:
        return False
    leader = max(context.country_totals, key=context.country_totals.get)
    own = context.country_votes.get(mention.key, {})
    support = context.country_totals.get(place.country_code, 0.0) - own.get(place.country_code, 0.0)
    if support == 0.0 and context.countries_stated:
        return True
    lead = context.country_totals[leader] - own.get(leader, 0.0)
    return leader != place.country_code and support == 0.0 and lead >= STRAY_LEAD * context.voters


# How a text says that a place lies in the next one named: in brackets ("Kompa (Karimama,
# Alibori)", "Soka (Sinende, Borgou)") or through a place noun ("Thor village, Thies",
# "Williamsville neighbourhood of Abidjan").  A bare comma joins lists of places as often.
_HOST_BRACKET = re.compile(r"\s*(?:" + HOST_NOUN + r"\s*){0,2}\((?:[^()]{0,40},\s*)?")
_HOST_NOUN = re.compile(r"\s+" + HOST_NOUN + r"\b,?\s+(?:of\s+)?(?:the\s+)?")
_BRACKET_AFTER = re.compile(r"\s*(?:" + HOST_NOUN + r"\s*){0,2}\(")


def _host_country(text: str, position: int, mentions: list[Mention], context: _Context) -> str | None:
    """The one country of the place a mention is said to lie in, when that place is named right after
    it, or last in the brackets the mention stands in ("(Kani Township, Yinmarbin District, Sagaing
    Region)": the brackets go from the smallest area to the largest)."""
    if position + 1 >= len(mentions):
        return None
    mention, following = mentions[position], mentions[position + 1]
    gap = text[mention.end:following.start]
    if following.cue != "demonym" and (_HOST_BRACKET.fullmatch(gap) or _HOST_NOUN.fullmatch(gap)):
        return _one_country(context.places[position + 1])
    opened = text.rfind("(", max(0, mention.start - BRACKET_CHARACTERS), mention.start)
    if opened == -1 or ")" in text[opened:mention.start]:
        return None
    closed = text.find(")", mention.end, mention.end + BRACKET_CHARACTERS)
    last = position
    while closed != -1 and last + 1 < len(mentions) and mentions[last + 1].end <= closed:
        last += 1  # mentions are in text order: the last one before the bracket closes
    if last == position or mentions[last].cue == "demonym" \
            or not _LAST_IN_BRACKETS.fullmatch(text, mentions[last].end, closed):
        return None
    return _one_country(context.places[last])


def _one_country(places: list[Place]) -> str | None:
    countries = {place.country_code for place in places}
    return countries.pop() if len(countries) == 1 else None


BRACKET_CHARACTERS = 80
_LAST_IN_BRACKETS = re.compile(r"\s*(?:" + HOST_NOUN + r"|region|state|province|governorate)?\s*", re.I)


def _outside_host(place: Place, host: str | None, places: list[Place]) -> bool:
    """A reading abroad for a name said to lie in a place of one country, where it has no namesake.

    "Thor village, Thies subdivision" is not Thor in Austria: the name is left unresolved and
    placed at the host instead, rather than on another continent.
    """
    return (host is not None and place.kind not in WIDE_KINDS and place.country_code != host
            and not any(p.country_code == host for p in places))


def _contenders(mention: Mention, places: list[Place], context: _Context, container: Place | None):
    """The candidates worth scoring in full: the largest few, and any the article's context names.

    "Washington" has over a hundred namesakes; only the big ones, and the ones in a country
    or area the article is about, can win.
    """
    pairs = list(zip(mention.codes, places))
    if len(pairs) <= MAX_CONTENDERS:
        return pairs
    by_size = sorted(pairs, key=lambda pair: -pair[1].population)[:MAX_CONTENDERS]
    chosen = {place.index for _, place in by_size}
    for code, place in pairs:
        if place.index not in chosen and (
                place.country_code in context.countries_named
                or (place.country_code, place.admin1_code) in context.admin1_named
                or context.country_totals.get(place.country_code, 0.0) >= 1.0
                or (container is not None and _contains(container, place))):
            by_size.append((code, place))
            chosen.add(place.index)
    return by_size


def _confidence(scores: list[float]) -> float:
    """Share of the top candidate in a softmax over the scores."""
    top = scores[0]
    total = sum(math.exp(s - top) for s in scores)
    return round(1.0 / total, 3)


def _describe(place: Place, count: int, features: dict, mention: Mention, container, context) -> str:
    """A short reason a reader can check: what the place is and what in the article pointed to it."""
    head = f"demonym of {place.name}" if mention.cue == "demonym" else KIND_LABELS[place.kind]
    if count > 1:
        head += f", best of {count} places so named"
    reasons = [head]
    country = context.gazetteer.country_name(place.country_code) if place.country_code else ""
    if features["container"]:
        reasons.append(f"'{mention.text}, {container.name}' pattern")
    if features["country_named"]:
        said = place.country_code in context.countries_said
        if said:
            reasons.append(f"{country} named in the article")
        elif place.country_code == context.worded_country:
            reasons.append(f"{country}, where the article's proper words point")
        else:
            reasons.append(f"{country}, where the armed groups named act")
    elif count > 1 and features["country_support"] >= 0.5 and place.kind not in WIDE_KINDS:
        reasons.append(f"most places named lie in {country}")
    if (features["near_anchor"] or features["near_names"] >= 0.5) and count > 1:
        reasons.append("near other places named")
    if features["known_country"]:
        reasons.append("in the country you set")
    if features["outlet_home"] and count > 1:
        reasons.append("where the outlet's other articles are")
    if features["currency_country"] and count > 1 and not features["country_named"]:
        reasons.append(f"amounts in {_CURRENCIES[place.country_code][0]}")
    return "; ".join(reasons)


def _has_namesake_city(area: Place, places: list[Place]) -> bool:
    """Whether a large town of the same name lies in the area ("Homs" in Homs Governorate)."""
    for city in places:
        if (city.kind in (CITY, CAPITAL) and city.country_code == area.country_code
                and city.admin1_code == area.admin1_code and city.population >= 50_000):
            return True
    return False


_LIST_GAP = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
LIST_CITY_POPULATION = 100_000  # an area that is also a city this large, before another, may be a list's


def _container_after(text: str, position: int, mentions: list[Mention], gazetteer: Gazetteer) -> Place | None:
    """The area named right after a mention, as in "Springfield, Illinois" or "Rastan, Syria"."""
    if position + 1 >= len(mentions):
        return None
    mention, following = mentions[position], mentions[position + 1]
    if text[mention.end:following.start].strip() != ",":
        return None
    places = [gazetteer.posted(code) for code in following.codes]
    # "stops in Washington, New York and Boston" is a list of cities, not Washington County, New York.
    if position + 2 < len(mentions) and _LIST_GAP.fullmatch(text, following.end, mentions[position + 2].start) \
            and _big_city(places) and _big_city(gazetteer.posted(code) for code in mentions[position + 2].codes):
        return None
    areas = [a for a in places if a.kind in (COUNTRY, ADMIN1, ADMIN2)]
    return max(areas, key=lambda a: (a.kind == COUNTRY, a.population)) if areas else None


def _big_city(places) -> bool:
    return any(p.kind in (CITY, CAPITAL) and p.population >= LIST_CITY_POPULATION for p in places)


def _contains(area: Place, place: Place) -> bool:
    if area.kind == COUNTRY:
        return place.country_code == area.country_code and place.kind != COUNTRY
    if area.kind == ADMIN1:
        return place.country_code == area.country_code and place.admin1_code == area.admin1_code \
            and place.kind != ADMIN1
    return distance_km(area.latitude, area.longitude, place.latitude, place.longitude) < 60


def _nearest_anchor(place: Place, anchors: list[Place]):
    """The sure place named in the article nearest to ``place``, and how far it is (km)."""
    best = None
    for anchor in anchors:
        if anchor.index == place.index:
            continue
        d = distance_km(place.latitude, place.longitude, anchor.latitude, anchor.longitude)
        if best is None or d < best[1]:
            best = (anchor, d)
    return best
