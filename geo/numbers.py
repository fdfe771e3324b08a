"""Reading counts of the dead from text: "10 army defectors killed", "killing three", "no casualties".

Rules, not a model: a number is tied to the kill word it stands next to, wounded counts
are left out, and cumulative figures ("an estimated 2,700 since March") are background,
not the count of one event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.sentences import clauses
from geo.vocabulary import ACTIVE_KILL_WORDS, KILL_WORDS, MONTH_NAMES, MONTHS, TOLL_WORDS, alternation

WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "dozen": 12, "both": 2, "couple": 2,
}
# A toll above ten million is a misreading (an id, a phone number, a sum of money), not a count.
MAX_COUNT = 10_000_000
# One of ACLED's 39,717 further records reports more than 500 dead: a thousand or more told in the
# perfect is a war's toll ("more than 200000 people have been killed"), background to any one
# event; told in the past it may be one massacre ("killed 1300 people with chemical weapons").
WAR_TOLL = 1000
_PERFECT = re.compile(r"\b(?:has|have|had)\b", re.I)
# How far before a passive kill word its count may stand: "three members of the peasant defense
# patrols were murdered" puts eight words between them.
PASSIVE_REACH = 12
# ACLED's convention for vague counts: "dozens" and "many" are coded 10; "several", "some",
# "a number of" and "unknown number" are coded 0 unless a figure is given.
VAGUE_NUMBERS = {"dozens": 10, "many": 10, "scores": 10, "hundreds": 10, "tens": 10,
                 "several": 0, "some": 0, "number": 0, "unknown": 0, "few": 0, "multiple": 0}

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+|" + alternation([*WORD_NUMBERS, *VAGUE_NUMBERS]) + r")"
_ZERO = re.compile(
    r"\b(?:no (?:one|body|people|person|civilians?|soldiers?) (?:was |were )?(?:killed|hurt|injured|dead)"
    r"|no (?:casualties|fatalities|deaths|injuries|victims)|without (?:casualties|fatalities)"
    r"|nobody (?:was )?(?:killed|hurt|injured)|no reports? of (?:casualties|fatalities|deaths)"
    r"|no (?:reported )?(?:casualties|fatalities))\b", re.I)
_CODED = re.compile(r"\bfatalit(?:y|ies) (?:were |was )?coded as (\d+)", re.I)
_BACKGROUND = re.compile(
    r"\b(?:an estimated|since (?:the |early |late |mid[- ])?(?:\w+ )?(?:\d{4}|" + alternation(MONTH_NAMES)
    + r"|the start|the beginning|it began|then)"
    r"|so far this|this year|last year|(?:over|in) the (?:past|last) (?:\w+ ){0,2}(?:weeks|months|years|decades?)"
    r"|in recent (?:weeks|months|years)|a total of|in total|altogether|cumulative"
    r"|(?:months|years|decades) ago|throughout the)\b", re.I)
_INJURY = re.compile(r"\b(?:wounded|injured|injuring|wounding|hurt|injuries|missing|arrested|abducted)\b", re.I)
_WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*|\d{1,3}(?:,\d{3})+|\d+|[.,;:!?()]")
_KILL_WORD = re.compile(r"^" + alternation(KILL_WORDS) + r"$", re.I)
_NUMBER_WORD = re.compile(r"^" + _NUMBER + r"$", re.I)
# Verbs that make "killed" active: "X killed 3 people".
_ACTIVE_FOLLOWERS = re.compile(r"^(?:at|least|about|around|some|nearly|almost|over|more|than|up|to|"
                               + _NUMBER + r"|the|his|her|their|its|a|an|two|both)$", re.I)


@dataclass(frozen=True)
class Count:
    """A count of the dead read from text, and whether it is background rather than one event's."""

    value: int
    background: bool
    evidence: str


def to_number(word: str) -> int | None:
    """The value of a written number ("2,700", "ten", "dozens"), or None."""
    lowered = word.lower().replace(",", "")
    if lowered.isdecimal():  # not isdigit: int() refuses superscripts ("²")
        # Checked before int(), which refuses strings of over 4,300 digits.
        return int(lowered) if len(lowered) <= len(str(MAX_COUNT)) and int(lowered) <= MAX_COUNT else None
    if lowered in WORD_NUMBERS:
        return WORD_NUMBERS[lowered]
    return VAGUE_NUMBERS.get(lowered)


