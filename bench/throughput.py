"""Throughput benchmark: ingest speed against a floor, and the dashboard at 50,000 events.

    python bench/throughput.py [CORPUS.jsonl ...] [--articles 20000] [--events 50000] [--no-browser] [--json]

Ingest: the texts of the corpora (by default ``../shared/bench/geoparse/*.jsonl`` and the ACLED and
CASE 2021 files of ``../shared/bench/events``, the corpora its README figures were measured on) repeated to
``--articles`` articles in JSONL files, ingested by the real command line into a fresh
store, in one process and with a Dask local cluster of 2 workers.  The floor, in the same
run: reading the same files and one Aho-Corasick pass over them with every gazetteer name.
Dashboard: the events of that ingest, repeated and jittered to ``--events``, in a store of
their own; the server's work for one filter change, timed in this process, and the time
until Chromium shows markers, against a real ``streamlit run`` (the median of 3 visits, and
the first visit after the server started, reported apart).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

from geo import filters, mapview, store
from geo.articles import read_paths
from geo.gazetteer import load

ROOT = Path(__file__).resolve().parent.parent

BENCH = ROOT.parent / "shared" / "bench"
# Named, not globbed: files added to ../shared/bench later must not change what the figures measure.
DEFAULT_CORPORA = [path for path in (*sorted((BENCH / "geoparse").glob("*.jsonl")),
                                     BENCH / "events" / "acled.jsonl", BENCH / "events" / "case2021_task2.jsonl")
                   if path.exists()]
RECORDS_PER_FILE = 1000
CHROMIUM = "/usr/bin/chromium"
SUMMARY = re.compile(r"\(([\d.]+) articles/s\)")


def write_articles(corpora: list[Path], count: int, folder: Path) -> int:
    """The corpora's texts, repeated to ``count`` articles, as JSONL files in ``folder``."""
    texts = []
    for path in corpora:
        with open(path, encoding="utf-8") as lines:  # not splitlines(): texts may hold U+2028
            texts += [json.loads(line)["text"] for line in lines if line.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    for first in range(0, count, RECORDS_PER_FILE):
        with open(folder / f"part-{first // RECORDS_PER_FILE:04d}.jsonl", "w", encoding="utf-8") as out:
            for i in range(first, min(count, first + RECORDS_PER_FILE)):
                out.write(json.dumps({"id": f"a{i}", "text": texts[i % len(texts)]}) + "\n")
    return sum(len(t) for t in texts) * count // len(texts)


def floor_rate(folder: Path) -> tuple[float, float]:
    """Articles/s for reading the files and one Aho-Corasick pass; and the automaton's build time."""
    import ahocorasick_rs

    gazetteer = load()
    started = time.perf_counter()
    automaton = ahocorasick_rs.AhoCorasick(list(gazetteer.names), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    articles = matches = 0
    for article in read_paths([folder]):
        matches += len(automaton.find_matches_as_indexes(article.text.lower()))
        articles += 1
    return articles / (time.perf_counter() - started), build_s


def run_ingest(folder: Path, db: Path, *extra: str) -> tuple[float, float]:
    """Articles/s as the ingest reports it, and the wall time of the whole command."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(folder), "--db", str(db), *extra],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"ingest failed ({done.returncode}):\n{done.stderr[-2000:]}")
    rates = SUMMARY.findall(done.stderr)
    return float(rates[-1]), wall


def gazetteer_load_s() -> float:
    """Load time in a fresh process, as a user's first command sees it (median of three)."""
    code = "import time; from geo.gazetteer import load; t = time.perf_counter(); load(); print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                  check=True).stdout) for _ in range(3)]
    return statistics.median(times)


def events_store(source_db: Path, count: int, db: Path) -> pd.DataFrame:
    """``count`` events from the pipeline's output in ``source_db``, repeated and jittered, in a new store."""
    real = store.load_events(source_db)
    mapped = real[real["latitude"].notna()]
    rng = np.random.default_rng(7)
    frame = mapped.sample(count, replace=True, random_state=7).reset_index(drop=True)
    frame["event_id"] = [f"{a}#j{i}" for i, a in enumerate(frame["article_id"])]
    frame["latitude"] = (frame["latitude"] + rng.normal(0, 0.3, count)).clip(-89.9, 89.9)
    frame["longitude"] = (frame["longitude"] + rng.normal(0, 0.3, count)).clip(-179.9, 179.9)
    days = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, count), unit="D")
    frame["event_date"] = pd.Series(days.strftime("%Y-%m-%d"), dtype="string")
    frame = frame.astype(real.dtypes.to_dict())
    con = store.open_store(db)
    try:
        con.register("jittered", frame)
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"INSERT INTO events ({columns}) SELECT {columns} FROM jittered")
        con.unregister("jittered")
        con.execute(f"ATTACH '{source_db}' AS source (READ_ONLY)")
        con.execute("INSERT INTO articles SELECT * FROM source.articles")
        con.execute("INSERT INTO places SELECT * FROM source.places")
        con.execute("DETACH source")
    finally:
        con.close()
    return frame


