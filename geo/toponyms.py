"""Finding place mentions in text: gazetteer-first matching with case and context rules.

Every capitalised word starts a look-up of the longest run of words (up to six) that the
gazetteer names; the candidate survives unless the context says it is a person, an
organisation word or a common word that happens to be a place name somewhere.  The word lists
those rules read (titles, locatives, words that are never places) are ``geo.vocabulary``'s.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter, mul
from pathlib import Path

from geo import paths
from geo.gazetteer import (
    ADMIN1,
    ADMIN2,
    CAPITAL,
    CONTINENT,
    COUNTRY,
    WIDE_KINDS,
    Gazetteer,
    is_own_name,
    name_prefixes,
    normalize,
    posting,
)
from geo.memo import memo_map
from geo.vocabulary import (
    ARABIC_ARTICLES,
    CURRENCY_WORDS,
    HOST_NOUN,
    LOCATIVES,
    NEVER_PLACES,
    ORGANISATION_WORDS,
    PERSON_VERBS,
    PLACE_NOUNS,
    PLACE_SUFFIXES,
    TITLES,
    UNKNOWN_NAME_LOCATIVES,
)

MAX_WORDS = 6
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# A run of words may only cross a space, or the dot of a short abbreviation ("St. Louis").
_GAP = re.compile(r"[ \t]+|\.[ \t]+")
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")

# Names papers use for countries that the gazetteer files under something else ("US" is a
# village in France there, "America" one in Argentina).
COUNTRY_NAMES = {"us": "US", "usa": "US", "u s": "US", "u s a": "US", "uk": "GB", "u k": "GB",
                 "uae": "AE", "drc": "CD", "prc": "CN", "ksa": "SA", "rok": "KR", "dprk": "KP",
                 "america": "US", "britain": "GB", "great britain": "GB", "holland": "NL",
                 "burma": "MM", "ivory coast": "CI", "north korea": "KP", "south korea": "KR",
                 "korean": "KR", "koreans": "KR", "britons": "GB", "brits": "GB", "t&t": "TT",
                 # No country of today is the Soviet Union: its successor state stands for it.
                 "soviet union": "RU", "ussr": "RU", "u s s r": "RU"}
# US states as AP style and postal codes write them after a town ("Bluefield, W.Va.", "Paris, TX").
AP_STATES = {normalize(k): v for k, v in (
    ("Ala.", "AL"), ("Ariz.", "AZ"), ("Ark.", "AR"), ("Calif.", "CA"), ("Cal.", "CA"), ("Colo.", "CO"),
    ("Conn.", "CT"), ("Del.", "DE"), ("Fla.", "FL"), ("Ga.", "GA"), ("Ill.", "IL"), ("Ind.", "IN"),
    ("Kan.", "KS"), ("Kans.", "KS"), ("Ky.", "KY"), ("La.", "LA"), ("Md.", "MD"), ("Mass.", "MA"),
    ("Mich.", "MI"), ("Minn.", "MN"), ("Miss.", "MS"), ("Mo.", "MO"), ("Mont.", "MT"), ("Neb.", "NE"),
    ("Nev.", "NV"), ("N.H.", "NH"), ("N.J.", "NJ"), ("N.M.", "NM"), ("N.Y.", "NY"), ("N.C.", "NC"),
    ("N.D.", "ND"), ("Okla.", "OK"), ("Ore.", "OR"), ("Pa.", "PA"), ("Penn.", "PA"), ("R.I.", "RI"),
    ("S.C.", "SC"), ("S.D.", "SD"), ("Tenn.", "TN"), ("Tex.", "TX"), ("Vt.", "VT"), ("Va.", "VA"),
    ("Wash.", "WA"), ("W.Va.", "WV"), ("Wis.", "WI"), ("Wisc.", "WI"), ("Wyo.", "WY"), ("D.C.", "DC"))}
POSTAL_STATES = frozenset("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
                          "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split())
# Canada's provinces and Australia's states as their papers write them after a town ("Nelson,
# B.C.", "Penrith NSW"), as written, to the province's name.  The forms that abbreviate nothing
# else are read anywhere but after a number ("500 BC"); the others, like the US postal codes, only
# after a town and a comma ("Toronto, ON").
PROVINCES = {surface: (country, name, anywhere) for country, name, anywhere, surfaces in (
    ("CA", "British Columbia", True, "BC B.C."), ("CA", "Alberta", True, "Alta."),
    ("CA", "Saskatchewan", True, "Sask."), ("CA", "Ontario", True, "Ont."),
    ("CA", "Prince Edward Island", True, "PEI P.E.I."), ("CA", "Newfoundland and Labrador", True, "Nfld."),
    ("CA", "Northwest Territories", True, "NWT N.W.T."), ("AU", "New South Wales", True, "NSW N.S.W."),
    ("AU", "Queensland", True, "Qld QLD Qld."), ("CA", "Alberta", False, "AB"), ("CA", "Saskatchewan", False, "SK"),
    ("CA", "Manitoba", False, "MB Man."), ("CA", "Ontario", False, "ON"), ("CA", "Quebec", False, "QC Que."),
    ("CA", "New Brunswick", False, "NB N.B."), ("CA", "Nova Scotia", False, "NS N.S."),
    ("CA", "Newfoundland and Labrador", False, "NL"), ("CA", "Yukon", False, "YT"), ("CA", "Nunavut", False, "NU"),
    ("AU", "Victoria", False, "Vic. VIC"), ("AU", "Tasmania", False, "Tas. TAS"),
    ("AU", "Australian Capital Territory", False, "ACT"))
    for surface in surfaces.split()}
_PROVINCE_HEADS = frozenset(surface.split(".")[0] for surface in PROVINCES)
# Unions and continents that papers abbreviate.
AREA_NAMES = {"eu": "Europe", "e u": "Europe"}

# Adjectives of the nations inside a country, marked as places, name the nation's first-level
# area ("the English city of Salisbury" is in England), not a town ("English, Indiana").  Not found
# by the recognizer: alone, the word is mostly the language ("science and English").
NATION_ADJECTIVES = {"english": ("GB", "England"), "scottish": ("GB", "Scotland"), "welsh": ("GB", "Wales"),
                     "northern irish": ("GB", "Northern Ireland")}
# Adjectives of continents and regions that name the area, as demonyms name countries.
CONTINENT_ADJECTIVES = {"european": "Europe", "african": "Africa", "asian": "Asia",
                        "south american": "South America", "north american": "North America",
                        "latin american": "South America", "antarctic": "Antarctica"}


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of text that names a place, with what the gazetteer knows of that name."""

    start: int
    end: int
    text: str
    key: str  # normalized name
    codes: tuple[int, ...]  # gazetteer postings (index << 1 | is_own_name)
    country_code: str | None = None  # set for demonyms and country abbreviations
    cue: str = ""  # what made it a place: "name", "demonym", "country name", "gold span"


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Word tokens with offsets; a trailing possessive 's is left out of the word."""
    tokens = []
    append = tokens.append
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        word = match.group()
        if word[-1] in "sS" and len(word) > 2 and word[-2] in "'’":
            word, end = word[:-2], end - 2
        append((start, end, word))
    return tokens


