"""The analyst's desk in Chromium: page load and interaction times on the seeds and on a 10,000-event store.

    python bench/desk.py [--events 10000] [--json]

Each store is served by a real ``streamlit run``; every request off this machine is
blocked. Measured: the first page load until markers are drawn, a filter change (words typed
in the sidebar) until the map shows the filtered markers, and a marker click until its popup
and the article reader are shown. Medians of three visits.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from throughput import events_store

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def serve(db: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSMAP_")}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                               "--server.headless", "true", "--server.fileWatcherType", "none"],
                              cwd=ROOT, env={**env, "NEWSMAP_DB": str(db)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://localhost:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("streamlit did not start")


def marker_count(frame) -> int:
    return frame.evaluate("""() => { let n = 0; window.map.eachLayer(l => {
        if (l instanceof window.NewsmapEvents) { n += l.eventCount(); } }); return n; }""")


def visit(browser, url: str, word: str) -> dict[str, float]:
    """One visit: load, filter by ``word``, click a marker; seconds for each."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
    started = time.perf_counter()
    page.goto(url)
    page.frame_locator(MAP_FRAME).locator(".leaflet-marker-icon").first.wait_for(timeout=120_000)
    loaded = time.perf_counter() - started
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    before = marker_count(frame)
    words = page.locator("[data-testid=stSidebar]").get_by_label("Words in the excerpt", exact=True)
    started = time.perf_counter()
    words.fill(word)
    words.press("Enter")
    while True:
        frame = next((f for f in page.frames if "streamlit_folium" in f.url), None)
        try:
            if frame and 0 < marker_count(frame) < before:
                break
        except Exception:  # the frame is being replaced
            pass
        page.wait_for_timeout(20)
    filtered = time.perf_counter() - started
    event_id = frame.evaluate("""() => { let id = null; window.map.eachLayer(l => {
        if (l instanceof window.NewsmapEvents && id === null) { id = l.eventIds()[0]; const m = l.reveal(id);
            m.getElement().dataset.benchTarget = "1"; } }); return id; }""")
    started = time.perf_counter()
    page.frame_locator(MAP_FRAME).locator("[data-bench-target='1']").click()
    page.frame_locator(MAP_FRAME).locator(".leaflet-popup-content .newsmap-popup[data-ready]").wait_for()
    popup = time.perf_counter() - started
    page.locator(".newsmap-article .newsmap-excerpt").wait_for(timeout=60_000)
    reader = time.perf_counter() - started
    page.close()
    return {"load_s": loaded, "filter_s": filtered, "popup_s": popup, "reader_s": reader, "event": event_id}


def measure(db: Path, word: str, browser) -> dict[str, float]:
    server, url = serve(db)
    try:
        visit(browser, url, word)  # warm the caches once, as a user's second visit would find them
        runs = [visit(browser, url, word) for _ in range(3)]
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {key: round(statistics.median(run[key] for run in runs), 2) for key in ("load_s", "filter_s", "popup_s",
                                                                                      "reader_s")}


def lgl_store(scratch: Path) -> Path:
    """A store of the LGL corpus as the real command line ingests it: the events a large store repeats."""
    corpus = scratch / "articles"
    corpus.mkdir()
    lgl = ROOT.parent / "shared" / "bench" / "geoparse" / "lgl.jsonl"
    (corpus / "lgl.jsonl").write_text(lgl.read_text(encoding="utf-8"), encoding="utf-8")
    source_db = scratch / "source.duckdb"
    subprocess.run([sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(source_db)],
                   cwd=ROOT, check=True, capture_output=True)
    return source_db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="newsmap-desk-") as scratch:
        scratch = Path(scratch)
        seeds_db = scratch / "seeds.duckdb"
        subprocess.run([sys.executable, "-m", "geo", "ingest", str(ROOT / "seeds"), "--db", str(seeds_db)],
                       cwd=ROOT, check=True, capture_output=True)
        source_db = lgl_store(scratch)
        big_db = scratch / "big.duckdb"
        events_store(source_db, args.events, big_db)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--no-sandbox", "--disable-gpu",
                                                       "--disable-background-networking"])
            figures = {"seeds": measure(seeds_db, "defectors", browser),
                       f"{args.events}_events": measure(big_db, "police", browser)}
            browser.close()
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
