"""Learn how ACLED spells the first-level areas GeoNames names otherwise, and write
``geo/resources/admin1_aliases.csv``.

    python tools/build_admin1_aliases.py [ACLED.jsonl ...]

ACLED writes "Zaporizhia", "Shan-North", "Ninewa", "Lower Shabelle" where GeoNames has
"Zaporizhzhia", "Shan", "Nineveh", "Shabeellaha Hoose".  A spelling is tied to the GeoNames area
that holds most of its records' points (the area of the town nearest each point): kept when it
has MIN_RECORDS records and AREA_SHARE of them agree, and is neither an ordinary word ("North")
nor a town's name with "City" (the town finds it).  The file holds area names only, never a note.
Reads the ACLED records of ``shared/bench/events`` (those with ``admin1``, ``lat``, ``lon``) by default.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from geo.actors import load_names
from geo.gazetteer import ADMIN1, CAPITAL, CITY, load
from geo.toponyms import normalize

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "bench" / "events"
OUT = ROOT / "geo" / "resources" / "admin1_aliases.csv"
MIN_RECORDS = 5
AREA_SHARE = 0.8
NEAREST_TOWN_KM = 50.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    files = args.files or sorted(CORPUS.glob("acled*.jsonl"))
    gazetteer = load()
    # ACLED's country names to ISO codes, through GeoNames' names.
    acled_names = {v: k for k, v in load_names().countries.items()}
    code_of = {name: code for code, (_, name) in gazetteer.countries.items()}
    kinds = gazetteer.column("kind")
    lat, lon, cc, admin1 = (np.asarray(gazetteer.column(k)) for k in ("lat", "lon", "cc", "admin1"))
    towns = np.isin(np.asarray(kinds), (CITY, CAPITAL))

    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for path in files:
        for line in open(path, encoding="utf-8"):
            record = json.loads(line) if line.strip() else {}
            name, country = record.get("admin1"), record.get("country")
            code = code_of.get(acled_names.get(country, country))
            if not name or name == "NA" or code is None or record.get("lat") is None:
                continue
            if any(gazetteer.posted(c).kind == ADMIN1 and gazetteer.posted(c).country_code == code
                   for c in gazetteer.postings(normalize(name))):
                continue  # GeoNames spells it so already
            points[(code, name)].append((float(record["lat"]), float(record["lon"])))

    rows = []
    for (code, name), where in sorted(points.items()):
        key = normalize(name)
        town = normalize(name.removesuffix(" City"))
        if len(where) < MIN_RECORDS or key in gazetteer.common_words or key in gazetteer.ordinary_words \
                or any(gazetteer.posted(c).country_code == code and gazetteer.posted(c).kind in (CITY, CAPITAL)
                       for c in gazetteer.postings(town)):
            continue  # "North", "Central": words, not names; "Taipei City": the town's name finds it
        mine = np.flatnonzero(towns & (cc == code))
        if not len(mine):
            continue
        votes = Counter()
        for la, lo in where:
            # Degrees to km roughly: enough to find the nearest town of one country.
            d = np.hypot(lat[mine] - la, (lon[mine] - lo) * np.cos(np.radians(la))) * 111.0
            nearest = int(np.argmin(d))
            if d[nearest] <= NEAREST_TOWN_KM:
                votes[admin1[mine[nearest]]] += 1
        if not votes:
            continue
        area, count = votes.most_common(1)[0]
        if count >= AREA_SHARE * len(where) and gazetteer.admin1_place(code, area) is not None:
            rows.append((code, area, name, len(where), gazetteer.admin1_name(code, area)))
    header = ("# How ACLED spells first-level areas that GeoNames names otherwise, learnt from ACLED's admin1\n"
              "# column by tools/build_admin1_aliases.py: country|GeoNames admin-1 code|ACLED's spelling\n")
    args.out.write_text(header + "".join(f"{c}|{a}|{n}\n" for c, a, n, _, _ in rows), encoding="utf-8")
    for code, _, name, count, geonames in rows:
        print(f"{code} {name!r} -> {geonames!r} ({count} records)")
    print(f"{len(rows)} spellings written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
