"""Event type of a short text: a linear classifier over hashed word and character n-grams.

The weights are fitted by ``tools/train_event_model.py`` (scikit-learn, on the ACLED notes and
CASE 2021 snippets of ``shared/bench/events``) and shipped in ``geo/resources/event_model.npz``. This module
re-implements the same features in plain Python, numpy and scipy, so classifying needs neither
scikit-learn nor the training texts: n-grams are hashed with CRC-32, and the file holds only
bucket numbers, idf values and weights.

The features of a text are three L2-normalised TF-IDF blocks (sublinear tf): word 1-2 grams,
character 2-5 grams within word boundaries, and cue groups (``geo.vocabulary.EVENT_CUES``, a small
lexicon written from the ACLED codebook, so that a rare wording still reaches its class). Two
weight matrices are kept, one for ACLED-style coder notes ("On 3 May 2020, ...") and one for news
text, because the two styles have different class mixes and only news text comes with non-events.

>>> prediction = classify("Police fired tear gas to disperse protesters in the capital.")
>>> prediction.event_type
'Protests'
>>> classify("").event_type is None
True
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import ahocorasick_rs
import numpy as np
from scipy import sparse

from geo import paths
from geo.errors import EventModelError
from geo.ngram_hash import TOKEN as _TOKEN
from geo.ngram_hash import char_wb_ngram_buckets, word_ngram_buckets
from geo.table import SUB_EVENT_TYPES
from geo.vocabulary import EVENT_CUES, MONTHS, alternation

MODEL_FORMAT = 1
DEFAULT_MODEL = paths.resource("event_model.npz")
NON_ACLED = "Non-ACLED"
HASH_BITS = 20

# The same token rule (``TOKEN``) and whitespace rule as scikit-learn's CountVectorizer defaults.
_WHITE_SPACES = re.compile(r"\s\s+")

_MONTH = alternation(spelling.capitalize() for spelling in MONTHS)
# ACLED notes open with the event's day ("On 3 May 2020, ..." or "15 March. ..."); news rarely
# gives a full day-month-year date in its first words.
_NOTE_DATE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)? " + _MONTH + r"\.?,? (?:19|20)\d\d\b|^\d{1,2} "
                        + _MONTH + r"\. ")


def _cues_by_entry(cues: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for name, entries in cues.items():
        for entry in entries:
            groups[entry] = groups.get(entry, ()) + (name,)
    return groups


_CUE_OF_ENTRY = _cues_by_entry(EVENT_CUES)
_CUE_ENTRIES = list(_CUE_OF_ENTRY)
# Every entry starts with a letter: one starts a word where the character before it is no word character.
_CUE_AUTOMATON = ahocorasick_rs.AhoCorasick(_CUE_ENTRIES, matchkind=ahocorasick_rs.MatchKind.Standard)
_WORD_CHARACTER = re.compile(r"\w")


@dataclass(frozen=True)
class Prediction:
    """The classifier's answer for one text."""

    event_type: str | None  # None: not an ACLED event
    sub_event_type: str | None
    confidence: float  # probability of ``label``, 0 to 1
    label: str  # the sub-event type, or "Non-ACLED"
    # For a Non-ACLED answer: the likeliest ACLED sub-event type, and the share all ACLED types hold
    # (an event geo.events takes from a told deed keeps that share).
    alternative: str | None = None
    event_share: float = 0.0


def bucket(ngram: str) -> int:
    """Hash bucket of an n-gram: stable across runs and platforms, unlike ``hash()``."""
    return zlib.crc32(ngram.encode("utf-8")) & ((1 << HASH_BITS) - 1)


def is_note_style(text: str) -> bool:
    """True for text written like an ACLED coder note, which opens with the event's full date."""
    return _NOTE_DATE.search(text[:60]) is not None


def word_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Word n-grams exactly as scikit-learn's ``CountVectorizer(analyzer="word")`` makes them."""
    tokens = _TOKEN.findall(text.lower())
    low, high = ngram_range
    ngrams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        if n == 2:  # the usual case, built without slicing
            ngrams.extend([first + " " + second for first, second in zip(tokens, tokens[1:])])
        else:
            ngrams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return ngrams


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams within padded words, exactly as scikit-learn's ``analyzer="char_wb"``."""
    ngrams = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        ngrams.extend(_word_char_ngrams(word, *ngram_range))
    return ngrams


