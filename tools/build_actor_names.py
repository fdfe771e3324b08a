"""Learn ACLED's actor names and the words notes use for them, and write data/actor_names.json.

    python tools/build_actor_names.py               # measure the actor names, write the file from all records
    python tools/build_actor_names.py --evaluate    # also: held-out 20% scores of geo.actors.actors, then write

Reads ``shared/bench/events/acled_more.jsonl`` (the only corpus with ACLED's ``actor1``/``actor2``;
``acled.jsonl`` has none). The written file holds actor names and short surface forms (one to
three words, each kept only when most notes holding it name that actor), never a note.

An actor's key is its name with the year range dropped, or, for a name ACLED writes for many
countries ("Civilians (Kenya)", "Military Forces of Kenya"), the template with ``{c}`` for the
country; ``state_names`` gives the full name with the year range ACLED uses most in each country.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path

from geo.actors import DEFAULT_NAMES, ROLE, actors, load_names, normalise_actor

ROOT = Path(__file__).resolve().parent.parent

CORPUS = ROOT.parent / "shared" / "bench" / "events"
_YEAR_RANGE = re.compile(r"\s*\(\d{4}-(?:\d{4})?\)\s*$")
_TOKEN = re.compile(r"[A-Za-z][\w'’-]*")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9-]{1,6}")
TEMPLATE_COUNTRIES = 3  # a name pattern seen in this many countries is a generic template
MIN_SUPPORT, MIN_PRECISION = 3, 0.5
ROLE_SUPPORT, ROLE_PRECISION = 15, 0.3
SURFACES_PER_ACTOR = 12
# A named actor tells where a note is when its records lie in a few countries: at least this many
# records, at most HOME_COUNTRIES countries holding HOME_SHARE of them.
MIN_HOME_RECORDS, HOME_COUNTRIES, HOME_SHARE = 5, 3, 0.9
# A capitalised word not in English ("Awami", "Sagaing", "Mungiki") tells a note's country when at
# least this many notes hold it and this share of them lie in one country.
MIN_WORD_NOTES, WORD_SHARE, CAPITALISED_SHARE = 5, 0.9, 0.9
# Which of two actors ACLED writes first, per event type, once this many records hold the pair and
# this share of them agree ("Military Forces of Ethiopia" before "TPLF" in battles).
MIN_PAIR_RECORDS, PAIR_SHARE = 5, 0.7
# Gazetteer country names (geo.gazetteer) where ACLED writes another.
COUNTRIES = {"Cabo Verde": "Cape Verde", "Czechia": "Czech Republic", "Democratic Republic of the Congo":
             "Democratic Republic of Congo", "Timor Leste": "East Timor", "Palestinian Territory": "Palestine",
             "Eswatini": "eSwatini", "The Netherlands": "Netherlands", "Guernsey": "Bailiwick of Guernsey",
             "Republic of the Congo": "Republic of Congo"}
# Words that name a generic role in news text too, where the notes' own words may not reach.
ROLE_WORDS = {
    "Unidentified Armed Group ({c})": ("gunmen", "unknown gunmen", "unidentified gunmen", "armed men", "assailants",
                                       "unknown assailants", "unidentified assailants", "attackers", "armed group",
                                       "unidentified armed men", "unknown armed men"),
    "Civilians ({c})": ("civilians", "civilian", "villagers", "residents", "a man", "a woman", "women", "children",
                        "a boy", "a girl", "farmers", "journalist", "a journalist"),
    "Military Forces of {c}": ("soldiers", "soldier", "troops", "army", "military", "armed forces", "security forces",
                               "government forces", "regime forces", "government troops"),
    "Police Forces of {c}": ("police", "policemen", "police officers", "police officer", "riot police"),
    "Protesters ({c})": ("protesters", "protestors", "demonstrators", "protest"),
    "Rioters ({c})": ("rioters", "mob", "angry mob"),
    "Unidentified Communal Militia ({c})": ("communal militia",),
    "Sole Perpetrator ({c})": ("sole perpetrator",),
}
# News words for named actors the notes (from 2017 on for Syria) seldom use; kept where that actor is known.
NAMED_WORDS = {"Opposition Rebels (Syria)": ("army defectors", "free syrian army", "syrian rebels")}
STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or as is was were be been are has had have it its this that "
    "which who whom into near after before during over against between about their his her they he she them "
    "also other two three one four five several some many no not than then there where while up out off "
    "reportedly reported killed killing injured wounded attacked attack january february march april may june "
    "july august september october november december district village town city province region state "
    "fatalities fatality coded unknown".split())


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file]


def held_out(record: dict) -> bool:
    """The deterministic 20% test share: by a CRC-32 of the record id."""
    return zlib.crc32(record["id"].encode()) % 5 == 0


def _template(name: str, country: str | None) -> str:
    bare = _YEAR_RANGE.sub("", " ".join(name.split()))
    return bare.replace(country, ROLE) if country and country in bare else bare


def actor_keys(records: list[dict]) -> tuple[set[str], dict[str, str], dict[str, dict[str, str]]]:
    """The generic templates, the full name of every other actor, and each country's full generic names."""
    countries_of = defaultdict(set)
    for record in records:
        for name in (record["actor1"], record["actor2"]):
            if name and name != "NA":
                countries_of[_template(name, record["country"])].add(record["country"])
    templates = {template for template, seen in countries_of.items()
                 if ROLE in template and len(seen) >= TEMPLATE_COUNTRIES}
    forms, state_forms = defaultdict(Counter), defaultdict(Counter)
    for record in records:
        for name in (record["actor1"], record["actor2"]):
            if not name or name == "NA":
                continue
            template = _template(name, record["country"])
            if template in templates:
                state_forms[(record["country"], template)][" ".join(name.split())] += 1
            else:
                forms[normalise_actor(name)][" ".join(name.split())] += 1
    full_names = {key: counts.most_common(1)[0][0] for key, counts in forms.items()}
    state_names = defaultdict(dict)
    for (country, template), counts in state_forms.items():
        name = counts.most_common(1)[0][0]
        if name != template.replace(ROLE, country):
            state_names[country][template] = name
    return templates, full_names, dict(state_names)