def _capitalised(word: str) -> bool:
    """A capital opens the word, or opens it after an Arabic article ("al-Bab", "ar-Raqqa")."""
    if word[:1].isupper():
        return True
    head, _, rest = word.partition("-")
    return bool(rest) and head.lower() in ARABIC_ARTICLES and rest[:1].isupper()


def _sentence_initial(text: str, start: int) -> bool:
    """True when the word opens a sentence, a line or a quotation: its capital says nothing."""
    before = text[max(0, start - 4):start].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;"


RECOGNIZER_FILE = paths.resource("recognizer_weights.json")
RECOGNIZER_FEATURES = (
    "rule_place", "rule_person", "rule_other", "multiword", "own_name", "log_population",
    "has_country", "has_admin1", "has_admin2", "has_big_city", "has_capital", "candidates",
    "common_word", "ordinary_word", "sentence_initial", "all_caps", "after_title", "after_locative",
    "after_the", "person_verb_after", "age_after", "capitalised_before", "capitalised_after",
    "place_suffix_after", "organisation_after", "demonym", "country_name", "state_abbreviation",
    "locative_elsewhere", "person_elsewhere", "occurrences", "possessive", "first_line",
)
# Before training, the hand rules alone decide (tools/train_recognizer.py fits real weights).
HAND_RECOGNIZER = {"weights": {"rule_place": 2.0, "rule_person": -2.0, "rule_other": -2.0,
                               "person_elsewhere": -2.5, "has_country": 1.0}, "bias": -1.0, "threshold": 0.5}


@lru_cache(maxsize=2)
def recognizer(path: str | None = None) -> tuple[list[float], float, float]:
    """The recognizer's weights (in ``RECOGNIZER_FEATURES`` order), bias and decision threshold."""
    path = Path(path or RECOGNIZER_FILE)
    fitted = json.loads(path.read_text(encoding="utf-8")) if path.exists() else HAND_RECOGNIZER
    weights = [float(fitted["weights"].get(name, 0.0)) for name in RECOGNIZER_FEATURES]
    return weights, float(fitted["bias"]), float(fitted["threshold"])


