"""Where a news outlet is: the areas its other articles are sure of, lent to the names one article leaves open.

A local paper's "Richmond" is the Richmond of its readers: the Palladium-Item's other articles
place Wayne County and Indianapolis with confidence, so its "Richmond" is Richmond, Indiana,
not Virginia's capital.  The outlet is read off each article's URL; nothing is configured.
Each article's own sure places are left out of its outlet's home, so that a first reading's
error never confirms itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from geo.gazetteer import WIDE_KINDS, Gazetteer
from geo.geocode import Resolved, resolve
from geo.toponyms import Mention

Area = tuple[str, str]  # (country code, admin-1 code)

# A reading at least this confident says where an article is.
SURE_CONFIDENCE = 0.8
# An outlet's home needs this many of its other articles, and an area counts as home where
# that share of them place a town in it. Measured on LGL's 88 outlets, gold spans: these
# settings switched 231 readings to the right place and 46 away from it.
MIN_OTHER_ARTICLES = 2
MIN_HOME_SHARE = 0.3


def outlet_of(url: str | None) -> str | None:
    """The outlet an article comes from, as its URL's host without "www." (None with no URL)."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:  # a malformed URL names no outlet
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def sure_areas(resolved: Iterable[Resolved]) -> frozenset[Area]:
    """The admin-1 areas of the towns, counties and states an article placed with confidence."""
    return frozenset((r.place.country_code, r.place.admin1_code) for r in resolved
                     if _is_sure(r.place, r.confidence, r.approximate))


def sure_areas_of_rows(rows: Iterable[tuple[int | None, float, str]], gazetteer: Gazetteer) -> frozenset[Area]:
    """``sure_areas`` of one stored article, from its place rows' (geonameid, confidence, status)."""
    areas = set()
    for geonameid, confidence, status in rows:
        place = gazetteer.by_geonameid(int(geonameid)) if geonameid else None
        if _is_sure(place, confidence, status != "resolved"):
            areas.add((place.country_code, place.admin1_code))
    return frozenset(areas)


def _is_sure(place, confidence: float, approximate: bool) -> bool:
    return (place is not None and place.kind not in WIDE_KINDS and not approximate
            and confidence >= SURE_CONFIDENCE and bool(place.admin1_code))


class OutletHomes:
    """Per outlet, how many of its articles place a sure town in each area."""

    def __init__(self) -> None:
        self.articles: Counter[str] = Counter()
        self.areas: dict[str, Counter[Area]] = defaultdict(Counter)

    def learn(self, outlet: str | None, areas: frozenset[Area]) -> None:
        """Count one article of ``outlet`` and the areas it was sure of."""
        if outlet is None:
            return
        self.articles[outlet] += 1
        self.areas[outlet].update(areas)

    def home_of(self, outlet: str | None, own: frozenset[Area] = frozenset()) -> dict[Area, float]:
        """The outlet's home areas and their shares, the article's ``own`` sure areas left out.

        Empty when the outlet has too few other articles to tell, or they agree on no area.
        """
        if outlet is None:
            return {}
        others = self.articles[outlet] - 1
        if others < MIN_OTHER_ARTICLES:
            return {}
        home = {}
        for area, count in self.areas[outlet].items():
            share = (count - (area in own)) / others
            if share >= MIN_HOME_SHARE:
                home[area] = share
        return home


def resolve_by_outlet(documents: list[tuple[str | None, str, list[Mention]]], gazetteer: Gazetteer,
                      known_country: str | None = None, weights: dict | None = None) -> list[list[Resolved]]:
    """``resolve`` every (outlet, text, mentions) document, then read again those whose outlet has a home.

    Documents of an outlet seen only once, or with no URL, keep their first reading.
    """
    first = [resolve(text, mentions, gazetteer, known_country, weights) for _, text, mentions in documents]
    return reread_by_outlet(documents, first, gazetteer, known_country, weights)


def reread_by_outlet(documents: list[tuple[str | None, str, list[Mention]] | None], first: list[list[Resolved] | None],
                     gazetteer: Gazetteer, known_country: str | None = None,
                     weights: dict | None = None) -> list[list[Resolved] | None]:
    """The first readings, each read again with its outlet's home where that could change a name.

    A document given as None (it could not be read) stays None.
    """
    homes, own = learn_homes(documents, first)
    return [reread(document, resolved, homes.home_of(document[0], areas), gazetteer, known_country, weights)
            if document is not None else resolved
            for document, resolved, areas in zip(documents, first, own)]


def learn_homes(documents: list[tuple[str | None, str, list[Mention]] | None],
                first: list[list[Resolved] | None]) -> tuple[OutletHomes, list[frozenset[Area]]]:
    """The outlets' homes from the documents' first readings, and each document's own sure areas."""
    homes = OutletHomes()
    own = [sure_areas(resolved) if resolved is not None else frozenset() for resolved in first]
    for document, areas in zip(documents, own):
        if document is not None:
            homes.learn(document[0], areas)
    return homes, own


def reread(document: tuple[str | None, str, list[Mention]], first: list[Resolved], home: dict[Area, float],
           gazetteer: Gazetteer, known_country: str | None = None, weights: dict | None = None) -> list[Resolved]:
    """One document's reading with its outlet's ``home``; the ``first`` one where the home changes nothing."""
    _, text, mentions = document
    if home and _could_move(mentions, first, home, gazetteer):
        return resolve(text, mentions, gazetteer, known_country, weights, home=home)
    return first


def _could_move(mentions: list[Mention], resolved: list[Resolved], home: dict[Area, float],
                gazetteer: Gazetteer) -> bool:
    """Whether some name read outside the home has a namesake inside it (else a second reading changes nothing)."""
    for mention, r in zip(mentions, resolved):
        if len(mention.codes) < 2 or r.place is None or (r.place.country_code, r.place.admin1_code) in home:
            continue
        for code in mention.codes:
            place = gazetteer.posted(code)
            if (place.country_code, place.admin1_code) in home:
                return True
    return False