def key_of(name: str | None, country: str | None, templates: set[str], full_names: dict[str, str]) -> str | None:
    if not name or name == "NA":
        return None
    template = _template(name, country)
    return template if template in templates else full_names.get(normalise_actor(name), name)


def _ngrams(text: str) -> tuple[set[str], set[str]]:
    tokens = _TOKEN.findall(text)
    lowered = [token.lower() for token in tokens]
    grams = set()
    for n in (1, 2, 3):
        for i in range(len(lowered) - n + 1):
            gram = lowered[i:i + n]
            if gram[0] not in STOPWORDS and gram[-1] not in STOPWORDS and len(gram[-1]) > 1:
                grams.add(" ".join(gram))
    return grams, {token for token in tokens if _ACRONYM.fullmatch(token) and not token.isdigit()}


def _name_forms(name: str) -> set[str]:
    """The forms a name's own words give: the name, its parts around ':' '/' ' - ', without parentheses."""
    bare = _YEAR_RANGE.sub("", name)
    forms = {bare, re.sub(r"\s*\([^)]*\)", "", bare)}
    for part in re.split(r":|/| - | and/or ", bare):
        forms.add(re.sub(r"\s*\([^)]*\)", "", part).strip())
    return {form for form in forms if len(form) > 1}


def learn_surfaces(records: list[dict], templates: set[str], full_names: dict[str, str]) -> tuple[dict, dict]:
    """Surface form -> actor key, lowercase and case-sensitive: forms most notes holding them name that actor with."""
    notes = []
    df, df_exact = Counter(), Counter()
    for record in records:
        grams, acronyms = _ngrams(record["text"])
        keys = {key_of(record[field], record["country"], templates, full_names) for field in ("actor1", "actor2")}
        keys -= {None, "Protesters ({c})", "Rioters ({c})"}  # the event type already names the crowd
        notes.append((grams, acronyms, keys))
        df.update(grams)
        df_exact.update(acronyms)
    together, together_exact = Counter(), Counter()
    for grams, acronyms, keys in notes:
        for key in keys:
            together.update((gram, key) for gram in grams if df[gram] >= MIN_SUPPORT)
            together_exact.update((token, key) for token in acronyms if df_exact[token] >= MIN_SUPPORT)
    lowered = _pick(together, df, templates, exact=False)
    exact = _pick(together_exact, df_exact, templates, exact=True)
    for key in full_names.values():  # a name's own forms, where notes hold them at least once and mostly for it
        for form in _name_forms(key):
            low = form.lower()
            if low not in lowered and together[(low, key)] >= 1 and together[(low, key)] / max(df[low], 1) >= 0.3:
                lowered[low] = key
            if _ACRONYM.fullmatch(form) and form not in exact and together_exact[(form, key)] >= 1:
                exact[form] = key
    for key, words in ROLE_WORDS.items():
        if key in templates:
            for word in words:
                lowered.setdefault(word, key)
    for key, words in NAMED_WORDS.items():
        if key in full_names.values():
            lowered.update((word, key) for word in words)
    # A country's name says where, not who ("Lebanon" is not Hezbollah).
    countries = {record["country"].lower() for record in records if record["country"]}
    lowered = {form: key for form, key in lowered.items() if form not in countries}
    exact = {form: key for form, key in exact.items() if form.lower() not in lowered}
    return dict(sorted(lowered.items())), dict(sorted(exact.items()))