def find(text: str, gazetteer: Gazetteer, model: tuple | None = None) -> list[Mention]:
    """Every place mention in ``text``, in order, never overlapping.

    Candidate names come from the gazetteer; a logistic model over their context
    (``RECOGNIZER_FEATURES``) keeps those that are places.
    """
    weights, bias, threshold = model or recognizer()
    scored = []
    for mention, features in candidates(text, gazetteer):
        if not mention.codes or _in_place_brackets(text, mention):
            scored.append((mention, 1.0))  # kept by rule: a locative before it, or brackets after a place
            continue
        score = bias + sum(map(mul, weights, features))
        scored.append((mention, 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))))
    # One sense per discourse: a name taken for a place once is a place wherever it recurs, even
    # where its own context is weak (a title-case headline).
    accepted = {m.key for m, p in scored if p >= threshold}
    return [m for m, p in scored if (p >= threshold or (m.key in accepted and p >= threshold * ECHO_SHARE))
            and not _names_money(text, m) and not _is_code(text, m, gazetteer)]


def _names_money(text: str, mention: Mention) -> bool:
    """A name before a currency's ("US dollar", "Lebanese pound"): the money, not a place."""
    following = _NEXT_WORD.match(text, mention.end)
    return following is not None and following.group(1).lower() in CURRENCY_WORDS


# GeoNames lists airport codes among a town's other names (SDF is Louisville, YPG Portage la
# Prairie): a short capitalised code names a group or a thing far more often than such a town.
CODE_LETTERS = 4
CODE_TOWN_POPULATION = 1_000_000  # NYC, LA: a code of a city this large is that city


def _is_code(text: str, mention: Mention, gazetteer: Gazetteer) -> bool:
    """An acronym outside a dateline that names only towns by another name: no place."""
    surface = mention.text
    if not (1 < len(surface) <= CODE_LETTERS and surface.isalpha() and surface.isupper()) or not mention.codes:
        return False
    if not text[text.rfind("\n", 0, mention.start) + 1:mention.start].strip():
        return False  # a wire dateline's place, "HUME, Ill. --"
    return not any(is_own_name(code) or gazetteer.posted(code).kind in WIDE_KINDS | {ADMIN1, ADMIN2}
                   or gazetteer.posted(code).population >= CODE_TOWN_POPULATION for code in mention.codes)


_TOWN_PAIR = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


def _split_town_pairs(tokens: list, gazetteer: Gazetteer) -> list:
    """Capitalised words joined by hyphens that the gazetteer does not know as one name, split into
    their words when each is a name it knows: "the Nairobi-Nyeri highway", "the axis Solle-Titao"
    name two towns, while "Winston-Salem" and "Guinea-Bissau" stay whole, and so do "Pobe-Mengao"
    (a commune, of which "Pobe" alone is a town in Benin) and pairs of countries or peoples."""
    split = []
    for start, end, word in tokens:
        if "-" not in word or not word[:1].isupper() or not _TOWN_PAIR.fullmatch(word):
            split.append((start, end, word))
            continue
        parts = word.split("-")
        key = normalize(word)
        if (parts[0].lower() in ARABIC_ARTICLES or not all(part[:1].isupper() and len(part) > 1 for part in parts)
                or gazetteer.postings(key) or key in gazetteer.name_prefixes
                or len(set(parts)) < len(parts)  # "Fili-Fili" is one village
                or not all(gazetteer.postings(normalize(part)) for part in parts)
                or any(_names_a_country(normalize(part), gazetteer) for part in parts)):
            split.append((start, end, word))
            continue
        at = start
        for part in parts:
            split.append((at, at + len(part), part))
            at += len(part) + 1
    return split


def _names_a_country(key: str, gazetteer: Gazetteer) -> bool:
    # "Kurdish-Russia-US contacts", "the Syria-Turkey border": relations between peoples and
    # states, not towns on a road; split, they recast which country an article is about.
    return key in gazetteer.demonyms or _is_country_name(key, gazetteer)


def _is_country_name(key: str, gazetteer: Gazetteer) -> bool:
    return any(gazetteer.posted(code).kind == COUNTRY for code in gazetteer.postings(key))


