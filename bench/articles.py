"""Article benchmark: the events of whole news articles against events coded by people (JSONL).

    python bench/articles.py [FILE.jsonl ...] [--json] [--limit N] [--misses N]

Each record becomes an ``Article`` (title and dateline kept, so dates resolve) and goes
through ``geo.pipeline.process_chunk`` as the ingest runs it.  Scoring rules:

- A prediction may match a gold event when its type is in ``types_accepted`` (null: type not
  scored) and its point lies within 161 km of the gold point, or, for a gold event without a
  point, its country is the gold country.  Matching is one-to-one, the most matches first,
  then the least distance (an assignment, not greedy).
- ``event_recall``: matched gold events / (gold events not ``optional`` + optional ones matched):
  an unmatched optional event is no miss, a matched one is a hit.
- A prediction without fatalities counts as 0 dead (as bench/events.py does); gold null is not scored.
- Files with one incident per article (95% or more of the relevant articles carry exactly one
  gold event) also score each article's main event, the first it reports (the lead's: newsmap
  gives events in the order the article first tells them), against the nearest of its gold
  events; an article without event is a miss.
- The baseline, in the same run: one event per article at its first resolved place (by offset),
  type not scored.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from geo.articles import from_record
from geo.errors import ArticleError
from geo.gazetteer import COUNTRY, distance_km, load
from geo.pipeline import process_chunk, warm_up

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_FILES = sorted((ROOT.parent / "shared" / "bench" / "articles").glob("*.jsonl"))
CHUNK = 64
NEAR_KM, PLACE_KM = 161, 25
ONE_INCIDENT_SHARE = 0.95  # FA-KES codes one article twice (two governorates): one such record must not flip the file
FIGURES = ("nonrelevant_no_event", "relevant_with_event", "events_per_relevant_article",
           "gold_events_per_relevant_article", "event_recall", "matched_place_25km", "matched_date_exact",
           "matched_fatalities_exact", "main_place_25km", "main_place_161km", "main_date_exact",
           "main_fatalities_exact", "articles_per_s", "baseline_main_place_25km")
NO_MATCH = 1e6  # the cost of a forbidden pair: larger than any sum of allowed costs


def warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Point:
    """Where an event is, as far as scoring goes: the pipeline's ``Event`` and the baseline both give one."""

    event_type: str | None
    latitude: float
    longitude: float
    iso: str | None
    country: str | None = None


def read_records(path: Path, limit: int | None = None) -> list[dict]:
    """The file's records with a text; bad lines reported on stderr and skipped."""
    records = []
    with open(path, encoding="utf-8") as lines:  # not splitlines(): texts may hold U+2028
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                warn(f"{path.name}:{number}: skipped, not JSON ({exc})")
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                warn(f"{path.name}:{number}: skipped, not an object with a 'text'")
                continue
            record.setdefault("events", [])
            records.append(record)
            if limit is not None and len(records) >= limit:
                break
    return records


def run_pipeline(records: list[dict]) -> tuple[list, float]:
    """Each record's ``ChunkItem`` (None where it could not be read), and the pipeline's seconds."""
    items = []
    started = time.perf_counter()
    for first in range(0, len(records), CHUNK):
        articles, readable = [], []
        for index, record in enumerate(records[first:first + CHUNK], first):
            fields = {key: record.get(key) for key in ("id", "text", "title", "published")}
            try:
                articles.append(from_record(fields, str(record.get("id") or index)))
                readable.append(True)
            except ArticleError as exc:
                warn(f"record {record.get('id')}: skipped, {exc}")
                readable.append(False)
        done = iter(process_chunk(articles))
        items += [next(done) if ok else None for ok in readable]
    seconds = time.perf_counter() - started
    for record, item in zip(records, items):
        if item is not None and item.error:
            warn(f"record {record.get('id')}: the pipeline failed ({item.error})")
    return items, seconds


def baseline_events(places: list[dict]) -> list[Point]:
    """One event at the first resolved place of the text, or none."""
    located = [p for p in places if p["latitude"] is not None]
    if not located:
        return []
    first = min(located, key=lambda p: p["start"])
    return [Point(None, first["latitude"], first["longitude"], first["country_code"])]


def country_code(name: str | None, gazetteer) -> str | None:
    """ISO code of a country as the gold names it, through the gazetteer's spellings ("Côte d'Ivoire")."""
    if not name:
        return None
    codes = {p.country_code for p in gazetteer.candidates(name) if p.kind == COUNTRY}
    return codes.pop() if len(codes) == 1 else None


def has_point(event) -> bool:
    return event.latitude is not None and not math.isnan(event.latitude)