def filter_change_ms(events: pd.DataFrame) -> float:
    """Median server time of one filter change: filter, counts, the marker layer built and rendered."""
    from streamlit_folium import _get_feature_group_string

    base = mapview.base_map(events)
    types = filters.event_type_options(events)
    times = []
    for dropped in types * 2:
        started = time.perf_counter()
        shown = filters.filter_events(events, [t for t in types if t != dropped])
        filters.event_counts(shown)
        filters.events_per_day(shown)
        _get_feature_group_string(mapview.event_layer(shown, served=True), base)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def map_drawn_s(db: Path, visits: int = 4) -> tuple[float, float] | None:
    """Seconds from opening the dashboard on ``db`` until Chromium shows markers (non-local requests blocked).

    The first visit after the server starts, which also reads the store into the server's
    cache; and the median of the visits after it, as a user who opens or reloads the page sees.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "NEWSMAP_DB": str(db)}
    env.pop("NEWSMAP_ARTICLES", None)
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                               "--server.headless", "true", "--server.fileWatcherType", "none"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://localhost:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            times = []
            for _ in range(visits):
                page = browser.new_page(viewport={"width": 1500, "height": 1100})
                page.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith(url) else route.abort())
                started = time.perf_counter()
                page.goto(url)
                page.frame_locator("iframe[title='streamlit_folium.st_folium']").locator(
                    ".leaflet-marker-icon").first.wait_for(timeout=120_000)
                times.append(time.perf_counter() - started)
                page.close()
            browser.close()
            return times[0], statistics.median(times[1:])
    finally:
        server.terminate()
        server.wait(timeout=20)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    args = parser.parse_args(argv)
    if not args.corpora:
        parser.error("no corpus given and none found in ../shared/bench/")
    say = (lambda *a: None) if args.json else (lambda *a: print(*a, file=sys.stderr, flush=True))

    with tempfile.TemporaryDirectory(prefix="newsmap-bench-") as scratch:
        scratch = Path(scratch)
        characters = write_articles(args.corpora, args.articles, scratch / "articles")
        say(f"{args.articles} articles ({characters / 1e6:.1f} M characters) from {len(args.corpora)} corpora")
        floor, build_s = floor_rate(scratch / "articles")
        say(f"floor: {floor:.0f} articles/s (automaton of every gazetteer name built in {build_s:.1f} s)")
        one, one_wall = run_ingest(scratch / "articles", scratch / "one.duckdb")
        peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        say(f"one process: {one:.0f} articles/s ({one_wall:.0f} s with start-up), peak RSS {peak_rss_mb:.0f} MB")
        two, two_wall = run_ingest(scratch / "articles", scratch / "two.duckdb", "--engine", "dask", "--workers", "2")
        say(f"dask, 2 workers: {two:.0f} articles/s ({two_wall:.0f} s with the cluster's start-up)")
        load_s = gazetteer_load_s()
        say(f"gazetteer load: {load_s:.2f} s")
        events = events_store(scratch / "one.duckdb", args.events, scratch / "events.duckdb")
        filter_ms = filter_change_ms(events)
        say(f"filter change at {len(events)} events: {filter_ms:.0f} ms server time")
        first, drawn = (None if args.no_browser else map_drawn_s(scratch / "events.duckdb")) or (None, None)
        say(f"markers drawn in Chromium at {len(events)} events: "
            + (f"{drawn:.1f} s (median of 3 visits; the first after the server started: {first:.1f} s)"
               if drawn is not None else "not measured"))

    figures = {
        "articles_per_s": round(one, 1), "articles_per_s_2workers": round(two, 1),
        "floor_articles_per_s": round(floor, 1), "ratio_to_floor": round(floor / one, 2) if one else None,
        "gazetteer_load_s": round(load_s, 3), "peak_rss_mb": round(peak_rss_mb, 1),
        "filter_ms_50k": round(filter_ms, 1), "map_drawn_s_50k": round(drawn, 2) if drawn is not None else None,
        "map_drawn_first_visit_s_50k": round(first, 2) if first is not None else None,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(json.dumps(figures, indent=2))
        print(f"2 workers / 1 process: {two / one:.2f}x" if one else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