def _pick(together: Counter, df: Counter, templates: set[str], exact: bool) -> dict[str, str]:
    best: dict[str, tuple[float, int, str]] = {}
    weight = Counter()
    for (_, key), count in together.items():
        weight[key] += count
    # A form two actors share equally goes to the one notes name more, the same way on every run.
    for (gram, key), count in sorted(together.items(), key=lambda item: (item[0][0], -weight[item[0][1]], item[0][1])):
        generic = key in templates
        support, precision = (ROLE_SUPPORT, ROLE_PRECISION) if generic else (MIN_SUPPORT, MIN_PRECISION)
        share = count / df[gram]
        if count >= support and share >= precision and (gram not in best or share > best[gram][0]):
            best[gram] = (share, count, key)
    by_key = defaultdict(list)
    for gram, (share, count, key) in best.items():
        by_key[key].append((share * count, gram))
    chosen = {}
    for key, grams in by_key.items():
        kept: list[str] = []
        for _, gram in sorted(grams, reverse=True):
            if len(kept) >= SURFACES_PER_ACTOR:
                break
            if not any(f" {shorter} " in f" {gram} " for shorter in kept):  # a longer form of a kept one adds nothing
                kept.append(gram)
        chosen.update((gram, key) for gram in kept)
    return chosen


def priors(records: list[dict], templates: set[str], full_names: dict[str, str]) -> dict[str, list]:
    """Per event type and per 'type|sub-type': the actor1 and actor2 keys ACLED gives most, for a note naming none."""
    counts = defaultdict(lambda: (Counter(), Counter()))
    for record in records:
        first = key_of(record["actor1"], record["country"], templates, full_names)
        second = key_of(record["actor2"], record["country"], templates, full_names)
        for group in (record["event_type"], f"{record['event_type']}|{record['sub_event_type']}"):
            counts[group][0][first] += 1
            counts[group][1][second] += 1
    return {group: [firsts.most_common(1)[0][0], seconds.most_common(1)[0][0]]
            for group, (firsts, seconds) in sorted(counts.items())}


def _country_codes() -> dict[str, str]:
    """ACLED's country name -> ISO code, through the gazetteer's names and ``COUNTRIES``."""
    from geo.gazetteer import load

    codes = {}
    for code, (_, name) in load().countries.items():
        codes[COUNTRIES.get(name, name)] = code
    return codes