def gold_distance(predicted, gold: dict) -> float:
    """Kilometres between a prediction and a gold event with a point; inf when the prediction has none."""
    if not has_point(predicted):
        return math.inf
    return distance_km(predicted.latitude, predicted.longitude, gold["lat"], gold["lon"])


def match_cost(predicted, gold: dict, gazetteer, score_type: bool = True) -> float | None:
    """The cost of pairing a prediction with a gold event (0 to 1, nearer is cheaper), or None if they cannot pair."""
    accepted = gold.get("types_accepted")
    if score_type and accepted is not None and predicted.event_type not in accepted:
        return None
    if gold.get("lat") is not None and gold.get("lon") is not None:
        distance = gold_distance(predicted, gold)
        return distance / NEAR_KM if distance <= NEAR_KM else None
    gold_code = country_code(gold.get("country"), gazetteer)
    if gold_code is not None:
        same = predicted.iso is not None and predicted.iso.upper() == gold_code
    else:  # a country the gazetteer does not know by that name: compare the names
        same = bool(gold.get("country")) and (predicted.country or "").casefold() == gold["country"].casefold()
    return 1.0 if same else None


def match(predicted: list, golds: list[dict], gazetteer, score_type: bool = True) -> dict[int, object]:
    """One-to-one pairs, as {gold index: prediction}: the most pairs, then the least cost."""
    if not predicted or not golds:
        return {}
    costs = np.full((len(golds), len(predicted)), NO_MATCH)
    for g, gold in enumerate(golds):
        for p, event in enumerate(predicted):
            cost = match_cost(event, gold, gazetteer, score_type)
            if cost is not None:
                costs[g, p] = cost
    rows, cols = linear_sum_assignment(costs)
    return {g: predicted[p] for g, p in zip(rows, cols) if costs[g, p] < NO_MATCH}


def main_event(events: list):
    """The first event the article reports (its lead's), or None."""
    return events[0] if events else None


def share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def is_one_incident(records: list[dict]) -> bool:
    """Whether nearly every relevant article reports exactly one gold event (FA-KES), so a main event is scored."""
    relevant = [r for r in records if r.get("relevant") is True]
    return bool(relevant) and sum(len(r["events"]) == 1 for r in relevant) >= ONE_INCIDENT_SHARE * len(relevant)


def nearest_gold(event, golds: list[dict]) -> tuple[dict, float]:
    """The gold event nearest to ``event`` (the first when none has a point) and its distance."""
    with_point = [g for g in golds if g.get("lat") is not None and g.get("lon") is not None]
    if not with_point:
        return golds[0], math.inf
    distances = [gold_distance(event, g) if event is not None else math.inf for g in with_point]
    best = int(np.argmin(distances))
    return with_point[best], distances[best]


def recall_tally(predicted: list, golds: list[dict], gazetteer, score_type: bool = True) -> tuple[int, int, dict]:
    """Hits, the golds that count, and the pairs of one article."""
    pairs = match(predicted, golds, gazetteer, score_type)
    counted = sum(1 for g, gold in enumerate(golds) if not gold.get("optional") or g in pairs)
    return len(pairs), counted, pairs


def fatalities_of(event) -> int:
    return event.fatalities if event is not None and event.fatalities is not None else 0


