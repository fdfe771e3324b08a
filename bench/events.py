"""Event benchmark: ACLED-style events from human-coded records (JSONL).

    python bench/events.py [FILE.jsonl ...] [--json] [--confusions N]

Each record's ``text`` goes through the same pipeline as the dashboard
(``geo.pipeline.process_article``); its main event (the most confident one) is compared
with the gold ``event_type``, ``sub_event_type``, ``date``, ``fatalities`` and point.
"Non-ACLED" gold records should yield no event.  Beside ours, in the same run: the
majority class and a keyword rule.

The shipped classifier was fitted on the development files, so on them the type figures
are in-sample.  ``--cross-validate K`` refits the classifier K times (tools/ is needed,
with scikit-learn), each time scoring the pipeline on the fold it did not see: the honest
figures for unseen records.
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

from report import print_file
from sklearn.metrics import f1_score

from geo import events as event_stage
from geo.actors import normalise_actor
from geo.articles import from_record
from geo.gazetteer import distance_km, load
from geo.pipeline import process_article

ROOT = Path(__file__).resolve().parent.parent

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


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def score_file(path: Path, gazetteer, records: list[dict] | None = None) -> tuple[dict, collections.Counter]:
    records = read_records(path) if records is None else records
    gold_types, ours, baseline = [], [], []
    gold_subs, our_subs = [], []
    date_hits, fatal_exact, fatal_near, place25, place161 = [], [], [], [], []
    nonevent = []
    actor1_hits, actor2_hits = [], []
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
        if record.get("actor1"):
            actor1_hits.append(event is not None and normalise_actor(event.actor1) == normalise_actor(record["actor1"]))
        if record.get("actor2"):
            actor2_hits.append(event is not None and normalise_actor(event.actor2) == normalise_actor(record["actor2"]))
        # Many older notes give no year ("On 9 Dec, in Beruwala DS..."): their date is scored only where
        # the text states it.
        if record.get("date") and record["date"][:4] in record["text"]:
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
        "actor1_match": share(actor1_hits),
        "actor2_match": share(actor2_hits),
        "records_per_s": round(len(records) / pipeline_seconds, 1),
        "event_stage_records_per_s": round(len(records) / event_seconds, 1),
        "baseline_type_macro_f1": macro(gold_types, baseline, labels),
        "majority_type_macro_f1": macro(gold_types, [majority] * len(gold_types), labels),
        "records": len(records),
    }
    return figures, confusions


def cross_validated(paths: list[Path], gazetteer, folds: int) -> tuple[dict, dict]:
    """Score every record with a classifier fitted on the other folds of all files pooled.

    Returns the figures and the type confusions of each file.
    """
    import os
    import tempfile

    import numpy as np

    from geo import event_model

    training = _training_script()

    # The shipped model's calibration stands in for each fold's: refitting it is the training script's job.
    temperature = event_model.load_model().header["temperature"]

    pooled = [(path, record) for path in paths for record in read_records(path)]
    labels = np.array([r["sub_event_type"] if r["event_type"] != NONE else f"{NONE}: {r['sub_event_type']}"
                       for _, r in pooled])
    # Stratified by file and label, like the training script's own folds.
    fold_of = np.zeros(len(pooled), dtype=int)
    seen = collections.Counter()
    for index, ((path, _), label) in enumerate(zip(pooled, labels)):
        stratum = (path.stem, label)
        fold_of[index] = seen[stratum] % folds
        seen[stratum] += 1
    results = {path.stem: collections.defaultdict(list) for path in paths}
    confusions = {path.stem: collections.Counter() for path in paths}
    with tempfile.TemporaryDirectory() as folder:
        for fold in range(folds):
            train = np.flatnonzero(fold_of != fold)
            model = training.fit_model([pooled[i][1]["text"] for i in train], labels[train], training.CHOSEN)
            seen_records = training.Records([pooled[i][1]["text"] for i in train], labels[train],
                                   np.array([pooled[i][0].stem for i in train]), {"fold": int(len(train))})
            model_path = training.write_model(Path(folder) / f"fold{fold}.npz", training.export_weights(model),
                                              training.header(model, seen_records, temperature, None))
            os.environ["NEWSMAP_EVENT_MODEL"] = str(model_path)
            held = [i for i in range(len(pooled)) if fold_of[i] == fold]
            for path in paths:
                part = [pooled[i][1] for i in held if pooled[i][0] == path]
                figures, confused = score_file(path, gazetteer, part)
                results[path.stem]["folds"].append((len(part), figures))
                confusions[path.stem] += confused
            event_model._LOADED.clear()
        os.environ.pop("NEWSMAP_EVENT_MODEL", None)
    # Figures over the folds, weighted by the records each fold held.
    combined = {}
    for name, found in results.items():
        total = sum(n for n, _ in found["folds"])
        keys = found["folds"][0][1].keys()
        combined[name] = {key: (round(sum(n * f[key] for n, f in found["folds"] if f[key] is not None) / total, 4)
                                if all(f[key] is not None for _, f in found["folds"]) else None)
                          for key in keys if key != "records"}
        combined[name]["records"] = total
    return combined, confusions


def _training_script():
    """tools/train_event_model.py, loaded by its path: the folds are fitted as the shipped model was."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_event_model", ROOT / "tools" / "train_event_model.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    parser.add_argument("--confusions", type=int, default=8, help="how many confusions to list per file")
    parser.add_argument("--cross-validate", type=int, metavar="K", default=0,
                        help="refit the classifier K times and score each record unseen (slow: minutes)")
    args = parser.parse_args(argv)
    if not args.files:
        parser.error("no file given and none found in ../shared/bench/events/")
    gazetteer = load()
    results, confusions = {}, {}
    if args.cross_validate:
        results, confusions = cross_validated(args.files, gazetteer, args.cross_validate)
    for path in args.files if not args.cross_validate else ():
        results[path.stem], confusions[path.stem] = score_file(path, gazetteer)
    if args.json:
        print(json.dumps(results))
        return 0
    print("newsmap event benchmark (main event per record, same pipeline as the dashboard)")
    for name, figures in results.items():
        baseline = figures["baseline_type_macro_f1"]
        print_file(name, figures, 28, ("type macro F1 / keyword rule", baseline and figures["type_macro_f1"] / baseline),
                   ("most frequent confusions (gold -> ours):", confusions[name], args.confusions),
                   lambda pair, count: f"{count:5d}  {pair[0]} -> {pair[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