def homes(records: list[dict], templates: set[str], full_names: dict[str, str], lowered: dict, exact: dict,
          codes: dict[str, str]) -> dict[str, dict]:
    """Where named actors act: the countries of each one's records (``countries``: key -> [[ISO code, share]]),
    for actors with at least ``MIN_HOME_RECORDS`` records, most of them in a few countries; and the
    surfaces that are an actor's own name ("JNIM", "al shabaab"), which may tell where any article is.

    Learned words that merely go with an actor ("active conflict") are left out of the surfaces: a
    news article using them says nothing about where it is.
    """
    seen = defaultdict(Counter)
    for record in records:
        for field in ("actor1", "actor2"):
            key = key_of(record[field], record["country"], templates, full_names)
            if key is not None and key not in templates and record["country"] in codes:
                seen[key][codes[record["country"]]] += 1
    where = {}
    for key, counts in sorted(seen.items()):
        total = sum(counts.values())
        top = counts.most_common(HOME_COUNTRIES)
        if total >= MIN_HOME_RECORDS and sum(n for _, n in top) >= HOME_SHARE * total:
            where[key] = [[code, round(n / total, 3)] for code, n in top if n / total >= 0.05]
    found = {"countries": where, "lowered": {}, "exact": {}}
    for kind, surfaces in (("lowered", lowered), ("exact", exact)):
        for surface, key in surfaces.items():
            forms = _name_forms(key)
            if key not in where or not (surface in forms or surface in {form.lower() for form in forms}
                                        or surface in NAMED_WORDS.get(key, ())):
                continue
            written = kind
            # A short form is a word in many languages ("ara", "bla") unless written in capitals;
            # two capitals ("PP") are too many parties' initials.
            if kind == "lowered" and len(surface) < 5 and " " not in surface:
                written, surface = "exact", surface.upper()
            if len(surface) >= 3:
                found[written][surface] = key
    return found


def country_words(records: list[dict], codes: dict[str, str]) -> dict[str, str]:
    """Lowercased proper words -> the ISO code of the country nearly all the notes holding them lie in.

    Only words written capitalised (names of parties, areas, peoples) and missing from the
    gazetteer's English words: "dates" or "repeated" mark one country's boilerplate in these
    notes, not the country of a note elsewhere.
    """
    from geo.gazetteer import load

    english = load().ordinary_words
    notes, by_country = Counter(), defaultdict(Counter)
    written, capitalised = Counter(), Counter()
    for record in records:
        tokens = _TOKEN.findall(record["text"])
        for token in tokens:
            written[token.lower()] += 1
            capitalised[token.lower()] += token[0].isupper()
        if record["country"] in codes:
            for word in {token.lower() for token in tokens}:
                notes[word] += 1
                by_country[word][codes[record["country"]]] += 1
    found = {}
    for word, count in sorted(notes.items()):
        country, most = by_country[word].most_common(1)[0]
        if (count >= MIN_WORD_NOTES and most >= WORD_SHARE * count and word not in english
                and capitalised[word] >= CAPITALISED_SHARE * written[word]):
            found[word] = country
    return found


def pair_orders(records: list[dict], templates: set[str], full_names: dict[str, str]) -> dict[str, list]:
    """Per event type: [first, second] actor keys for the pairs ACLED mostly writes in that order."""
    seen = defaultdict(Counter)
    for record in records:
        first = key_of(record["actor1"], record["country"], templates, full_names)
        second = key_of(record["actor2"], record["country"], templates, full_names)
        if first and second and first != second:
            seen[record["event_type"]][(first, second)] += 1
    orders = {}
    for event_type, pairs in sorted(seen.items()):
        kept = []
        for (first, second), count in sorted(pairs.items()):
            total = count + pairs.get((second, first), 0)
            if total >= MIN_PAIR_RECORDS and count >= PAIR_SHARE * total:
                kept.append([first, second])
        orders[event_type] = kept
    return orders


