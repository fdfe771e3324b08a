"""CRC-32 buckets of every word and character n-gram of many texts, computed as array operations.

The event classifier's features are hashed n-grams (``geo.event_model.bucket``: CRC-32 of the
n-gram's UTF-8 bytes). Hashing them one Python string at a time was most of the classifier's
cost, and a cache of n-grams only helps once a corpus's words have been seen. Here the
n-grams of a whole batch are hashed together: the texts' words are laid end to end in one
buffer, every n-gram is a span of it, and the table-driven CRC-32 advances all spans one byte
per step. The buckets are the same as ``zlib.crc32``'s, whatever the text.

>>> import zlib
>>> rows, buckets = word_ngram_buckets(["Shelling hit Homs"], (1, 2), 20)
>>> buckets.tolist() == [zlib.crc32(g.encode()) & 0xFFFFF for g in ["shelling", "hit", "homs", "shelling hit", "hit homs"]]
True
"""

from __future__ import annotations

import re

import numpy as np

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token rule


def _crc_table() -> np.ndarray:
    # zlib's reflected polynomial; one entry per byte value.
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1).astype(np.uint32)
    return table


_TABLE = _crc_table()
_START = np.uint32(0xFFFFFFFF)


def _step(state: np.ndarray, byte: np.ndarray) -> np.ndarray:
    """The CRC-32 register after one more byte, for every register at once."""
    return _TABLE[(state ^ byte) & 0xFF] ^ (state >> 8)


def span_crcs(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``zlib.crc32`` of each byte span ``buffer[start:end]``, as uint32."""
    lengths = ends - starts
    # Longest first: the spans still running at step k are then a prefix, and the step works on a slice.
    order = np.argsort(-lengths, kind="stable")
    starts, lengths = starts[order], lengths[order]
    state = np.full(len(starts), _START, dtype=np.uint32)
    running = np.searchsorted(-lengths, -np.arange(1, int(lengths[0]) + 1 if len(lengths) else 1), side="right")
    for k, count in enumerate(running.tolist()):
        state[:count] = _step(state[:count], buffer[starts[:count] + k])
    crcs = np.empty_like(state)
    crcs[order] = ~state
    return crcs


def word_ngram_buckets(texts: list[str], ngram_range: tuple[int, int], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Text number and bucket of every word n-gram (``CountVectorizer(analyzer="word")``'s) of the texts."""
    tokens_of_text = [TOKEN.findall(text.lower()) for text in texts]
    counts = np.array([len(tokens) for tokens in tokens_of_text], dtype=np.int64)
    if not counts.sum():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # Tokens hold no space, so the spaces of the joined tokens mark where each token starts and ends,
    # and an n-gram "a b" is the span from its first token's start to its last token's end.
    joined = " ".join([" ".join(tokens) for tokens in tokens_of_text if tokens])
    buffer = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    spaces = np.flatnonzero(buffer == 32)
    token_starts = np.concatenate(([0], spaces + 1))
    token_ends = np.concatenate((spaces, [len(buffer)]))
    text_of_token = np.repeat(np.arange(len(texts)), counts)
    rows, starts, ends = [], [], []
    low, high = ngram_range
    for n in range(low, high + 1):
        count = len(token_starts) - n + 1
        whole = np.flatnonzero(text_of_token[:count] == text_of_token[n - 1:n - 1 + count])  # within one text
        rows.append(text_of_token[whole])
        starts.append(token_starts[whole])
        ends.append(token_ends[whole + n - 1])
    starts, ends = np.concatenate(starts), np.concatenate(ends)
    mask = (1 << bits) - 1
    return np.concatenate(rows), (span_crcs(buffer, starts, ends) & mask).astype(np.int64)


def char_wb_ngram_buckets(texts: list[str], ngram_range: tuple[int, int], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Text number and bucket of every character n-gram within padded words (``analyzer="char_wb"``)."""
    words_of_text = [text.lower().split() for text in texts]
    counts = np.array([len(words) for words in words_of_text], dtype=np.int64)
    if not counts.sum():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # " w1  w2 " is the padded words " w1 " and " w2 " end to end: a padded word starts at a space
    # that opens the buffer or follows a space (words hold none).
    joined = " " + "  ".join(["  ".join(words) for words in words_of_text if words]) + " "
    buffer = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    chars = np.flatnonzero((buffer & 0xC0) != 0x80)  # where each character's bytes start
    size = len(chars)
    is_space = buffer[chars] == 32
    opens = is_space.copy()
    opens[1:] &= is_space[:-1]
    word_of_char = np.cumsum(opens) - 1
    text_of_word = np.repeat(np.arange(len(texts)), counts)
    widths = np.diff(np.append(chars, len(buffer)))
    wide = np.flatnonzero(widths > 1)  # characters of several bytes: few, in most news
    # Each window's register is carried forward one character at a time, so a 5-gram costs one step
    # more than the 4-gram it extends; a character of several bytes takes one step per byte.
    low, high = ngram_range
    state = np.full(size, _START, dtype=np.uint32)
    rows, buckets = [], []
    mask = (1 << bits) - 1
    for n in range(1, high + 1):
        count = size - n + 1  # windows of n characters
        if count <= 0:
            break
        state = _step(state[:count], buffer[chars[n - 1:n - 1 + count]])
        if len(wide):
            adds = wide[(wide >= n - 1) & (wide < n - 1 + count)]  # a wide character, added at this step
            for k in range(1, int(widths[adds].max(initial=1))):
                adds = adds[widths[adds] > k]
                windows = adds - (n - 1)
                state[windows] = _step(state[windows], buffer[chars[adds] + k])
        if n >= low:
            whole = np.flatnonzero(word_of_char[:count] == word_of_char[n - 1:n - 1 + count])
            rows.append(text_of_word[word_of_char[whole]])
            buckets.append(((~state[whole]) & mask).astype(np.int64))
    return np.concatenate(rows), np.concatenate(buckets)
