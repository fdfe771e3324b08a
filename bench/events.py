"""Event benchmark: ACLED-style events from human-coded records (JSONL).

    python bench/events.py [FILE.jsonl ...] [--json] [--confusions N]

Each record's ``text`` goes through the same pipeline as the dashboard
(``geo.pipeline.process_article``); its main event (the most confident one) is compared
with the gold ``event_type``, ``sub_event_type``, ``date``, ``fatalities`` and point.
"Non-ACLED" gold records should yield no event.  Beside ours, in the same run: the
majority class and a keyword rule.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import re
import sys
import time
from pathlib import Path

from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import events as event_stage  # noqa: E402
from geo.articles import from_record  # noqa: E402
from geo.gazetteer import distance_km, load  # noqa: E402
from geo.pipeline import process_article  # noqa: E402

DEFAULT_FILES = sorted((ROOT.parent / "shared" / "bench" / "events").glob("*.jsonl"))
NONE = "Non-ACLED"

# The keyword baseline: the first rule that matches decides.
KEYWORD_RULES = (
    ("Protests", r"\b(protest|demonstrat|rall(y|ied)|march(ed|ers)|sit-in|strike)"),
    ("Riots", r"\b(riot|mob|looted|torched|clashed with police|stone|vandali)"),
    ("Explosions/Remote violence", r"\b(bomb|shell|airstrike|air strike|drone|IED|explo|missile|rocket|mortar|grenade|artillery)"),
    ("Battles", r"\b(clash|fight|battle|exchange of fire|ambush|gunfight|offensive|captured|retook)"),
    ("Violence against civilians", r"\b(killed|abduct|kidnap|murder|shot dead|rape|tortur|assault)"),
    ("Strategic developments", r"\b(arrest|agreement|ceasefire|seized|deploy|recruit|looting)"),
)


def keyword_type(text: str) -> str:
    for event_type, pattern in KEYWORD_RULES:
        if re.search(pattern, text, re.I):
            return event_type
    return NONE


def main_event(result):
    """The record's main event: the most confident one, or None."""
    if not result.events:
        return None
    return max(result.events, key=lambda e: e.confidence)


def score_file(path: Path, gazetteer) -> tuple[dict, collections.Counter]:
    records = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    gold_types, ours, baseline = [], [], []
    gold_subs, our_subs = [], []
    date_hits, fatal_exact, fatal_near, place25, place161 = [], [], [], [], []
    nonevent = []
    confusions = collections.Counter()
    pipeline_seconds = event_seconds = 0.0
    for record in records:
        article = from_record({"id": record.get("id"), "text": record["text"]}, str(record.get("id")))
        started = time.perf_counter()
        result = process_article(article, gazetteer)
        pipeline_seconds += time.perf_counter() - started
        started = time.perf_counter()
        event_stage.extract(article, result.places, gazetteer)
        event_seconds += time.perf_counter() - started
        event = main_event(result)
        gold_type = record["event_type"]
        predicted = event.event_type if event else NONE
        gold_types.append(gold_type)
        ours.append(predicted)
        baseline.append(keyword_type(record["text"]))
        gold_subs.append(record["sub_event_type"] if gold_type != NONE else NONE)
        our_subs.append(event.sub_event_type if event else NONE)
        if gold_type != predicted:
            confusions[(gold_type, predicted)] += 1
        if gold_type == NONE:
            nonevent.append(event is None)
            continue
        if record.get("date"):
            date_hits.append(event is not None and event.event_date == record["date"])
        if record.get("fatalities") is not None:
            value = event.fatalities if event is not None and event.fatalities is not None else 0
            fatal_exact.append(value == record["fatalities"])
            fatal_near.append(abs(value - record["fatalities"]) <= 1)
        if record.get("lat") is not None and record.get("lon") is not None:
            if event is not None and not math.isnan(event.latitude):
                distance = distance_km(event.latitude, event.longitude, record["lat"], record["lon"])
            else:
                distance = math.inf
            place25.append(distance <= 25)
            place161.append(distance <= 161)
    acled = [i for i, g in enumerate(gold_types) if g != NONE]
    labels = sorted({gold_types[i] for i in acled})
    majority = collections.Counter(gold_types).most_common(1)[0][0]

    def share(values):
        return round(sum(values) / len(values), 4) if values else None

    def macro(gold, predicted, which):
        return round(f1_score(gold, predicted, labels=which, average="macro", zero_division=0), 4)

    figures = {
        "type_accuracy": round(sum(g == p for g, p in zip(gold_types, ours)) / len(records), 4),
        "type_macro_f1": macro(gold_types, ours, labels),
        "subtype_macro_f1": macro(gold_subs, our_subs, sorted(set(gold_subs))),
        "subtype_weighted_f1": round(f1_score(gold_subs, our_subs, labels=sorted(set(gold_subs)),
                                              average="weighted", zero_division=0), 4),
        "date_exact": share(date_hits),
        "fatalities_exact": share(fatal_exact),
        "fatalities_within1": share(fatal_near),
        "place_25km": share(place25),
        "place_161km": share(place161),
        "nonevent_rejected": share(nonevent),
        "records_per_s": round(len(records) / pipeline_seconds, 1),
        "event_stage_records_per_s": round(len(records) / event_seconds, 1),
        "baseline_type_macro_f1": macro(gold_types, baseline, labels),
        "majority_type_macro_f1": macro(gold_types, [majority] * len(gold_types), labels),
        "records": len(records),
    }
    return figures, confusions


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    parser.add_argument("--confusions", type=int, default=8, help="how many confusions to list per file")
    args = parser.parse_args(argv)
    if not args.files:
        parser.error("no file given and none found in ../shared/bench/events/")
    gazetteer = load()
    results, confusions = {}, {}
    for path in args.files:
        results[path.stem], confusions[path.stem] = score_file(path, gazetteer)
    if args.json:
        print(json.dumps(results))
        return 0
    print("newsmap event benchmark (main event per record, same pipeline as the dashboard)")
    for name, figures in results.items():
        print(f"\n{name}")
        for key, value in figures.items():
            print(f"  {key:28s} {value}")
        if figures["baseline_type_macro_f1"]:
            print(f"  {'type macro F1 / keyword rule':28s} {figures['type_macro_f1'] / figures['baseline_type_macro_f1']:.2f}")
        print("  most frequent confusions (gold -> ours):")
        for (gold, ours), count in confusions[name].most_common(args.confusions):
            print(f"    {count:5d}  {gold} -> {ours}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