def fatalities(text: str) -> Count | None:
    """Deaths reported in ``text`` (summed over the kill words), or None when it reports none.

    >>> fatalities("So far we have 10 army defectors killed and a number were wounded").value
    10
    >>> fatalities("No casualties reported.").value
    0
    """
    coded = _CODED.search(text)
    if coded and to_number(coded.group(1)) is not None:
        return Count(to_number(coded.group(1)), False, coded.group(0))
    total, evidence, background, told = None, [], False, set()
    for sentence in clauses(text):
        # A headline run into its lead tells one toll twice: "air strikes kill 32 ... killed at least 32".
        found = [value for value in _sentence_counts(sentence) if not value or value not in told]
        if not found:
            continue
        told.update(found)
        value = sum(found)
        if value > 0 and ((value >= WAR_TOLL and _PERFECT.search(sentence)) or _BACKGROUND.search(sentence)):
            background = True
            continue
        total = (total or 0) + value
        evidence.append(sentence.strip())
    if total is None and _ZERO.search(text):
        return Count(0, False, _ZERO.search(text).group(0))
    if total is None:
        return Count(0, True, "") if background else None
    return Count(total, False, " ".join(evidence)[:200])


def _sentence_counts(sentence: str) -> list[int]:
    words = _WORD.findall(sentence)
    counts = []
    used = set()
    for position, word in enumerate(words):
        if not _KILL_WORD.match(word):
            continue
        value = _count_for(words, position, used)
        if value is not None:
            counts.append(value)
    return counts


def _count_for(words: list[str], position: int, used: set) -> int | None:
    word = words[position].lower()
    # Active use ("killing 3 soldiers", "killed a pastoralist"): the count follows.
    if word in ACTIVE_KILL_WORDS and position + 1 < len(words) and _ACTIVE_FOLLOWERS.match(words[position + 1]):
        for offset in range(1, 6):
            index = position + offset
            if index >= len(words) or words[index] in ".;:!?" or _INJURY.match(words[index]):
                break
            if index in used:
                break
            if _NUMBER_WORD.match(words[index]) and not _dates_or_ages(words, index):
                used.add(index)
                return _value(words, index)
            if words[index].lower() in ("the", "his", "her", "their") and index + 1 < len(words):
                used.add(index)
                following = words[index + 1].lower()
                return 2 if following.endswith("s") and following not in ("boss", "witness") else 1
    # Passive use or a noun ("10 defectors killed", "two people were killed", "5 deaths"): it precedes.
    for offset in range(1, PASSIVE_REACH + 1):
        index = position - offset
        if index < 0 or words[index] in ".;:!?" or _INJURY.match(words[index]) or index in used:
            break
        if _KILL_WORD.match(words[index]):
            break
        if _NUMBER_WORD.match(words[index]) and not _dates_or_ages(words, index):
            # "a number of ... killed" and "an unknown number" are vague, coded 0.
            if words[index].lower() in ("a", "an") and index + 1 < len(words) and \
                    words[index + 1].lower() in ("number", "unknown", "few", "dozen"):
                continue
            if words[index].lower() in ("a", "an") and offset > 5:
                continue
            used.add(index)
            return _value(words, index)
    # "the death toll rose to 12": the count follows a toll.
    if word in TOLL_WORDS:
        for offset in range(1, 6):
            index = position + offset
            if index >= len(words) or words[index] in ".;!?":
                break
            if words[index].lower() in ("toll",) or words[index].lower() in ("to", "at", "reached"):
                continue
            if _NUMBER_WORD.match(words[index]) and words[index].lower() not in ("a", "an"):
                used.add(index)
                return _value(words, index)
            if words[index].lower() not in ("toll", "rose", "climbed", "stood", "stands", "is", "was", "has", "risen"):
                break
    return None


# Words after a number that make it a time or a distance: "at 330 am", "1,100 km north of Lima".
_TIME_OR_DISTANCE = frozenset({"am", "pm", "a", "p", "hours", "hrs", "gmt", "utc", "local", "o'clock",
                    "km", "kms", "kilometres", "kilometers", "miles", "mi", "metres", "meters", "m"})


def _dates_or_ages(words: list[str], index: int) -> bool:
    """Whether the number at ``index`` is a day, a year, an age, a time or a distance, not a count:
    "on 9 December, soldiers were killed", "in 2019", "Pablo Pelaez, 45, was shot dead",
    "a 45-year-old man", "at 330 am", "1,100 km north of Lima"."""
    before = words[index - 1].lower() if index > 0 else ""
    after = words[index + 1].lower() if index + 1 < len(words) else ""
    following = words[index + 2].lower() if index + 2 < len(words) else ""
    if after == "may" and following in ("have", "be", "not", "also"):
        return False  # "5 may have been killed"
    if before in MONTHS or after in MONTHS or after.startswith("year") or before == "aged" or after in _TIME_OR_DISTANCE:
        return True
    if before == "," and after == "," and words[index].isdigit():
        return True
    return words[index].isdigit() and len(words[index]) == 4 and 1900 <= int(words[index]) <= 2099 \
        and before in ("in", "since", "of", "until", "during", "year", "")


def _value(words: list[str], index: int) -> int:
    value = to_number(words[index]) or 0
    # "two hundred", "3 thousand"
    if index + 1 < len(words) and words[index + 1].lower() in ("hundred", "thousand") and value < 100:
        value *= WORD_NUMBERS[words[index + 1].lower()]
    return value
