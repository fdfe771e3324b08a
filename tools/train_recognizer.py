"""Fit the place recognizer's weights on annotated corpora; print cross-corpus F1.

    python tools/train_recognizer.py [CORPUS.jsonl ...] [--out data/recognizer_weights.json]

Every candidate name the gazetteer finds is a row (``geo.toponyms.RECOGNIZER_FEATURES``);
it is a place when it overlaps a gold toponym, and rows on the corpus' ``unresolved``
spans are left out.  A logistic regression is fitted and its decision threshold chosen
for F1.  Only weights are written: no text of the corpora.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from geo import paths
from geo.gazetteer import load
from geo.toponyms import RECOGNIZER_FEATURES, candidates

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPORA = sorted((ROOT.parent / "shared" / "bench" / "geoparse").glob("*.jsonl"))


@dataclass
class Prepared:
    """One corpus' candidates: the scored ones as rows and labels; the ones kept by rule as counts."""

    rows: np.ndarray
    labels: np.ndarray
    gold_total: int
    ruled_kept: int = 0  # names the gazetteer lacks, kept by rule ("in Ruramba"): no features, no score
    ruled_right: int = 0


def rows_of(documents, gazetteer) -> Prepared:
    """Feature rows and labels of every scored candidate, and each corpus' count of gold toponyms."""
    rows, labels, gold_total, ruled_kept, ruled_right = [], [], 0, 0, 0
    for document in documents:
        gold, ignored = document.get("toponyms") or [], document.get("unresolved") or []
        gold_total += len(gold)
        for mention, features in candidates(document["text"], gazetteer):
            def overlaps(span, mention=mention):
                return span["start"] < mention.end and mention.start < span["end"]
            if any(overlaps(u) for u in ignored):
                continue
            right = int(any(overlaps(g) for g in gold))
            if not features:
                ruled_kept, ruled_right = ruled_kept + 1, ruled_right + right
                continue
            rows.append(features)
            labels.append(right)
    return Prepared(np.array(rows), np.array(labels), gold_total, ruled_kept, ruled_right)


def f1_at(model, corpus: Prepared, threshold) -> float:
    """Span F1 as the benchmark counts it (recall against all gold toponyms, found or not)."""
    kept = model.predict_proba(corpus.rows)[:, 1] >= threshold
    true_positive = int((kept & (corpus.labels == 1)).sum()) + corpus.ruled_right
    kept_total = int(kept.sum()) + corpus.ruled_kept
    precision = true_positive / kept_total if kept_total else 0.0
    recall = true_positive / corpus.gold_total if corpus.gold_total else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def fit(rows, labels, c):
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(rows, labels)
    return model


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, default=paths.resource("recognizer_weights.json"))
    parser.add_argument("-C", type=float, default=1.0)
    args = parser.parse_args(argv)
    gazetteer = load()
    prepared = {}
    for path in args.corpora:
        documents = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
        prepared[path.stem] = rows_of(documents, gazetteer)
    thresholds = np.arange(0.2, 0.8, 0.02)

    print("cross-corpus check: fit on the other corpora, F1 on the one left out (threshold fitted there too)")
    figures = {}
    for held_out, corpus in prepared.items():
        others = [p for n, p in prepared.items() if n != held_out]
        if not others:
            continue
        model = fit(np.vstack([o.rows for o in others]), np.concatenate([o.labels for o in others]), args.C)
        best_other = max(thresholds, key=lambda t: sum(f1_at(model, o, t) for o in others))
        score = f1_at(model, corpus, best_other)
        figures[held_out] = round(score, 4)
        print(f"  {held_out:12s} F1 {score:.4f} (threshold {best_other:.2f})")

    rows = np.vstack([p.rows for p in prepared.values()])
    labels = np.concatenate([p.labels for p in prepared.values()])
    model = fit(rows, labels, args.C)
    threshold = max(thresholds, key=lambda t: sum(f1_at(model, p, t) for p in prepared.values()))
    for name, corpus in prepared.items():
        print(f"  {name:12s} F1 {f1_at(model, corpus, threshold):.4f} fitted on all")
    args.out.write_text(json.dumps({
        "features": list(RECOGNIZER_FEATURES),
        "weights": dict(zip(RECOGNIZER_FEATURES, (round(float(w), 5) for w in model.coef_[0]))),
        "bias": float(model.intercept_[0]), "threshold": round(float(threshold), 3),
        "trained_on": {name: f"{len(p.labels)} candidate names" for name, p in prepared.items()},
        "cross_corpus_f1": figures, "C": args.C,
    }, indent=1), encoding="utf-8")
    print(f"written to {args.out} (threshold {threshold:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
