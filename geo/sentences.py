"""Where text is cut: into sentences for the event classifier, into clauses for reading tolls.

The two cuts differ on purpose, and each reader keeps its own:

- ``sentence_starts`` cuts a long paragraph into passages (``geo.events``): after ``.``, ``!`` or
  ``?`` (and a closing quote or bracket) before a capital or a digit, but not after an
  abbreviation ("Mr.", "St.", from ``geo.vocabulary.ABBREVIATIONS``) nor after a capital letter
  ("U.S. forces").
- ``clauses`` cuts a passage into the pieces a toll is read in (``geo.numbers``): after every
  ``.``, ``!``, ``?`` or ``;`` and its space.  Finer, so that "since March" in one clause does not
  make the count told in the next one background.

Reading tolls in the passages' sentences instead changes tolls of the benchmark texts (wire copy
in capitals, mostly, whose sentences end after a capital letter).

>>> list(sentence_starts("Mr. Assad spoke. Troops left; fighting went on."))
[17]
>>> clauses("Mr. Assad spoke. Troops left; fighting went on.")
['Mr.', 'Assad spoke.', 'Troops left;', 'fighting went on.']
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from geo.vocabulary import ABBREVIATIONS, alternation


def _not_after(abbreviations: tuple[str, ...]) -> str:
    """Look-behinds refusing a match right after any of the words (one per length: each must be of fixed width)."""
    by_length: dict[int, list[str]] = {}
    for word in abbreviations:
        by_length.setdefault(len(word), []).append(word)
    return "".join(rf"(?<!\b{alternation(group)})" for _, group in sorted(by_length.items()))


_SENTENCE_END = re.compile(r"(?<![A-Z])" + _not_after(ABBREVIATIONS) + r"[.!?][\"”’)]?\s+(?=[\"“(]?[A-Z0-9])")
_CLAUSE_END = re.compile(r"(?<=[.!?;])\s+")


def sentence_starts(text: str) -> Iterator[int]:
    """The offset of every sentence of ``text`` but the first (where the space after the one before ends)."""
    for end in _SENTENCE_END.finditer(text):
        yield end.end()


def clauses(text: str) -> list[str]:
    """The pieces of ``text`` between the spaces after ``.``, ``!``, ``?`` and ``;`` (spaces left out)."""
    return _CLAUSE_END.split(text)