def candidates(text: str, gazetteer: Gazetteer) -> list[tuple[Mention, list[float]]]:
    """Every name the gazetteer knows in ``text`` (longest first, never overlapping), with its features."""
    tokens = _split_town_pairs(tokenize(text), gazetteer)
    keys = _keys([t[2] for t in tokens])
    first_line_end = text.find("\n") if "\n" in text else len(text)
    spans = []
    i = 0
    while i < len(tokens):
        word = tokens[i][2]
        # Most words are lower-case: the plain test first, the "al-Bab" one only for hyphened words.
        if not word[0].isupper() and ("-" not in word or not _capitalised(word)) \
                or keys[i] in NEVER_PLACES and not _long_name_ahead(i, tokens, keys, text, gazetteer):
            i += 1
            continue
        found = _state_abbreviation(i, tokens, keys, text, gazetteer) or _longest_name(i, tokens, keys, text, gazetteer)
        if found is None:
            unknown = _unknown_name(i, tokens, keys, text, gazetteer)
            if unknown is not None:
                spans.append((i, unknown[0], unknown[1], {}))
                i = unknown[0] + 1
            else:
                i += 1
            continue
        j, mention = found
        if j == i and _longer_unknown_name(i, tokens, keys, text, mention, gazetteer):
            unknown = _unknown_name(i, tokens, keys, text, gazetteer, first_known=True)
            if unknown is not None and unknown[0] > i:
                spans.append((i, unknown[0], unknown[1], {}))
                i = unknown[0] + 1
                continue
        if j == i and mention.cue == "name" and _opens_arabic_compound(i, tokens, text) \
                and not _is_strong(mention, gazetteer):
            i += 1  # "Ain" of "Ain al-Dananeer" is no department of France, whatever the compound is
            continue
        spans.append((i, j, mention, _context(i, j, mention, tokens, keys, text, gazetteer)))
        i = j + 1
    # One sense per discourse: what the other occurrences of a name say counts for each of them.
    locative_keys = {m.key for _, _, m, c in spans if c.get("after_locative")}
    person_keys = {m.key for _, _, m, c in spans if c.get("rule_person") or c.get("after_title")
                   or c.get("person_verb_after") or c.get("age_after")}
    occurrences = Counter(m.key for _, _, m, _ in spans)
    result = []
    for _, _, mention, context in spans:
        if not mention.codes:
            result.append((mention, []))
            continue
        context["locative_elsewhere"] = float(mention.key in locative_keys)
        context["person_elsewhere"] = float(mention.key in person_keys)
        context["occurrences"] = math.log(occurrences[mention.key])
        context["first_line"] = float(mention.start < first_line_end)
        result.append((mention, list(_FEATURES_IN_ORDER(context))))
    return result


# Every feature is set, as a float, by ``_context`` and the lines above.
_FEATURES_IN_ORDER = itemgetter(*RECOGNIZER_FEATURES)
_KEY_CACHE_SIZE = 200_000
_key_of_word: dict[str, str] = {}


def _keys(words: list[str]) -> list[str]:
    """``normalize`` of each word; news repeats its words, so keys are kept by word."""
    return memo_map(_key_of_word, words, normalize, _KEY_CACHE_SIZE)


# How much weaker than the threshold a recurrence of an accepted name may look and still be kept.
ECHO_SHARE = 0.6
# Leading words of the multi-word names this module adds to the gazetteer's ("Great Britain", "W. Va.").
_PREFIXES = name_prefixes(list(COUNTRY_NAMES) + list(AP_STATES) + list(AREA_NAMES) + list(CONTINENT_ADJECTIVES))
# The place's noun may stand before the brackets: "in Nikapitiya city (Panduwasnuwara, Kurunegala)".
_PLACE_BRACKETS = re.compile(r"[A-Z][\w'’-]*(?:\s+(?i:" + HOST_NOUN + r")){0,2}\s*\((?:[^()]{0,40},\s*)?$")


def _in_place_brackets(text: str, mention: Mention) -> bool:
    """A name in brackets after a capitalised name: "in Ruramba (Kayokwe, Mwaro)", "Tripoli (Lebanon)",
    "Gacheno town (Wolayta, SNNPR)".

    Reports and ACLED's notes name the district and province of a place this way. An acronym in
    brackets abbreviates the name before it ("Syrian Democratic Forces (SDF)"), which is no place
    even where an airport code makes it one (Louisville's SDF): the model judges it like any name.
    """
    if len(mention.text) > 1 and mention.text.isupper():
        return False
    return bool(_PLACE_BRACKETS.search(text[max(0, mention.start - 60):mention.start]))


def _opens_arabic_compound(i, tokens, text) -> bool:
    """Whether the word at ``i`` opens a name joined by a hyphened Arabic article ("Ain al-Dananeer",
    "Abu al-Duhur") that the gazetteer did not find whole."""
    if i + 1 >= len(tokens) or text[tokens[i][1]:tokens[i + 1][0]] != " ":
        return False
    head, dash, rest = tokens[i + 1][2].partition("-")
    return bool(dash) and head in ARABIC_ARTICLES and rest[:1].isupper()


