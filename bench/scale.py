"""An ingest of 100,000 articles: peak memory, and a kill midway that the next run resumes.

    python bench/scale.py [--articles 100000] [--kill-after 60] [--json] [CORPUS.jsonl ...]

The benchmark texts (by default the geoparse corpora and ACLED's notes, as ``bench/throughput.py``
reads them) are repeated under new ids into JSONL files of 1,000 articles. The real command line
ingests them into a new store; it is killed with SIGKILL after ``--kill-after`` seconds, then run
again to the end. Printed: the articles stored when killed (all of them whole), the peak
resident memory of each run (sampled from /proc every 0.2 s), the seconds of each run, and
whether the finished store holds every article exactly once with every event.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench"
DEFAULT_CORPORA = sorted((BENCH / "geoparse").glob("*.jsonl")) + [BENCH / "events" / "acled.jsonl"]
PER_FILE = 1000


def write_corpus(corpora: list[Path], count: int, folder: Path) -> int:
    texts = [json.loads(line)["text"] for path in corpora for line in path.open(encoding="utf-8") if line.strip()]
    folder.mkdir(parents=True)
    for first in range(0, count, PER_FILE):
        with open(folder / f"part{first // PER_FILE:04d}.jsonl", "w", encoding="utf-8") as out:
            for n in range(first, min(first + PER_FILE, count)):
                out.write(json.dumps({"id": f"a{n}", "text": texts[n % len(texts)]}) + "\n")
    return count


def resident_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_ingest(folder: Path, db: Path, kill_after: float | None) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(folder), "--db", str(db)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, resident_mb(process.pid))
        if kill_after is not None and time.perf_counter() - started > kill_after:
            process.send_signal(signal.SIGKILL)
            process.wait()
            break
        time.sleep(0.2)
    stderr = process.stderr.read()
    return {"returncode": process.returncode, "seconds": round(time.perf_counter() - started, 1),
            "peak_rss_mb": round(peak, 1), "last_line": stderr.strip().splitlines()[-1] if stderr.strip() else ""}


def counts(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        articles, distinct = con.execute("SELECT count(*), count(DISTINCT article_id) FROM articles").fetchone()
        # An article is whole when it has its rows: articles without events or places are many, so
        # compare against what the finished store holds per article instead (see main).
        per_article = dict(con.execute("SELECT article_id, count(*) FROM events GROUP BY article_id").fetchall())
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()
    return {"articles": articles, "distinct_articles": distinct, "events": events, "per_article": per_article}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--kill-after", type=float, default=60.0, help="seconds before the first run is killed")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsmap-scale-") as scratch:
        scratch = Path(scratch)
        total = write_corpus(args.corpora, args.articles, scratch / "articles")
        db = scratch / "store.duckdb"
        killed = run_ingest(scratch / "articles", db, args.kill_after)
        after_kill = counts(db)
        resumed = run_ingest(scratch / "articles", db, None)
        final = counts(db)
    # Every article stored before the kill has all the events the finished store gives it.
    partial = [a for a, n in after_kill["per_article"].items() if final["per_article"].get(a) != n]
    figures = {
        "articles": total,
        "killed_run": killed, "stored_when_killed": after_kill["articles"],
        "partial_articles_after_kill": len(partial),
        "resumed_run": resumed,
        "final_articles": final["articles"], "final_distinct_articles": final["distinct_articles"],
        "final_events": final["events"],
        "every_article_once": final["articles"] == final["distinct_articles"] == total,
        "peak_rss_mb": max(killed["peak_rss_mb"], resumed["peak_rss_mb"]),
    }
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0 if figures["every_article_once"] and not partial and figures["peak_rss_mb"] <= 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
