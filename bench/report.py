"""How the benchmarks print a file's figures: one aligned block per file, then its worst cases."""

from __future__ import annotations

from collections import Counter


def print_file(name: str, figures: dict, width: int, ratio: tuple[str, float | None] | None = None,
               tally: tuple[str, Counter, int] | None = None, row=lambda key, count: f"{count:5d}  {key}") -> None:
    """``figures`` of file ``name``; ``ratio`` (label, value) beside them; ``tally`` (heading, counter, rows)."""
    print(f"\n{name}")
    for key, value in figures.items():
        print(f"  {key:{width}s} {value}")
    if ratio and ratio[1]:
        print(f"  {ratio[0]:{width}s} {ratio[1]:.3f}")
    if tally:
        heading, counter, most = tally
        print(f"  {heading}")
        for key, count in counter.most_common(most):
            print(f"    {row(key, count)}")