def _longer_unknown_name(i, tokens, keys, text, mention: Mention, gazetteer: Gazetteer) -> bool:
    """A known word that opens a longer capitalised name the gazetteer lacks: "Abu" of "in Abu Salim".

    Only for a word that is no large place's own name ("in Damascus Sunday" keeps Damascus), and
    only where the sentence says a place follows (see ``_unknown_name``): the whole name is then
    kept as one unknown name, placed by the areas around it, not as a village in India.
    """
    if i + 1 >= len(tokens) or text[tokens[i][1]:tokens[i + 1][0]] != " ":
        return False
    following = tokens[i + 1][2]
    if not _capitalised(following) or keys[i + 1] in NEVER_PLACES or keys[i + 1] in PLACE_SUFFIXES \
            or keys[i + 1] in ORGANISATION_WORDS or following.isupper():
        return False
    return mention.cue == "name" and not _is_notable(mention, gazetteer)


def _unknown_name(i, tokens, keys, text, gazetteer, first_known: bool = False) -> tuple[int, Mention] | None:
    """A name the gazetteer lacks where the sentence says it is a place ("in Ruramba", "village of X").

    It is kept, unresolved, so that an event there is not lost; the resolver may still
    place it roughly by the areas named around it.
    """
    # A first word the gazetteer knows ("Abu" of "Abu Salim") may be an English word as well.
    if i == 0 or (keys[i] in gazetteer.ordinary_words and not first_known) or keys[i] in NEVER_PLACES \
            or keys[i] in TITLES:
        return None
    if len(keys[i]) < 3 or tokens[i][2].isupper() or text[tokens[i - 1][1]:tokens[i][0]] != " ":
        return None
    before = keys[i - 1]
    placed = before in UNKNOWN_NAME_LOCATIVES or (
        before == "of" and i > 1 and keys[i - 2] in PLACE_NOUNS)
    if not placed:
        return None
    j = i
    while j + 1 < len(tokens) and j - i < 2 and _capitalised(tokens[j + 1][2]) \
            and text[tokens[j][1]:tokens[j + 1][0]] == " " and keys[j + 1] not in ORGANISATION_WORDS \
            and keys[j + 1] not in NEVER_PLACES:
        j += 1
    if j + 1 < len(tokens) and keys[j + 1] in ORGANISATION_WORDS:
        return None
    start, end = tokens[i][0], tokens[j][1]
    return j, Mention(start, end, text[start:end], " ".join(keys[i:j + 1]), (), None, "unknown name")


_AGE_AFTER = re.compile(r",\s*\d{1,2},")


@lru_cache(maxsize=50_000)
def _name_features(codes: tuple[int, ...], gazetteer: Gazetteer) -> dict:
    """The features a name's places give, the same wherever the name stands: kept per name.

    Callers copy the dict; the cache's own copy is never changed.
    """
    places = [(is_own_name(code), gazetteer.posted(code)) for code in codes]
    own = [p for is_own, p in places if is_own]
    return {
        "own_name": float(bool(own)),
        "log_population": max((math.log10(p.population + 10) for _, p in places), default=0.0) / 7,
        "has_country": float(any(p.kind in WIDE_KINDS for p in own)),
        "has_admin1": float(any(p.kind == ADMIN1 for p in own)),
        "has_admin2": float(any(p.kind == ADMIN2 for p in own)),
        "has_big_city": float(any(p.population >= 100_000 for p in own)),
        "has_capital": float(any(p.kind == CAPITAL for p in own)),
        "candidates": math.log(len(places) or 1) / 5,
    }


def _context(i, j, mention, tokens, keys, text, gazetteer) -> dict:
    """Features of one candidate name that its own sentence gives."""
    previous = tokens[i - 1] if i > 0 else None
    following = tokens[j + 1] if j + 1 < len(tokens) else None
    # "Syrias Quneitra" is "Syria's Quneitra": a possessive, not one longer capitalised name.
    joined_before = previous is not None and bool(_GAP.fullmatch(text[previous[1]:tokens[i][0]])) \
        and not (previous[2][:1].isupper() and _country_of_possessive(keys[i - 1], gazetteer) is not None)
    joined_after = following is not None and bool(_GAP.fullmatch(text[tokens[j][1]:following[0]]))
    after_text = text[mention.end:mention.end + 8]
    verdict = _judge(i, j, mention, tokens, keys, text, gazetteer, gazetteer.common_words) \
        if mention.cue == "name" else "place"
    return {
        **_name_features(mention.codes, gazetteer),
        "rule_place": float(verdict == "place"), "rule_person": float(verdict == "person"),
        "rule_other": float(verdict == "other"), "multiword": float(j > i),
        "common_word": float(mention.key in gazetteer.common_words),
        "ordinary_word": float(mention.key in gazetteer.ordinary_words),
        "sentence_initial": float(_sentence_initial(text, mention.start)),
        "all_caps": float(mention.text.isupper() and len(mention.text) > 1),
        "after_title": float(joined_before and keys[i - 1] in TITLES),
        "after_locative": float(previous is not None and keys[i - 1] in LOCATIVES
                                and text[previous[1]:tokens[i][0]].strip() in ("", "the")),
        "after_the": float(previous is not None and keys[i - 1] == "the"),
        "person_verb_after": float(following is not None and keys[j + 1] in PERSON_VERBS),
        "age_after": float(bool(_AGE_AFTER.match(after_text))),
        "capitalised_before": float(joined_before and _capitalised(previous[2])),
        "capitalised_after": float(joined_after and _capitalised(following[2])),
        "place_suffix_after": float(joined_after and keys[j + 1] in PLACE_SUFFIXES),
        "organisation_after": float(joined_after and keys[j + 1] in ORGANISATION_WORDS),
        "demonym": float(mention.cue == "demonym"),
        "country_name": float(mention.cue == "country name"),
        "state_abbreviation": float(mention.cue == "state abbreviation"),
        "possessive": float(text[mention.end:mention.end + 2] in ("'s", "’s")),
    }


