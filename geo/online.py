"""Opt-in online geocoding through a geopy provider, for the names the offline gazetteer cannot place.

Off by default: nothing leaves the machine unless the user asks for it
(``--geocoder nominatim``).  Only mentions the gazetteer left unresolved or placed
approximately are looked up, since a provider that sees one name without its article
is the one that picks Lebanon, Pennsylvania.  Requests go through geopy's
``RateLimiter`` (Nominatim allows one per second), carry a user agent naming newsmap,
and each answer (a miss too) is cached, in the store when there is one.  A provider
that times out, refuses, rate-limits or answers garbage never stops an ingest: the
offline answer stands and ``warnings`` says what happened.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import replace
from urllib.parse import urlsplit

from geopy import exc as geopy_errors
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from geo import __version__
from geo.errors import ConfigurationError
from geo.gazetteer import ADMIN1, ADMIN2, CITY, COUNTRY, Place
from geo.geocode import Resolved

PROVIDERS = ("offline", "nominatim")
USER_AGENT = f"newsmap/{__version__} (offline-first news geoparser; online look-ups opted in by its user)"
# After this many failed requests in a row the provider is left alone for the rest of the run:
# a dead service should cost seconds, not one timeout per place name.
MAX_FAILURES_IN_A_ROW = 3
# Nominatim's address types -> gazetteer kinds, for the event's geo_precision.
_KINDS = {"country": COUNTRY, "state": ADMIN1, "region": ADMIN1, "province": ADMIN1,
          "county": ADMIN2, "district": ADMIN2, "state_district": ADMIN2}
_FAILURES = (
    (geopy_errors.GeocoderTimedOut, "timed out"),
    (geopy_errors.GeocoderRateLimited, "refused: too many requests (rate limit)"),
    (geopy_errors.GeocoderQuotaExceeded, "refused: quota exceeded"),
    (geopy_errors.GeocoderInsufficientPrivileges, "refused the request (forbidden)"),
    (geopy_errors.GeocoderAuthenticationFailure, "refused the request (authentication)"),
    (geopy_errors.GeocoderUnavailable, "could not be reached"),
    (geopy_errors.GeocoderParseError, "answered something that is not a geocoding result"),
    (geopy_errors.GeopyError, "failed"),
)


class MemoryCache(dict):
    """Answers kept for this process only (``--no-store``)."""

    def put(self, key: str, value: str) -> None:
        self[key] = value


class OnlineGeocoder:
    """A geopy provider behind a rate limiter and a cache, filling the gazetteer's gaps.

    ``url`` points at another server of the same provider (a self-hosted Nominatim),
    e.g. ``http://127.0.0.1:8080``.  ``cache`` needs ``get(key)`` and ``put(key, text)``.
    """

    def __init__(self, provider: str = "nominatim", url: str | None = None, cache=None, timeout_s: float = 5.0,
                 min_delay_s: float = 1.0):
        if provider != "nominatim":
            raise ConfigurationError(f"unknown online geocoder {provider!r}; choose one of {', '.join(PROVIDERS)}")
        self.provider = provider
        options = {"user_agent": USER_AGENT, "timeout": timeout_s}
        if url:
            parts = urlsplit(url if "://" in url else f"https://{url}")
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigurationError(f"--geocoder-url {url!r} is not an http(s) address like "
                                         "https://nominatim.example.org")
            options.update(scheme=parts.scheme, domain=parts.netloc + parts.path.rstrip("/"))
        self._geopy = Nominatim(**options)
        # No retries inside the limiter: a failure is counted here and the next name moves on.
        self._geocode = RateLimiter(self._geopy.geocode, min_delay_seconds=min_delay_s, max_retries=0,
                                    swallow_exceptions=False)
        self.cache = cache if cache is not None else MemoryCache()
        self.failures: Counter[str] = Counter()
        self.looked_up = self.found = self.kept_offline = 0
        self._failures_in_a_row = 0
        self._places: dict[str, Place | None] = {}

    @property
    def given_up(self) -> bool:
        return self._failures_in_a_row >= MAX_FAILURES_IN_A_ROW

    def place(self, name: str, country_code: str | None = None) -> Place | None:
        """The provider's place for ``name`` (biased to ``country_code``), or None: not found or not asked."""
        key = json.dumps([self.provider, name.strip().lower(), (country_code or "").lower()])
        if key in self._places:
            return self._places[key]
        cached = self.cache.get(key)
        if cached is not None:
            found = _place_from_raw(json.loads(cached), len(self._places))
        elif self.given_up:
            return None  # not remembered: the next run asks again
        else:
            found, raw = self._ask(name, country_code)
            if raw is False:
                return None
            self.cache.put(key, json.dumps(raw))
        self._places[key] = found
        return found

    def _ask(self, name: str, country_code: str | None):
        """(place, raw answer to cache) or (None, False) when the provider failed."""
        self.looked_up += 1
        try:
            location = self._geocode(name, exactly_one=True, addressdetails=True,
                                     country_codes=country_code.lower() if country_code else None)
            raw = location.raw if location is not None else None
            found = _place_from_raw(raw, len(self._places))
            if raw is not None and found is None:
                raise geopy_errors.GeocoderParseError("no usable coordinates in the answer")
        except (geopy_errors.GeopyError, ValueError, KeyError, TypeError, AttributeError) as error:
            self._failures_in_a_row += 1
            self.failures[_describe(error)] += 1
            return None, False
        self._failures_in_a_row = 0
        self.found += found is not None
        return found, raw

    def improve(self, resolved: list[Resolved], known_country: str | None = None) -> list[Resolved]:
        """``resolved`` with each unresolved or approximate mention placed by the provider where it can."""
        improved = []
        for r in resolved:
            if r.status == "resolved":
                improved.append(r)
                continue
            found = self.place(r.mention.text, known_country)
            if found is None:
                self.kept_offline += 1
                improved.append(r)
            else:
                improved.append(replace(r, place=found, confidence=0.5, approximate=False,
                                        reason=f"{self.provider}: {found.name}"))
        return improved

    def warnings(self) -> list[str]:
        """What went wrong, in words for the user; empty when every request was answered."""
        if not self.failures:
            return []
        what = "; ".join(f"{why} ({count}x)" for why, count in self.failures.most_common())
        stopped = (f"; newsmap stopped asking after {MAX_FAILURES_IN_A_ROW} failures in a row"
                   if self.given_up else "")
        return [f"online geocoder {self.provider}: {what}{stopped}. The offline gazetteer's answers were "
                f"kept for {self.kept_offline} mentions; run again later to fill them in (answers already "
                "received are cached)."]


def _describe(error: Exception) -> str:
    # geopy's HTTP adapter retries a read timeout, then reports the server as unavailable.
    if isinstance(error, geopy_errors.GeocoderUnavailable) and "timed out" in str(error).lower():
        return "timed out"
    for kind, words in _FAILURES:
        if isinstance(error, kind):
            return words
    return "answered something that is not a geocoding result"


def _place_from_raw(raw, serial: int) -> Place | None:
    """A ``Place`` from a Nominatim answer (``None`` for a miss or an answer without a usable point)."""
    if not isinstance(raw, dict):
        return None
    try:
        latitude, longitude = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude) and -90 <= latitude <= 90
            and -180 <= longitude <= 180):
        return None
    address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
    name = str(raw.get("name") or str(raw.get("display_name") or "").split(",")[0] or "unnamed")[:200]
    country = str(address.get("country_code") or "").upper()[:2]
    kind = _KINDS.get(str(raw.get("addresstype") or raw.get("type") or ""), CITY)
    # Negative indexes keep online places apart from the gazetteer's rows and from each other.
    return Place(-1 - serial, 0, name, latitude, longitude, country, "", 0, kind)