def build(records: list[dict]) -> dict:
    templates, full_names, state_names = actor_keys(records)
    lowered, exact = learn_surfaces(records, templates, full_names)
    codes = _country_codes()
    return {"format": 1, "countries": COUNTRIES, "templates": sorted(templates), "state_names": state_names,
            "priors": priors(records, templates, full_names), "surfaces": lowered, "acronyms": exact,
            "homes": homes(records, templates, full_names, lowered, exact, codes),
            "country_words": country_words(records, codes),
            "orders": pair_orders(records, templates, full_names)}


def measure(records: list[dict]) -> None:
    """Print how ACLED's actor names fall: generic country templates against named actors, per event type."""
    templates, full_names, _ = actor_keys(records)
    print(f"{len(templates)} generic templates: {', '.join(sorted(templates)[:12])} ...")
    for field in ("actor1", "actor2"):
        by_type = defaultdict(Counter)
        for record in records:
            key = key_of(record[field], record["country"], templates, full_names)
            by_type[record["event_type"]]["none" if key is None else "generic" if key in templates else "named"] += 1
        print(field, {event_type: dict(counts) for event_type, counts in sorted(by_type.items())})


def score(records: list[dict], names_path: Path, show: int = 0) -> dict[str, float]:
    """Share of records whose actor1 / actor2 match ACLED's after ``normalise_actor`` (two empties match)."""
    hits1 = hits2 = named2 = hits2_named = 0
    misses = Counter()
    started = time.perf_counter()
    for record in records:
        first, second = actors(record["text"], record["event_type"], record["sub_event_type"], record["country"],
                               names_path=names_path)
        ok1 = normalise_actor(first) == normalise_actor(record["actor1"])
        ok2 = normalise_actor(second) == normalise_actor(record["actor2"])
        hits1 += ok1
        hits2 += ok2
        if normalise_actor(record["actor2"]):
            named2 += 1
            hits2_named += ok2
        if not ok1:
            misses[(record["event_type"], "actor1", record["actor1"], first)] += 1
        if not ok2:
            misses[(record["event_type"], "actor2", record["actor2"], second)] += 1
    per_call_ms = (time.perf_counter() - started) / len(records) * 1000
    for miss, count in misses.most_common(show):
        print(f"  {count:4d} x {miss}")
    return {"records": len(records), "actor1_match": hits1 / len(records), "actor2_match": hits2 / len(records),
            "actor2_match_where_named": hits2_named / max(named2, 1), "ms_per_call": per_call_ms}


def evaluate(records: list[dict]) -> None:
    train = [record for record in records if not held_out(record)]
    test = [record for record in records if held_out(record)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "actor_names.json"
        path.write_text(json.dumps(build(train)), encoding="utf-8")
        load_names.cache_clear()
        print(f"held-out 20% of acled_more (built from the other {len(train)} records):")
        print(" ", _rounded(score(test, path, show=25)))
        by_type = defaultdict(list)
        for record in test:
            by_type[record["event_type"]].append(record)
        for event_type, group in sorted(by_type.items()):
            print(f"  {event_type:28s}", _rounded(score(group, path)))
        load_names.cache_clear()


def _rounded(figures: dict) -> dict:
    return {name: round(value, 3) if isinstance(value, float) else value for name, value in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluate", action="store_true", help="score on a held-out 20%% before writing")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--output", type=Path, default=DEFAULT_NAMES)
    args = parser.parse_args(argv)
    records = [record for record in read(args.corpus / "acled_more.jsonl") if record.get("text")]
    if not any("actor1" in record for record in read(args.corpus / "acled.jsonl")):
        print("acled.jsonl holds no actor1/actor2: scored on acled_more only")
    measure(records)
    if args.evaluate:
        evaluate(records)
    data = build(records)
    args.output.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    load_names.cache_clear()
    print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KiB, {len(data['surfaces'])} surface forms, "
          f"{len(data['acronyms'])} acronyms, {len(data['templates'])} templates, "
          f"{len(data['homes']['countries'])} actors with home countries, "
          f"{len(data['homes']['lowered']) + len(data['homes']['exact'])} of their names tell where an article is, "
          f"{len(data['country_words'])} words tell a note's country, "
          f"{sum(map(len, data['orders'].values()))} actor pairs in ACLED's order)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