def _state_abbreviation(i, tokens, keys, text, gazetteer) -> tuple[int, Mention] | None:
    """A US state written "Pa.", "W.Va." or "PA" after a town and a comma; a province ("B.C.")."""
    after_comma = text[max(0, tokens[i][0] - 2):tokens[i][0]].endswith((", ", ","))
    if tokens[i][2].split(".", 1)[0] in _PROVINCE_HEADS:
        found = _province_abbreviation(i, tokens, text, after_comma, gazetteer)
        if found is not None:
            return found
    for j in (i + 1, i):
        if j >= len(tokens) or (j > i and text[tokens[i][1]:tokens[j][0]] not in (".", ". ")):
            continue
        key = " ".join(keys[i:j + 1])
        end = tokens[j][1]
        dotted = text[end:end + 1] == "."
        if key in AP_STATES and (dotted or tokens[j][2].endswith(".")) and (after_comma or len(key) > 3):
            code = AP_STATES[key]
            end = end + 1 if dotted else end
        elif j == i and after_comma and tokens[i][2] in POSTAL_STATES:
            code = tokens[i][2]
        else:
            continue
        place = gazetteer.admin1_place("US", code)
        if place is None:
            return None
        return j, Mention(tokens[i][0], end, text[tokens[i][0]:end], key, (posting(place.index),), None,
                          "state abbreviation")
    return None


def _province_abbreviation(i, tokens, text, after_comma, gazetteer) -> tuple[int, Mention] | None:
    """A province or state of Canada or Australia as ``PROVINCES`` writes it, over up to three
    dotted letters ("P.E.I."), as a mention of its first-level area."""
    start = tokens[i][0]
    for j in (i + 2, i + 1, i):
        if j >= len(tokens) or any(text[tokens[k][1]:tokens[k + 1][0]] != "." for k in range(i, j)):
            continue
        end = tokens[j][1]
        for stop in (end + 1, end) if text[end:end + 1] == "." else (end,):
            entry = PROVINCES.get(text[start:stop])
            # A few characters back suffice to see a number before it; the whole prefix would be copied.
            if entry is None or not (entry[2] or after_comma) or text[max(0, start - 8):start].rstrip()[-1:].isdigit():
                continue
            place = _province_place(entry[0], entry[1], gazetteer)
            if place is None:
                return None
            return j, Mention(start, stop, text[start:stop], normalize(text[start:stop]), (posting(place.index),),
                              None, "state abbreviation")
    return None


def _province_place(country: str, name: str, gazetteer: Gazetteer):
    return next((gazetteer.posted(c) for c in gazetteer.postings(normalize(name))
                 if gazetteer.posted(c).kind == ADMIN1 and gazetteer.posted(c).country_code == country), None)


def _long_name_ahead(i, tokens, keys, text, gazetteer) -> bool:
    """Whether a stop word opens a longer name ("North Carolina", "New York")."""
    found = _longest_name(i, tokens, keys, text, gazetteer)
    return found is not None and found[0] > i


def _longest_name(i, tokens, keys, text, gazetteer) -> tuple[int, Mention] | None:
    """The longest run of words from token ``i`` that the gazetteer (or a demonym) names."""
    last = i
    # A run of words is worth joining to the next word only while it opens some longer name.
    run, prefixes = keys[i], gazetteer.name_prefixes
    while last + 1 < len(tokens) and last - i + 1 < MAX_WORDS and (run in prefixes or run in _PREFIXES) \
            and _GAP.fullmatch(text[tokens[last][1]:tokens[last + 1][0]]):
        last += 1
        run += " " + keys[last]
    # "al-Zawiya" after "Jabal" is the end of a longer name, not a name of its own.
    inside_name = i > 0 and tokens[i - 1][2][:1].isupper() and bool(_GAP.fullmatch(text[tokens[i - 1][1]:tokens[i][0]]))
    for j in range(last, i - 1, -1):
        if j > i and tokens[j][2].lower() == tokens[j][2]:
            continue  # a name ends on a capitalised word ("Bosnia and Herzegovina")
        key = " ".join(keys[i:j + 1])
        start, end = tokens[i][0], tokens[j][1]
        surface = text[start:end]
        found = _kept_lookup(key, surface, gazetteer, not inside_name)
        if found is not None:
            codes, country, cue = found
            return j, Mention(start, end, surface, key, codes, country, cue)
    return None