def _word_char_ngrams(word: str, low: int, high: int) -> tuple[str, ...]:
    padded = f" {word} "
    size = len(padded)
    ngrams = []
    for n in range(low, high + 1):
        if size <= n:  # a short word counts once, whole, as scikit-learn does
            ngrams.append(padded)
            break
        ngrams += [padded[i:i + n] for i in range(size - n + 1)]
    return tuple(ngrams)


def cue_names(text: str, ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    """Names of the cue groups found in ``text``, each once (``ngram_range`` is not used)."""
    found = {name for entry in cue_entries(text.lower()) for name in _CUE_OF_ENTRY[entry]}
    return [f"cue:{name}" for name in sorted(found)]


def cue_entries(lowered: str) -> list[str]:
    """The cue entries in ``lowered``, left to right, the longest where several start at one place.

    The same as ``findall`` of one expression ``\\b(?:entry|...)`` of every entry, longest first,
    ten times faster: one Aho-Corasick pass finds every entry anywhere; those that start a word
    are taken left to right, the longest at each place, and a match is skipped past.

    >>> cue_entries("a car bomb and protesters")
    ['car bomb', 'protest']
    """
    matches = _CUE_AUTOMATON.find_matches_as_indexes(lowered, overlapping=True)
    if not matches:
        return []
    found, after = [], 0
    for index, start, end in sorted(matches, key=_leftmost_longest):
        if start < after or (start and _WORD_CHARACTER.match(lowered, start - 1)):
            continue
        found.append(_CUE_ENTRIES[index])
        after = end
    return found


def _leftmost_longest(match: tuple[int, int, int]) -> tuple[int, int]:
    return match[1], match[1] - match[2]


ANALYZERS = {"word": word_ngrams, "char_wb": char_wb_ngrams, "cue": cue_names}
_HASHED = {"word": word_ngram_buckets, "char_wb": char_wb_ngram_buckets}


@dataclass
class _Block:
    """One TF-IDF block of the feature vector."""

    kind: str
    ngram_range: tuple[int, int]
    weight: float
    offset: int  # the block's first column in the whole feature vector
    column_of_bucket: dict[int, int]  # column within the block
    idf: np.ndarray  # by column within the block

    def columns(self, text: str) -> list[int]:
        """Block columns of the text's n-grams, once per occurrence; unknown n-grams dropped.

        The plain reading of the features, one n-gram at a time: ``entries_many`` must agree with it.
        """
        lookup = self.column_of_bucket.get
        found = (lookup(bucket(ngram)) for ngram in ANALYZERS[self.kind](text, self.ngram_range))
        return [column for column in found if column is not None]

    def entries_many(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Text number and block column of every n-gram occurrence in the texts (unknown n-grams dropped).

        The same occurrences as ``columns`` text by text, gathered for the whole batch at once:
        word and character n-grams are hashed as arrays (``geo.ngram_hash``), with no cache to warm.
        """
        if self.kind in _HASHED:
            rows, buckets = _HASHED[self.kind](texts, self.ngram_range, HASH_BITS)
            found = self._column_of[buckets]
            known = found >= 0
            return rows[known], found[known].astype(np.int64)
        # The cue block: each cue group found counts once, as ``cue_names`` gives them.
        column_of_cue = self._column_of_cue
        per_text = [[column_of_cue[name] for name in set().union(*map(_CUE_OF_ENTRY.__getitem__,
                                                                      cue_entries(text.lower())))
                     if name in column_of_cue] for text in texts]
        rows = np.repeat(np.arange(len(texts)), [len(columns) for columns in per_text])
        return rows, np.fromiter(chain.from_iterable(per_text), dtype=np.int64, count=len(rows))

    @functools.cached_property
    def _column_of_cue(self) -> dict[str, int]:
        """The block column of each cue group the model knows."""
        found = {name: self.column_of_bucket.get(bucket(f"cue:{name}")) for name in EVENT_CUES}
        return {name: column for name, column in found.items() if column is not None}

    @functools.cached_property
    def _column_of(self) -> np.ndarray:
        """The block column of every bucket, -1 for a bucket no kept n-gram falls in."""
        columns = np.full(1 << HASH_BITS, -1, dtype=np.int32)
        columns[np.fromiter(self.column_of_bucket, dtype=np.int64)] = np.arange(len(self.column_of_bucket))
        return columns


class EventModel:
    """The fitted classifier: feature blocks, one weight matrix per text style, and the labels."""

    def __init__(self, arrays: dict[str, np.ndarray], header: dict):
        self.header = header
        self.labels: list[str] = header["labels"]
        self.temperature = float(header["temperature"])
        self.blocks, offset = [], 0
        for spec in header["blocks"]:
            buckets = arrays[f"{spec['name']}_buckets"]
            self.blocks.append(_Block(
                spec["kind"], tuple(spec["ngram_range"]), float(spec["weight"]), offset,
                dict(zip(buckets.tolist(), range(len(buckets)))),
                arrays[f"{spec['name']}_idf"].astype(np.float64)))
            offset += len(buckets)
        self.n_features = offset
        # Float16 on disk to keep the file small; float32 in memory for fast sums. Row-major: a text's
        # features pick rows, and a sparse product reads the matrix flat (a column-major one is copied).
        self.weights = {style: np.ascontiguousarray(arrays[f"weights_{style}"], dtype=np.float32)
                        for style in ("note", "news")}
        self.intercepts = {style: arrays[f"intercept_{style}"].astype(np.float64) for style in ("note", "news")}
        # Non-ACLED is learnt as CASE's five non-event classes, and reported as one.
        self.outputs = [NON_ACLED if label.startswith(NON_ACLED) else label for label in self.labels]
        self._is_non_acled = np.array([output == NON_ACLED for output in self.outputs])

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column numbers and values of the text's non-zero features."""
        columns, values = [], []
        for block in self.blocks:
            counts = Counter(block.columns(text))
            if not counts:
                continue
            block_columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            tfidf = tf * block.idf[block_columns]
            tfidf *= block.weight / math.sqrt(float(tfidf @ tfidf))
            columns.append(block_columns + block.offset)
            values.append(tfidf)
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    def scores(self, text: str) -> np.ndarray:
        """Decision score of every label (higher is likelier)."""
        style = "note" if is_note_style(text) else "news"
        columns, values = self.features(text)
        return values.astype(np.float32) @ self.weights[style][columns] + self.intercepts[style]

    def scores_many(self, texts: list[str]) -> np.ndarray:
        """Scores of many texts: the same as ``scores`` row by row, with the arithmetic batched."""
        note = np.array([is_note_style(text) for text in texts], dtype=bool)
        result = np.zeros((len(texts), len(self.labels)))
        for style, is_style in (("note", note), ("news", ~note)):
            mine = np.flatnonzero(is_style)
            if not len(mine):
                continue
            group = [texts[i] for i in mine] if len(mine) < len(texts) else texts
            scores = np.zeros((len(group), len(self.labels)), dtype=np.float32)
            weights = self.weights[style]
            for block, features in zip(self.blocks, self._block_features(group)):
                if features is not None:
                    # A sparse product: each entry adds its weight row once, with no (entries x labels) array.
                    scores += features @ weights[block.offset:block.offset + len(block.idf)]
            result[mine] = scores + self.intercepts[style]
        return result

    def _block_features(self, texts: list[str]) -> list[sparse.csr_matrix | None]:
        """Each block's TF-IDF rows of the texts, as sparse matrices (None for a block no text reaches)."""
        matrices = []
        for block in self.blocks:
            text_numbers, found = block.entries_many(texts)
            if not len(found):
                matrices.append(None)
                continue
            # One key per (text, column); counting the keys gives each text's term counts, sorted by text.
            width = len(block.idf)
            keys = text_numbers * width + found
            if len(texts) * width < 2 ** 31:
                keys = keys.astype(np.int32)  # sorted twice as fast as int64: the sort is the block's main cost
            keys.sort()
            firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
            counts = np.diff(np.append(firsts, len(keys)))
            rows, columns = np.divmod(keys[firsts].astype(np.int64), width)
            tfidf = (1.0 + np.log(counts)) * block.idf[columns]
            norms = np.sqrt(np.bincount(rows, tfidf * tfidf, minlength=len(texts)))
            # Float32 like the weights: the product stays in single precision, as in ``scores``.
            values = (tfidf * (block.weight / norms[rows])).astype(np.float32)
            starts = np.zeros(len(texts) + 1, dtype=np.int64)
            np.cumsum(np.bincount(rows, minlength=len(texts)), out=starts[1:])
            matrices.append(sparse.csr_matrix((values, columns, starts), shape=(len(texts), width)))
        return matrices

    def predict(self, scores: np.ndarray) -> Prediction:
        """The prediction for one row of scores."""
        return self.predict_many(scores[None, :])[0]

    def predict_many(self, scores: np.ndarray) -> list[Prediction]:
        """The prediction for each row of scores, with the arithmetic done for all rows at once."""
        best = scores.argmax(axis=1)
        probabilities = np.exp(self.temperature * (scores - scores.max(axis=1, keepdims=True)))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        non_acled = probabilities[:, self._is_non_acled].sum(axis=1)
        chosen = probabilities[np.arange(len(best)), best]
        runner_up = np.where(self._is_non_acled[None, :], -1.0, probabilities).argmax(axis=1)
        predictions = []
        for row, index in enumerate(best.tolist()):
            label = self.outputs[index]
            if label == NON_ACLED:
                predictions.append(Prediction(None, None, float(non_acled[row]), label,
                                              self.outputs[runner_up[row]], 1.0 - float(non_acled[row])))
            else:
                predictions.append(Prediction(SUB_EVENT_TYPES[label], label, float(chosen[row]), label))
        return predictions


_LOADED: dict[Path | str, EventModel] = {}


def load_model(path: Path | str | None = None) -> EventModel:
    """The classifier stored at ``path`` (default ``geo/resources/event_model.npz``), read once per process."""
    path = path or os.environ.get("NEWSMAP_EVENT_MODEL", DEFAULT_MODEL)
    model = _LOADED.get(path)  # by the name as given first: resolving it costs a file-system call per text
    if model is None:
        resolved = Path(path).resolve()
        model = _LOADED[path] = _LOADED.get(resolved) or read_model(resolved)
        _LOADED[resolved] = model
    return model


def read_model(path: Path | str) -> EventModel:
    """Read a model file without caching it."""
    path = Path(path)
    if not path.exists():
        raise EventModelError(f"{path}: no event model; run `python tools/train_event_model.py`")
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        header = json.loads(str(arrays.pop("header")))
    except (OSError, ValueError, KeyError) as error:
        raise EventModelError(f"{path}: unreadable event model ({error}); retrain it") from error
    if header.get("format") != MODEL_FORMAT:
        raise EventModelError(
            f"{path}: event model format {header.get('format')}, expected {MODEL_FORMAT}; retrain it")
    unknown = sorted({block["kind"] for block in header.get("blocks", [])} - set(ANALYZERS))
    if unknown:
        raise EventModelError(f"{path}: event model with feature kinds {', '.join(unknown)} that this newsmap "
                              "does not compute; retrain it")
    return EventModel(arrays, header)


NO_WORDS = Prediction(None, None, 1.0, NON_ACLED)


def classify(text: str) -> Prediction:
    """Event type of one text (a sentence, a paragraph or an ACLED note)."""
    if not _TOKEN.search(text):
        return NO_WORDS
    model = load_model()
    return model.predict(model.scores(text))


def classify_many(texts: list[str]) -> list[Prediction]:
    """Event types of many texts; the same answers as ``classify`` one by one, faster."""
    texts = list(texts)
    worded = [i for i, text in enumerate(texts) if _TOKEN.search(text)]
    predictions = [NO_WORDS] * len(texts)
    if worded:
        model = load_model()
        for i, prediction in zip(worded, model.predict_many(model.scores_many([texts[i] for i in worded]))):
            predictions[i] = prediction
    return predictions
