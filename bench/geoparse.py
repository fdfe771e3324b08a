"""Geoparsing benchmark: place recognition and resolution on gold news corpora (JSONL).

    python bench/geoparse.py [CORPUS.jsonl ...] [--gold-spans] [--json] [--misses N]

Each corpus line holds ``text``, gold ``toponyms`` (offsets, lat/lon, optional geonameid)
and ``unresolved`` spans that count neither for nor against.  Beside ours, in the same
run, the most-populous-candidate baseline on the same gazetteer and the same mentions.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import sys
import time
from pathlib import Path

from report import print_file

from geo import toponyms
from geo.gazetteer import distance_km, load
from geo.geocode import most_populous
from geo.outlets import outlet_of, resolve_by_outlet

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CORPORA = sorted((ROOT.parent / "shared" / "bench" / "geoparse").glob("*.jsonl"))
MAX_ERROR_KM = 20039.0  # half the Earth's circumference: the error of a missing answer


def read_corpus(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def auc(errors: list[float]) -> float | None:
    """Area under the sorted log(1 + error km) curve, scaled to [0, 1] (Gritta et al. 2018); lower is better."""
    if len(errors) < 2:
        return None
    logs = sorted(math.log(1 + e) / math.log(MAX_ERROR_KM) for e in errors)
    area = sum((a + b) / 2 for a, b in zip(logs, logs[1:]))
    return area / (len(logs) - 1)


def _error(place, gold) -> float:
    if place is None:
        return MAX_ERROR_KM
    return distance_km(place.latitude, place.longitude, gold["lat"], gold["lon"])


def evaluate(documents: list[dict], gazetteer, gold_spans: bool, misses: collections.Counter,
             kind_key: str) -> dict:
    """Score one corpus; fills ``misses`` with the gold kinds we got wrong."""
    true_positive = predicted = gold_total = 0
    errors, baseline_errors, exact, with_id, covered, within_with_id = [], [], 0, 0, 0, 0
    started = time.perf_counter()
    read = []
    for document in documents:
        text, gold = document["text"], document.get("toponyms") or []
        mentions = ([toponyms.mention_at(text, g["start"], g["end"], gazetteer) for g in gold] if gold_spans
                    else toponyms.find(text, gazetteer))
        read.append((outlet_of(document.get("url")), text, mentions))
    # The corpus is read as a batch, as the ingest reads one: an outlet's articles tell where it is.
    readings = resolve_by_outlet(read, gazetteer)
    seconds = time.perf_counter() - started
    for document, resolved in zip(documents, readings):
        text = document["text"]
        gold = document.get("toponyms") or []
        ignored = document.get("unresolved") or []

        if not gold_spans:
            counted = [r for r in resolved if not any(overlaps(r.mention.start, r.mention.end, u["start"], u["end"])
                                                      for u in ignored)]
            predicted += len(counted)
            true_positive += sum(1 for r in counted
                                 if any(overlaps(r.mention.start, r.mention.end, g["start"], g["end"]) for g in gold))
            gold_total += len(gold)
        for index, g in enumerate(gold):
            if gold_spans:
                match = resolved[index]
            else:
                match = next((r for r in resolved if overlaps(r.mention.start, r.mention.end, g["start"], g["end"])), None)
                if match is None:
                    continue
            error = _error(match.place, g)
            errors.append(error)
            baseline_errors.append(_error(most_populous(match.mention, gazetteer), g))
            if g.get("geonameid"):
                with_id += 1
                exact += int(match.place is not None and match.place.geonameid == g["geonameid"])
                within_with_id += int(error <= 161)
            if gold_spans and any(
                    distance_km(p.latitude, p.longitude, g["lat"], g["lon"]) <= 161
                    for p in (gazetteer.place(c >> 1) for c in match.mention.codes)):
                covered += 1
            if error > 161:
                misses[(g.get(kind_key) or "?", "no candidate" if match.place is None else "wrong pick")] += 1
    within = [e <= 161 for e in errors]
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / gold_total if gold_total else 0.0
    figures = {
        "recognition_precision": None if gold_spans else round(precision, 4),
        "recognition_recall": None if gold_spans else round(recall, 4),
        "recognition_f1": None if gold_spans else round(2 * precision * recall / (precision + recall), 4)
        if precision + recall else 0.0,
        "acc161": round(sum(within) / len(within), 4) if within else None,
        "median_km": round(sorted(errors)[len(errors) // 2], 1) if errors else None,
        "mean_km": round(sum(errors) / len(errors), 1) if errors else None,
        "auc": round(auc(errors), 4) if len(errors) > 1 else None,
        "exact_id": round(exact / with_id, 4) if with_id else None,
        # Over the toponyms GeoNames has (the ones with an id): streets and buildings left out.
        "acc161_with_id": round(within_with_id / with_id, 4) if with_id else None,
        "docs_per_s": round(len(documents) / seconds, 1) if seconds else None,
        "baseline_acc161": round(sum(e <= 161 for e in baseline_errors) / len(baseline_errors), 4)
        if baseline_errors else None,
    }
    if gold_spans:
        figures["coverage161"] = round(covered / len(errors), 4) if errors else None
    # Below the most-populous baseline of the same run, a rule of ours does harm on this corpus.
    figures["below_baseline"] = (figures["acc161"] is not None and figures["baseline_acc161"] is not None
                                 and figures["acc161"] < figures["baseline_acc161"])
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--gold-spans", action="store_true", help="resolve the gold spans (no recognition)")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    parser.add_argument("--misses", type=int, default=8, help="how many miss kinds to list per corpus")
    args = parser.parse_args(argv)
    if not args.corpora:
        parser.error("no corpus given and none found in ../shared/bench/geoparse/")

    started = time.perf_counter()
    gazetteer = load()
    load_seconds = time.perf_counter() - started
    results, all_misses = {}, {}
    for path in args.corpora:
        documents = read_corpus(path)
        misses = collections.Counter()
        kind_key = "fcode" if any("fcode" in g for d in documents[:50] for g in d.get("toponyms", [])) else "type"
        results[path.stem] = evaluate(documents, gazetteer, args.gold_spans, misses, kind_key)
        all_misses[path.stem] = misses
    if args.json:
        print(json.dumps(results))
        return 0
    mode = "gold spans (resolution only)" if args.gold_spans else "end to end (recognition + resolution)"
    print(f"newsmap geoparse benchmark, {mode}; gazetteer loaded in {load_seconds:.2f} s")
    for name, figures in results.items():
        ratio = (figures["acc161"] or 0) / figures["baseline_acc161"] if figures.get("baseline_acc161") else None
        print_file(name, figures, 24, ("acc161 / baseline", ratio),
                   ("most frequent misses (>161 km) by gold kind:", all_misses[name], args.misses),
                   lambda pair, count: f"{count:5d}  {pair[0]:22s} {pair[1]}")
    below = [name for name, figures in results.items() if figures["below_baseline"]]
    if below:
        print(f"\nBELOW THE MOST-POPULOUS BASELINE on {', '.join(below)}: find the rule that does it "
              "(--misses lists the worst kinds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
