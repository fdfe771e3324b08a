"""Choosing the place a mention means: a geopy geocoder over the gazetteer, and an in-context resolver.

``OfflineGeocoder`` honours geopy's contract for a bare query.  ``resolve`` ranks each
mention's candidates with what the whole article says: the countries it names, the
"X, Y" pattern, the places near the others, one sense per name per article.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.gazetteer import (ADMIN1, ADMIN2, CAPITAL, CITY, CONTINENT, COUNTRY, Gazetteer, Place,
                           distance_km, load, normalize)
from geo.toponyms import Mention

# Bonus by kind on top of log10(population): a country outranks any town of the same name.
KIND_BONUS = {CONTINENT: 5.0, COUNTRY: 6.0, ADMIN1: 2.5, ADMIN2: 0.5, CITY: 0.0, CAPITAL: 1.5}
OWN_NAME_BONUS = 1.5
COUNTRY_IN_TEXT_BONUS = 3.0
ADMIN1_IN_TEXT_BONUS = 2.5
CONTAINER_BONUS = 6.0
NEAR_BONUS = 2.0
NEAR_KM = 250.0
KNOWN_COUNTRY_BONUS = 4.0


@dataclass(frozen=True, slots=True)
class Resolved:
    """A mention and the place chosen for it (``place`` is None when nothing fits)."""

    mention: Mention
    place: Place | None
    confidence: float
    reason: str

    @property
    def status(self) -> str:
        return "resolved" if self.place is not None else "unresolved"


def prior(place: Place, own_name: bool) -> float:
    """How likely a place is meant before reading the article: size, kind, own name."""
    score = math.log10(place.population + 10) + KIND_BONUS[place.kind]
    return score + (OWN_NAME_BONUS if own_name else 0.0)


def most_populous(mention: Mention, gazetteer: Gazetteer) -> Place | None:
    """The baseline: the candidate with the largest population, nothing else considered."""
    places = [gazetteer.place(code >> 1) for code in mention.codes]
    return max(places, key=lambda p: p.population) if places else None


def resolve(text: str, mentions: list[Mention], gazetteer: Gazetteer,
            known_country: str | None = None) -> list[Resolved]:
    """Choose a place for every mention, using the whole article as context.

    Mentions with no candidate are kept, unresolved, with the reason.
    """
    # Pass 1: what the article names for sure (countries, demonyms, lone candidates) sets the scene.
    countries_named, admin1_named = set(), set()
    anchors = []
    for mention in mentions:
        places = [gazetteer.place(code >> 1) for code in mention.codes]
        if mention.country_code:
            countries_named.add(mention.country_code)
        for place in places:
            if place.kind == COUNTRY and len(places) <= 3:
                countries_named.add(place.country_code)
        if len(places) == 1 and places[0].kind not in (CONTINENT, COUNTRY):
            anchors.append(places[0])
            countries_named.add(places[0].country_code)
            if places[0].kind == ADMIN1:
                admin1_named.add((places[0].country_code, places[0].admin1_code))
    if known_country:
        countries_named.add(known_country)

    # Pass 2: score every candidate in its context; one sense per name across the article.
    best_by_key: dict[str, tuple[float, Place, float, str]] = {}
    results: list[Resolved | None] = []
    for position, mention in enumerate(mentions):
        if not mention.codes:
            results.append(Resolved(mention, None, 0.0, "no gazetteer entry for this name"))
            continue
        container = _container_after(text, position, mentions, gazetteer)
        scored = []
        for code in mention.codes:
            place = gazetteer.place(code >> 1)
            score = prior(place, bool(code & 1))
            reasons = []
            if place.kind in (ADMIN1, ADMIN2) and _has_namesake_city(place, mention, gazetteer):
                score -= 3.0  # "Homs" is the city more often than the governorate around it
            if place.country_code in countries_named and place.kind not in (COUNTRY, CONTINENT):
                score += COUNTRY_IN_TEXT_BONUS
                reasons.append(f"in {gazetteer.country_name(place.country_code)}, named in the article")
            if (place.country_code, place.admin1_code) in admin1_named and place.kind != ADMIN1:
                score += ADMIN1_IN_TEXT_BONUS
            if known_country and place.country_code == known_country:
                score += KNOWN_COUNTRY_BONUS
            if container is not None and _contains(container, place):
                score += CONTAINER_BONUS
                reasons.append(f"'{mention.text}, {container.name}' pattern")
            near = _nearest_anchor(place, anchors)
            if near is not None and near[1] <= NEAR_KM and near[0] is not place:
                score += NEAR_BONUS
                reasons.append(f"{near[1]:.0f} km from {near[0].name}, also named")
            scored.append((score, place, reasons))
        scored.sort(key=lambda item: -item[0])
        top_score, top_place, reasons = scored[0]
        confidence = _confidence([s for s, _, _ in scored])
        reason = _describe(top_place, len(scored), reasons, mention)
        previous = best_by_key.get(mention.key)
        if previous is None or top_score > previous[0]:
            best_by_key[mention.key] = (top_score, top_place, confidence, reason)
        results.append(None)
    # Every occurrence of a name takes the reading its best-supported occurrence chose.
    final = []
    for mention, result in zip(mentions, results):
        if result is not None:
            final.append(result)
        else:
            _, place, confidence, reason = best_by_key[mention.key]
            final.append(Resolved(mention, place, confidence, reason))
    return final


def _confidence(scores: list[float]) -> float:
    """Share of the top candidate in a softmax over the scores."""
    top = scores[0]
    total = sum(math.exp(s - top) for s in scores)
    return round(1.0 / total, 3)


def _describe(place: Place, count: int, reasons: list[str], mention: Mention) -> str:
    what = {CONTINENT: "continent", COUNTRY: "country", ADMIN1: "first-level area",
            ADMIN2: "second-level area", CITY: "town", CAPITAL: "capital"}[place.kind]
    head = f"demonym of {place.name}" if mention.cue == "demonym" else what
    if count > 1:
        head += f", best of {count} places so named"
    return "; ".join([head] + reasons)


def _has_namesake_city(area: Place, mention: Mention, gazetteer: Gazetteer) -> bool:
    for code in mention.codes:
        city = gazetteer.place(code >> 1)
        if (city.kind in (CITY, CAPITAL) and city.country_code == area.country_code
                and city.admin1_code == area.admin1_code and city.population >= 50_000):
            return True
    return False


def _container_after(text: str, position: int, mentions: list[Mention], gazetteer: Gazetteer) -> Place | None:
    """The area named right after a mention, as in "Springfield, Illinois" or "Rastan, Syria"."""
    if position + 1 >= len(mentions):
        return None
    mention, following = mentions[position], mentions[position + 1]
    if text[mention.end:following.start].strip() != ",":
        return None
    areas = [gazetteer.place(code >> 1) for code in following.codes]
    areas = [a for a in areas if a.kind in (COUNTRY, ADMIN1, ADMIN2)]
    return max(areas, key=lambda a: (a.kind == COUNTRY, a.population)) if areas else None


def _contains(area: Place, place: Place) -> bool:
    if area.kind == COUNTRY:
        return place.country_code == area.country_code and place.kind != COUNTRY
    if area.kind == ADMIN1:
        return place.country_code == area.country_code and place.admin1_code == area.admin1_code \
            and place.kind != ADMIN1
    return distance_km(area.latitude, area.longitude, place.latitude, place.longitude) < 60


def _nearest_anchor(place: Place, anchors: list[Place]):
    best = None
    for anchor in anchors:
        if anchor.index == place.index:
            continue
        d = distance_km(place.latitude, place.longitude, anchor.latitude, anchor.longitude)
        if best is None or d < best[1]:
            best = (anchor, d)
    return best


# --- geopy -----------------------------------------------------------------------------------


class OfflineGeocoder(Geocoder):
    """A geopy geocoder over the embedded GeoNames gazetteer: no network, no adapter call.

    >>> OfflineGeocoder().geocode("Homs").raw["country_code"]
    'SY'
    """

    def __init__(self, gazetteer: Gazetteer | None = None, known_country: str | None = None):
        super().__init__(timeout=None, user_agent="newsmap")
        self.gazetteer = gazetteer or load()
        self.known_country = known_country

    def geocode(self, query, *, exactly_one=True, known_country=None, timeout=None):
        """Places named ``query``, best first: None, one ``Location``, or a list of them."""
        if isinstance(query, dict):
            query = ", ".join(str(v) for v in query.values())
        name, _, context = str(query).partition(",")
        key = normalize(name)
        codes = self.gazetteer.postings(key)
        country = known_country or self.known_country
        if not codes and key in self.gazetteer.demonyms:
            codes = (self.gazetteer.countries[self.gazetteer.demonyms[key]][0] << 1 | 1,)
        if not codes:
            return None
        text = f"{name}, {context.strip()}" if context.strip() else name
        mentions = [Mention(0, len(name), name, key, codes, None, "query")]
        if context.strip():
            context_key = normalize(context)
            mentions.append(Mention(len(name) + 2, len(text), context.strip(), context_key,
                                    self.gazetteer.postings(context_key), None, "query"))
        chosen = resolve(text, mentions, self.gazetteer, known_country=country)[0]
        ranked = sorted((self.gazetteer.place(c >> 1) for c in codes),
                        key=lambda p: -prior(p, True) - (KNOWN_COUNTRY_BONUS if p.country_code == country else 0))
        ranked = [chosen.place] + [p for p in ranked if p.index != chosen.place.index]
        locations = [self._location(p) for p in ranked]
        return locations[0] if exactly_one else locations

    def reverse(self, query, *, exactly_one=True, timeout=None):
        """Not offered offline: a gazetteer of names is no reverse geocoder."""
        raise NotImplementedError("OfflineGeocoder does not reverse-geocode; use a geopy provider opt-in")

    def _location(self, place: Place) -> Location:
        admin1 = self.gazetteer.admin1_name(place.country_code, place.admin1_code)
        country = self.gazetteer.country_name(place.country_code) if place.country_code else ""
        address = ", ".join(part for part in (place.name, admin1 if place.kind != ADMIN1 else None,
                                              country if place.kind != COUNTRY else None) if part)
        raw = {"geonameid": place.geonameid, "name": place.name, "feature_code": place.feature_code,
               "feature_kind": place.kind_name, "country_code": place.country_code,
               "admin1_code": place.admin1_code, "admin1": admin1, "country": country,
               "population": place.population}
        return Location(address, Point(place.latitude, place.longitude), raw)
