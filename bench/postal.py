"""Postal-tier benchmark: what GeoNames' postal places add to the gazetteer, per corpus and country.

    python bench/postal.py [FILE.jsonl ...] [--json]

ACLED-style event records (``location``, ``country``, ``lat``, ``lon``): the share whose gold
place has a namesake within 25 km in the gazetteer, and the share the postal tier adds where
it has none, by country.  Geoparse corpora (``toponyms`` with ``lat``/``lon``): the same at
161 km over the gold toponyms.  These are coverage figures (could the place be found at all);
``bench/events.py`` and ``bench/geoparse.py`` measure what the resolver makes of it.  The
tier's opening time and look-up rate are printed beside the gazetteer's, same run.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

from report import print_file

from geo import postal
from geo.gazetteer import distance_km, load, normalize

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
DEFAULT_FILES = sorted((SHARED / "events").glob("acled*.jsonl")) + sorted((SHARED / "geoparse").glob("*.jsonl"))


def _near(places, lat, lon, km) -> bool:
    return any(distance_km(p.latitude, p.longitude, lat, lon) <= km for p in places)


def gold_places(path: Path):
    """(name, country or "", lat, lon, km) for each gold place of an event or geoparse file."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            if "toponyms" in record:
                for toponym in record["toponyms"]:
                    if toponym.get("lat") is not None:
                        yield toponym["text"], "", toponym["lat"], toponym["lon"], 161.0
            elif record.get("location") and record.get("lat") is not None:
                yield record["location"], record.get("country") or "", record["lat"], record["lon"], 25.0


def score_file(path: Path, gazetteer, tier) -> tuple[dict, collections.Counter]:
    total = in_gazetteer = added = 0
    by_country = collections.Counter()
    radius = None
    for name, country, lat, lon, km in gold_places(path):
        total, radius = total + 1, km
        if _near(gazetteer.candidates(name), lat, lon, km):
            in_gazetteer += 1
        elif _near(tier.candidates(normalize(name)), lat, lon, km):
            added += 1
            by_country[country or "(not given)"] += 1
    figures = {
        "gold_places": total,
        "radius_km": radius,
        "gazetteer_coverage": round(in_gazetteer / total, 4) if total else None,
        "postal_added": round(added / total, 4) if total else None,
        "coverage_with_postal": round((in_gazetteer + added) / total, 4) if total else None,
    }
    return figures, by_country


def speed(gazetteer, tier, names: list[str]) -> dict:
    keys = [normalize(name) for name in names]
    started = time.perf_counter()
    for key in keys:
        gazetteer.postings(key)
    gazetteer_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for key in keys:
        tier.candidates(key)
    tier_seconds = time.perf_counter() - started
    return {"lookups": len(keys), "gazetteer_lookups_per_s": round(len(keys) / gazetteer_seconds),
            "postal_lookups_per_s": round(len(keys) / tier_seconds),
            "postal_over_gazetteer_time": round(tier_seconds / gazetteer_seconds, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    gazetteer = load()
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    tier = postal.tier_for(gazetteer)
    if tier is None:
        print("the postal tier is not installed: pip install -r requirements.txt", file=sys.stderr)
        return 2
    open_seconds = time.perf_counter() - started
    results, names = {}, []
    for path in args.files:
        figures, by_country = score_file(path, gazetteer, tier)
        results[path.stem] = {**figures, "added_by_country": dict(by_country.most_common())}
        names.extend(name for name, *_ in gold_places(path))
    timing = {"gazetteer_load_s": round(load_seconds, 3), "postal_open_s": round(open_seconds, 4),
              "postal_names": len(tier), **speed(gazetteer, tier, names[:200_000])}
    if args.json:
        print(json.dumps({"files": results, "timing": timing}))
        return 0
    print("newsmap postal-tier benchmark (coverage: a namesake of the gold place within the radius)")
    for stem, figures in results.items():
        counts = collections.Counter(figures.pop("added_by_country"))
        print_file(stem, figures, 22, tally=("added by the postal tier, by country:", counts, 12))
    print_file("timing", timing, 26)
    return 0


if __name__ == "__main__":
    sys.exit(main())
