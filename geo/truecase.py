"""Wire copy in capitals, read as mixed case.

Recognition and dates lean on capitals ("in Rastan", "on 30 December"); a text set wholly in
capitals ("SAN SALVADOR, 3 JAN 90 -- ... KIDNAPPED IN SAN MIGUEL DEPARTMENT") gives them nothing to
lean on. Its words are re-cased from what the gazetteer and English word frequencies know of them,
letter for letter, so every offset into the reading is an offset into the article.

>>> from geo.gazetteer import load
>>> reading("TROOPS ENTERED RASTAN ON SATURDAY AFTER FOUR DAYS OF CLASHES, ACTIVISTS SAID.", load())
'troops entered Rastan on Saturday after four days of clashes, activists said.'
"""

from __future__ import annotations

import re

from geo.gazetteer import Gazetteer, normalize
from geo.vocabulary import MONTHS, WEEKDAYS

# Below this share of lower-case letters a text is taken as set in capitals.
SHOUTING_SHARE = 0.1
_LETTERS = re.compile(r"[^\W\d_]+")
_CALENDAR = frozenset((*MONTHS, *WEEKDAYS))
# Short all-capital words that are no English word are acronyms ("FMLN", "COPREFA"): kept as set.
ACRONYM_LETTERS = 7
MAX_NAME_WORDS = 4


def is_shouting(text: str) -> bool:
    """True for a text set (almost) wholly in capitals."""
    sample = text[:5000]
    # Every article is asked: most are settled by the lower-case letters of their opening alone,
    # since the sample cannot hold more letters than characters.
    if sum(map(str.islower, sample[:1000])) >= SHOUTING_SHARE * len(sample):
        return False
    letters = sum(map(str.isalpha, sample))  # counted in C
    if letters < 40:
        return False
    return sum(map(str.islower, sample)) < SHOUTING_SHARE * letters


def reading(text: str, gazetteer: Gazetteer) -> str:
    """The text as the pipeline reads it: itself, or, when set in capitals, re-cased word by word."""
    if not is_shouting(text):
        return text
    words = list(_LETTERS.finditer(text))
    keys = [normalize(word.group()) for word in words]
    cased = list(text)
    i = 0
    while i < len(words):
        run = _name_run(i, words, keys, text, gazetteer)
        for number in range(i, i + run):
            if words[number].group().isupper():  # a word in lower case was set so on purpose
                _put(cased, words[number], words[number].group().capitalize())
        if run:
            i += run
            continue
        if words[i].group().isupper():
            _put(cased, words[i], _recased(words[i].group(), keys[i], gazetteer))
        i += 1
    return "".join(cased)


def _name_run(i: int, words, keys, text: str, gazetteer: Gazetteer) -> int:
    """How many words from ``i`` on make the longest name the gazetteer knows (0: none, or a common word)."""
    for length in range(MAX_NAME_WORDS, 0, -1):
        last = i + length - 1
        if last >= len(words) or any(text[words[k].end():words[k + 1].start()] not in (" ", "-")
                                     for k in range(i, last)):
            continue
        key = " ".join(keys[i:last + 1])
        if gazetteer.postings(key) and (length > 1 or key not in gazetteer.ordinary_words):
            return length
    return 0


def _put(cased: list[str], word: re.Match, replacement: str) -> None:
    # Offsets must stay the article's: a word whose case changes its length keeps its capitals.
    if len(replacement) == len(word.group()):
        cased[word.start():word.end()] = replacement


def _recased(word: str, key: str, gazetteer: Gazetteer) -> str:
    if key in _CALENDAR:
        return word.capitalize()
    if key in gazetteer.ordinary_words:
        return word.lower()
    if 1 < len(word) <= ACRONYM_LETTERS and not any(c in "AEIOU" for c in word[1:-1]):
        return word  # no vowel inside: an acronym (FMLN)
    return word.capitalize()  # a rare word: a name, or a place the gazetteer lacks
