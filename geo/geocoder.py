"""newsmap's offline geocoder in geopy's shape: a ``Geocoder`` that returns ``geopy.location.Location``.

It answers from the embedded gazetteer with the same in-context ranker the pipeline uses
(``geo.geocode.resolve``), so "Homs, Libya" reads as the pipeline would read it. No network.
"""

from __future__ import annotations

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.gazetteer import ADMIN1, COUNTRY, Gazetteer, Place, load, normalize, posting
from geo.geocode import prior, resolve
from geo.toponyms import Mention


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
            codes = (posting(self.gazetteer.countries[self.gazetteer.demonyms[key]][0]),)
        if not codes:
            return None
        text = f"{name}, {context.strip()}" if context.strip() else name
        mentions = [Mention(0, len(name), name, key, codes, None, "query")]
        if context.strip():
            context_key = normalize(context)
            mentions.append(Mention(len(name) + 2, len(text), context.strip(), context_key,
                                    self.gazetteer.postings(context_key), None, "query"))
        chosen = resolve(text, mentions, self.gazetteer, known_country=country)[0]
        ranked = sorted((self.gazetteer.posted(c) for c in codes),
                        key=lambda p: (p.country_code != country, -prior(p, True)))
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