def _is_strong(mention: Mention, gazetteer: Gazetteer) -> bool:
    """A name whose best reading is a country or continent, or a demonym."""
    if mention.cue in ("demonym", "country name"):
        return True
    return any(is_own_name(code) and gazetteer.posted(code).kind in WIDE_KINDS | {ADMIN1}
               for code in mention.codes)


def _is_notable(mention: Mention, gazetteer: Gazetteer) -> bool:
    """A name that is the own name of a large place: a capital, an admin area, a city of 100k+."""
    if _is_strong(mention, gazetteer):
        return True
    for code in mention.codes:
        place = gazetteer.posted(code)
        if is_own_name(code) and (place.kind in (ADMIN1, ADMIN2, CAPITAL) or place.population >= 100_000):
            return True
    return False


def _judge(i, j, mention, tokens, keys, text, gazetteer, common) -> str:
    """Decide whether a candidate name is a ``place``, a ``person`` or ``other`` (dropped)."""
    multiword = j > i
    word = tokens[i][2]
    if mention.cue in ("demonym", "country name"):
        return "place"
    if not multiword and len(mention.key) < 3:
        return "other"
    if word.isupper() and len(word) > 1 and not multiword and not _is_notable(mention, gazetteer):
        return "other"  # acronyms (NATO, ISIS) that collide with small places
    previous = tokens[i - 1] if i > 0 else None
    following = tokens[j + 1] if j + 1 < len(tokens) else None
    joined_before = previous is not None and _GAP.fullmatch(text[previous[1]:tokens[i][0]])
    joined_after = following is not None and _GAP.fullmatch(text[tokens[j][1]:following[0]])
    if joined_before and keys[i - 1] in TITLES:
        return "person"
    if not multiword and mention.key in common and not _is_notable(mention, gazetteer):
        return "other"
    if not multiword and _sentence_initial(text, tokens[i][0]) and mention.key in common:
        return "other"
    # A place inside a longer run of capitalised words: part of a person's name ("Riad al-Assaad",
    # "Chiquita Raquel Henry") unless the neighbours are ordinary words ("Syria Security Forces").
    strange_neighbour = False
    for neighbour, joined in ((previous, joined_before), (following, joined_after)):
        if not joined or not _capitalised(neighbour[2]) and not neighbour[2].startswith(("al-", "el-", "bin")):
            continue
        neighbour_key = normalize(neighbour[2])
        if neighbour_key in PLACE_SUFFIXES or neighbour_key in gazetteer.ordinary_words or neighbour_key in NEVER_PLACES:
            continue
        if gazetteer.postings(neighbour_key) and neighbour_key not in common:
            continue  # "Homs Syria" in a caption: two places side by side
        if neighbour_key.endswith("s") and _is_country_name(neighbour_key[:-1], gazetteer):
            continue  # "northern Syrias Afrin": a country's possessive whose apostrophe was lost
        strange_neighbour = True
    if strange_neighbour and not (multiword and _is_notable(mention, gazetteer)):
        return "person" if not _is_strong(mention, gazetteer) else "place"
    return "place"


def lookup(key: str, surface: str, gazetteer: Gazetteer,
           strip_article: bool = True) -> tuple[tuple[int, ...], str | None, str] | None:
    """What a name can mean: ``(postings, country code or None, cue)``, or None when nothing.

    Country names the gazetteer files elsewhere and demonyms come first ("German" is a
    country's people before it is San Germán); then continents' adjectives; then the names.
    """
    if key in AP_STATES and surface.endswith("."):
        place = gazetteer.admin1_place("US", AP_STATES[key])
        if place is not None:
            return (posting(place.index),), None, "state abbreviation"
    country = COUNTRY_NAMES.get(key)
    if country and len(key.replace(" ", "")) <= 4 and not surface.replace(".", "").replace(" ", "").isupper():
        country = None  # "us" and "Us" are the pronoun; only "US" and "U.S." are the country
    if country is None and key in gazetteer.demonyms:
        country = gazetteer.demonyms[key]
        cue = "demonym"
    else:
        cue = "country name"
    if country and country in gazetteer.countries:
        return (posting(gazetteer.countries[country][0]),), country, cue
    area = AREA_NAMES.get(key) or CONTINENT_ADJECTIVES.get(key)
    if area and (key not in AREA_NAMES or surface.replace(".", "").isupper()):
        codes = tuple(c for c in gazetteer.postings(normalize(area))
                      if gazetteer.posted(c).kind == CONTINENT)
        if codes:
            return codes, None, "demonym" if key in CONTINENT_ADJECTIVES else "country name"
    codes = gazetteer.postings(key)
    if not codes and surface.endswith("s") and surface[:1].isupper():
        own = _country_of_possessive(key, gazetteer)
        if own is not None:
            return (own,), gazetteer.posted(own).country_code, "country name"
    if not codes:
        # "Ar-Raqqa": GeoNames often files such names without the Arabic article.  Hyphened
        # only: "Al Gore" is a man.
        article, _, rest = key.partition(" ")
        if strip_article and rest and article in ARABIC_ARTICLES and surface[len(article):len(article) + 1] == "-":
            codes = gazetteer.postings(rest)
    return (codes, None, "name") if codes else None