def score_file(records: list[dict], items: list, seconds: float, gazetteer) -> tuple[dict, dict, list[dict]]:
    """The figures of one file, extra figures for the text table, and the misses (most confident first)."""
    quiet, found, ours_n, gold_n = [], [], [], []
    hits = counted = base_hits = base_counted = 0
    place25, date_ok, fatal_ok = [], [], []
    main25, main161, main_date, main_fatal, base25, base161 = [], [], [], [], [], []
    misses = []
    one_incident = is_one_incident(records)
    for record, item in zip(records, items):
        if item is None:
            continue
        events, golds = item.events, record["events"]
        if record.get("relevant") is False:
            quiet.append(not events)
            if events:
                misses.append({"id": record["id"], "why": "events in a non-relevant article",
                               "event": main_event(events), "gold": None})
            continue
        if record.get("relevant") is not True:
            continue
        found.append(bool(events))
        ours_n.append(len(events))
        gold_n.append(len(golds))
        baseline = baseline_events(item.places)
        n_hits, n_counted, pairs = recall_tally(events, golds, gazetteer)
        hits, counted = hits + n_hits, counted + n_counted
        n_hits, n_counted, _ = recall_tally(baseline, golds, gazetteer, score_type=False)
        base_hits, base_counted = base_hits + n_hits, base_counted + n_counted
        for g, event in pairs.items():
            gold = golds[g]
            if gold.get("lat") is not None and gold.get("lon") is not None:
                place25.append(gold_distance(event, gold) <= PLACE_KM)
            if gold.get("date"):
                date_ok.append(event.event_date == gold["date"])
            if gold.get("fatalities") is not None:
                fatal_ok.append(fatalities_of(event) == gold["fatalities"])
        if not golds:
            continue
        if one_incident:
            main = main_event(events)
            gold, distance = nearest_gold(main, golds)
            if gold.get("lat") is not None:
                main25.append(distance <= PLACE_KM)
                main161.append(distance <= NEAR_KM)
                _, base_distance = nearest_gold(baseline[0] if baseline else None, golds)
                base25.append(base_distance <= PLACE_KM)
                base161.append(base_distance <= NEAR_KM)
                if distance > NEAR_KM:
                    misses.append({"id": record["id"], "why": f"main event {distance:.0f} km from the gold",
                                   "event": main, "gold": gold})
            if gold.get("date"):
                main_date.append(main is not None and main.event_date == gold["date"])
            if gold.get("fatalities") is not None:
                main_fatal.append(fatalities_of(main) == gold["fatalities"])
        elif len(pairs) < sum(1 for gold in golds if not gold.get("optional")):
            missed = next(gold for g, gold in enumerate(golds) if g not in pairs and not gold.get("optional"))
            misses.append({"id": record["id"], "why": f"{len(pairs)} of {len(golds)} gold events found",
                           "event": main_event(events), "gold": missed})
    figures = {
        "nonrelevant_no_event": share(quiet), "relevant_with_event": share(found),
        "events_per_relevant_article": mean(ours_n), "gold_events_per_relevant_article": mean(gold_n),
        "event_recall": round(hits / counted, 4) if counted else None,
        "matched_place_25km": share(place25), "matched_date_exact": share(date_ok),
        "matched_fatalities_exact": share(fatal_ok),
        "main_place_25km": share(main25), "main_place_161km": share(main161),
        "main_date_exact": share(main_date), "main_fatalities_exact": share(main_fatal),
        "articles_per_s": round(len(records) / seconds, 1) if seconds else None,
        "baseline_main_place_25km": share(base25),
    }
    extra = {"articles": len(records), "one_incident_per_article": one_incident,
             "baseline_main_place_161km": share(base161),
             "baseline_event_recall (type not scored)": round(base_hits / base_counted, 4) if base_counted else None}
    misses.sort(key=lambda m: -(m["event"].confidence if m["event"] is not None else 0))
    return figures, extra, misses


def describe_miss(miss: dict) -> str:
    event, gold = miss["event"], miss["gold"]
    lines = [f"  {miss['id']}: {miss['why']}"]
    if event is None:
        lines.append("    ours: no event")
    else:
        point = f"{event.latitude:.2f},{event.longitude:.2f}" if has_point(event) else "no point"
        lines.append(f"    ours: {event.event_type} at {event.location}, {event.country} ({point}), "
                     f"confidence {event.confidence}")
        lines.append(f"    notes: {(event.notes or '')[:150]!r}")
    if gold is not None:
        lines.append(f"    gold: {gold.get('types_accepted') or 'any type'} at {gold.get('location')}, "
                     f"{gold.get('country')}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N records of each file")
    parser.add_argument("--misses", type=int, default=0, help="list N wrong articles per file (text mode)")
    args = parser.parse_args(argv)
    if not args.files:
        parser.error("no file given and none found in ../shared/bench/articles/")
    warm_up()  # loading once, outside the timed runs
    gazetteer = load()
    results = {}
    for path in args.files:
        records = read_records(path, args.limit)
        warn(f"{path.name}: {len(records)} articles")
        items, seconds = run_pipeline(records)
        results[path.name] = score_file(records, items, seconds, gazetteer)
    if args.json:
        print(json.dumps({name: figures for name, (figures, _, _) in results.items()}))
        return 0
    print("newsmap article benchmark (whole articles through process_chunk, as the ingest runs them)")
    for name, (figures, extra, misses) in results.items():
        print(f"\n{name}")
        for key, value in {**extra, **figures}.items():
            print(f"  {key:40s} {value}")
        ours, base = figures["main_place_25km"], figures["baseline_main_place_25km"]
        if ours is not None and base:
            print(f"  {'main place 25 km / baseline':40s} {ours / base:.2f}")
        if args.misses:
            print(f"  misses ({len(misses)}, most confident first):")
            for miss in misses[:args.misses]:
                print(describe_miss(miss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
