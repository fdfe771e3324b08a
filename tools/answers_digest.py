"""One hash per corpus of every answer newsmap gives on it: place mentions and events.

    python tools/answers_digest.py [FILE.jsonl ...] [--limit N]

A refactoring that is meant to change no answer must print the same hashes before and after.
Each record of a JSONL file (any of the benchmark formats: they all carry ``text``, some a
``title`` and ``published``) goes through ``process_chunk`` as the ingest runs it; the place rows
and the events of each article are serialised as sorted JSON and fed to one SHA-256 per file.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
from pathlib import Path

from geo.articles import from_record
from geo.errors import ArticleError
from geo.pipeline import process_chunk

DEFAULT_FILES = sorted((Path(__file__).resolve().parent.parent.parent / "shared" / "bench").glob("*/*.jsonl"))
CHUNK = 256


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def digest(path: Path, limit: int | None = None) -> tuple[str, int, int, int]:
    """The file's hash, and how many articles, place rows and events went into it."""
    sha = hashlib.sha256()
    articles = places = events = 0
    batch: list = []

    def flush():
        nonlocal places, events
        for item in process_chunk(batch):
            rows = [{k: _plain(v) for k, v in row.items()} for row in item.places] if item.places is not None else []
            found = [{k: _plain(v) for k, v in dataclasses.asdict(e).items()} for e in item.events or ()]
            sha.update(json.dumps([item.error, rows, found], sort_keys=True, default=str).encode())
            places += len(rows)
            events += len(found)
        batch.clear()

    with open(path, encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            if limit is not None and index >= limit:
                break
            record = json.loads(line)
            fields = {key: record.get(key) for key in ("id", "text", "title", "published")}
            try:
                batch.append(from_record(fields, str(record.get("id") or index)))
            except ArticleError as exc:
                sha.update(f"unreadable {exc}".encode())
            articles += 1
            if len(batch) >= CHUNK:
                flush()
    flush()
    return sha.hexdigest(), articles, places, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES)
    parser.add_argument("--limit", type=int, help="only the first N records of each file")
    args = parser.parse_args()
    for path in args.files:
        sha, articles, places, events = digest(path, args.limit)
        print(f"{sha[:16]}  {path.name:24} {articles:6d} articles {places:7d} places {events:6d} events")


if __name__ == "__main__":
    main()
