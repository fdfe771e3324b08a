"""A bounded memo of a pure function applied to many keys at once (the recognizer's word keys).

A hot path looks up thousands of keys a call, most of them seen before: one pass of
``dict.get`` over all the keys, then the function for the keys not kept yet. The memo is
cleared whole when it outgrows its limit: memory stays bounded, and what recurs is soon
kept again.
"""

from __future__ import annotations

from collections.abc import Callable


def memo_map(cache: dict, keys: list, compute: Callable, limit: int) -> list:
    """``compute(key)`` for each key, taken from ``cache`` where kept; new answers are kept.

    ``compute`` must never return None: None marks a key not kept yet.

    >>> kept = {}
    >>> memo_map(kept, ["a", "bb", "a"], len, 10), kept
    ([1, 2, 1], {'a': 1, 'bb': 2})
    """
    found = list(map(cache.get, keys))
    if None not in found:  # the usual case once a corpus's words are kept: no scan in Python
        return found
    missing = [position for position, value in enumerate(found) if value is None]
    if missing:
        if len(cache) > limit:
            cache.clear()
        for position in missing:
            key = keys[position]
            value = cache.get(key)
            if value is None:
                value = cache[key] = compute(key)
            found[position] = value
    return found