# News repeats its names: what a name can mean is kept, keyed by everything ``lookup`` reads.
_kept_lookup = lru_cache(maxsize=200_000)(lookup)


def _country_of_possessive(key: str, gazetteer: Gazetteer) -> int | None:
    """The country posting of "syrias": text stripped of its apostrophes keeps a country's possessive
    ("Syrias second city"), which the gazetteer does not know as a name."""
    if not key.endswith("s") or gazetteer.postings(key):
        return None
    return next((c for c in gazetteer.postings(key[:-1]) if is_own_name(c) and gazetteer.posted(c).kind == COUNTRY),
                None)


def mention_at(text: str, start: int, end: int, gazetteer: Gazetteer) -> Mention:
    """The mention for a span given from outside (gold spans, user corrections)."""
    surface = text[start:end]
    key = normalize(surface)
    area = PROVINCES.get(surface) or NATION_ADJECTIVES.get(key)
    if area is not None and (place := _province_place(area[0], area[1], gazetteer)) is not None:
        return Mention(start, end, surface, key, (posting(place.index),), None, "gold span")
    found = lookup(key, surface, gazetteer) or _part_of_name(surface, gazetteer) or _adjective_of_place(surface, gazetteer)
    codes, country, _ = found if found else ((), None, "")
    return Mention(start, end, surface, key, codes, country, "gold span")


# Kinds a lone common word may name inside a longer name.
_AREA_KINDS = WIDE_KINDS | {ADMIN1}


def _part_of_name(surface: str, gazetteer: Gazetteer):
    """The longest run of words inside a longer name that the gazetteer knows.

    "Washington, D.C.", "Manila Cathedral", "Oaxaca State": the place is in the name. Lone
    common words are tried last, and only one that can name a country, a continent or a
    first-level area counts ("Bank of England", "University of California"; not "Union Station").
    """
    tokens = tokenize(surface)
    words = [normalize(t[2]) for t in tokens]
    originals = [t[2] for t in tokens]
    common = []
    for size in range(len(words) - 1, 0, -1):
        for first in range(0, len(words) - size + 1):
            part = words[first:first + size]
            if len(part) == 1 and (part[0] in NEVER_PLACES or not originals[first][:1].isupper()):
                continue
            if len(part) == 1 and part[0] in gazetteer.common_words:
                common.append(first)
                continue
            found = lookup(" ".join(part), " ".join(originals[first:first + size]), gazetteer)
            if found is not None:
                return found
    for first in common:
        found = lookup(words[first], originals[first], gazetteer)
        if found is not None and any(is_own_name(c) and gazetteer.posted(c).kind in _AREA_KINDS for c in found[0]):
            return found
    return None


# How English makes an adjective of a place's name: "Bosnia" -> "Bosnian", "Sicily" -> "Sicilian",
# "Kurdistan" -> "Kurdish", "Havana" -> "Havanese", "Serbia" -> "Serb", "Austria" -> "Austro-".
_ADJECTIVE_ENDINGS = (("ian", "y"), ("an", "a"), ("ish", "istan"), ("ese", "a"), ("", "ia"), ("o", "ia"))


def _adjective_of_place(surface: str, gazetteer: Gazetteer):
    """The country, area or capital a one-word adjective the gazetteer lacks is made from."""
    if " " in surface or not surface[:1].isupper() or normalize(surface) in NEVER_PLACES:
        return None
    for ending, restored in _ADJECTIVE_ENDINGS:
        if not surface.endswith(ending) or len(surface) - len(ending) < 3:
            continue
        stem = surface[:len(surface) - len(ending)] + restored
        kept = tuple(c for c in gazetteer.postings(normalize(stem))
                     if is_own_name(c) and gazetteer.posted(c).kind in _AREA_KINDS | {CAPITAL})
        if kept:
            return kept, None, "demonym"
    return None
