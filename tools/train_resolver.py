"""Fit the place ranker's weights on annotated corpora; print cross-corpus figures.

    python tools/train_resolver.py [CORPUS.jsonl ...] [--out data/resolver_weights.json]

For every gold toponym with several candidates, some of which lie within 161 km of the
gold point, a conditional logit (a softmax over that toponym's candidates) is fitted so
that the candidates within 161 km take the probability, with an L2 pull towards the
hand-set weights.  Only the weights are written: no text of the corpora.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from geo import paths, toponyms
from geo.gazetteer import distance_km, load
from geo.geocode import (
    FEATURES,
    HAND_SET,
    HAND_WEIGHTS,
    _container_after,
    _Context,
    candidate_features,
    load_weights,
)
from geo.outlets import outlet_of, resolve_by_outlet

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPORA = sorted((ROOT.parent / "shared" / "bench" / "geoparse").glob("*.jsonl"))


def candidate_rows(documents, gazetteer):
    """Feature rows, labels and group ids (one group per gold toponym) for the ranker."""
    rows, labels, groups = [], [], []
    for document in documents:
        _, text, mentions = _gold_mentions(document, gazetteer)
        gold = document.get("toponyms") or []
        # No outlet home here: it is hand-set (geo.geocode.HAND_SET), and the article's own
        # context is weighed as a lone article needs it.
        context = _Context(text, mentions, gazetteer, None)
        for position, (g, mention) in enumerate(zip(gold, mentions)):
            places = context.places[position]
            if len(places) < 2:
                continue
            distances = [distance_km(p.latitude, p.longitude, g["lat"], g["lon"]) for p in places]
            if min(distances) > 161 or max(distances) <= 161:
                continue  # nothing to learn where every candidate is right, or none is
            container = _container_after(text, position, mentions, gazetteer)
            group = groups[-1] + 1 if groups else 0
            for code, place, distance in zip(mention.codes, places, distances):
                rows.append(candidate_features(context, position, place, bool(code & 1), container))
                labels.append(1 if distance <= 161 else 0)
                groups.append(group)
    return np.array(rows), np.array(labels), np.array(groups)


def _gold_mentions(document: dict, gazetteer):
    """(outlet, text, mentions at the gold spans) of one annotated document."""
    text = document["text"]
    mentions = [toponyms.mention_at(text, g["start"], g["end"], gazetteer) for g in document.get("toponyms") or []]
    return outlet_of(document.get("url")), text, mentions


def fit(rows, labels, groups, c: float) -> dict:
    """Conditional logit: maximise the probability of the right candidates within each toponym."""
    start = np.array([HAND_WEIGHTS.get(name, 0.0) for name in FEATURES])
    trainable = np.array([name not in HAND_SET for name in FEATURES])
    boundaries = np.flatnonzero(np.diff(groups)) + 1
    starts = np.concatenate([[0], boundaries])

    def loss(weights):
        weights = np.where(trainable, weights, 0.0)
        scores = rows @ weights
        peak = np.maximum.reduceat(scores, starts)[np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(scores))))]
        exp = np.exp(scores - peak)
        total = np.add.reduceat(exp, starts)
        right = np.add.reduceat(exp * labels, starts)
        probability = exp / np.repeat(total, np.diff(np.append(starts, len(scores))))
        value = -np.sum(np.log(right / total)) + np.sum((weights - start) ** 2) / (2 * c)
        # Gradient: expected features under the model minus expected features over the right ones.
        share_right = np.where(labels == 1, exp / np.repeat(right, np.diff(np.append(starts, len(scores)))), 0.0)
        gradient = rows.T @ (probability - share_right) + (weights - start) / c
        return value, np.where(trainable, gradient, 0.0)

    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    return dict(zip(FEATURES, (float(w) for w in result.x)))


def _stack(prepared):
    """Concatenate several corpora's rows, keeping group ids distinct and contiguous."""
    offset, groups = 0, []
    for _, _, g in prepared:
        groups.append(g + offset)
        offset += (g.max() + 1) if len(g) else 0
    return np.vstack([p[0] for p in prepared]), np.concatenate([p[1] for p in prepared]), np.concatenate(groups)


def acc161(documents, gazetteer, weights) -> float:
    """Accuracy within 161 km on gold spans with the given weights (the benchmark's --gold-spans)."""
    hits = total = 0
    readings = resolve_by_outlet([_gold_mentions(d, gazetteer) for d in documents], gazetteer, weights=weights)
    for document, resolved in zip(documents, readings):
        for g, r in zip(document.get("toponyms") or [], resolved):
            total += 1
            hits += r.place is not None and distance_km(r.place.latitude, r.place.longitude, g["lat"], g["lon"]) <= 161
    return hits / total if total else 0.0


def with_fixed(weights: dict) -> dict:
    full = dict(load_weights())
    full.update(weights)
    for name in HAND_SET:
        full[name] = HAND_WEIGHTS[name]
    return full


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, default=paths.resource("resolver_weights.json"))
    parser.add_argument("-C", type=float, default=10.0, help="inverse strength of the pull to the hand-set weights")
    args = parser.parse_args(argv)
    gazetteer = load()
    corpora = {p.stem: [json.loads(line) for line in open(p, encoding="utf-8") if line.strip()] for p in args.corpora}
    prepared = {name: candidate_rows(docs, gazetteer) for name, docs in corpora.items()}

    print("cross-corpus check: fit on all corpora but one, score acc161 (gold spans) on the one left out")
    figures = {}
    hand = with_fixed({})
    for held_out in corpora:
        train = [prepared[n] for n in corpora if n != held_out]
        if not train:
            continue
        weights = fit(*_stack(train), args.C)
        figures[held_out] = {"fitted_elsewhere": round(acc161(corpora[held_out], gazetteer, with_fixed(weights)), 4),
                             "hand_weights": round(acc161(corpora[held_out], gazetteer, hand), 4)}
        print(f"  {held_out:12s} fitted on the others {figures[held_out]['fitted_elsewhere']:.4f}"
              f"   hand-set weights {figures[held_out]['hand_weights']:.4f}")
    weights = fit(*_stack(list(prepared.values())), args.C)
    args.out.write_text(json.dumps({
        "features": list(FEATURES), "weights": weights,
        "trained_on": {name: f"{len(docs)} documents, {int(prepared[name][1].sum())} ambiguous toponyms"
                       for name, docs in corpora.items()},
        "cross_corpus_acc161": figures, "C": args.C,
    }, indent=1), encoding="utf-8")
    print(f"weights of {len(FEATURES)} features written to {args.out}")
    for name, value in sorted(weights.items(), key=lambda kv: -abs(kv[1])):
        print(f"  {name:18s} {value:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
