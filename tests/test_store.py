"""The event store: a real DuckDB file, the real pipeline, real articles, the real command line."""

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from geo import store
from geo.__main__ import main
from geo.articles import read_paths
from geo.errors import StoreError, StoreLockedError
from geo.ingest import ingest
from geo.pipeline import place_rows, process_article, process_paths
from geo.table import COLUMN_NAMES, EVENT_COLUMNS, PLACE_COLUMNS, empty_frame, validate

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rastan-2011-09.txt"
LGL = "geoparse/lgl.jsonl"  # in ../shared/bench: real articles


def write_lgl_texts(shared_bench, folder: Path, count: int) -> Path:
    """The first ``count`` LGL articles as .txt files, and the seed article."""
    folder.mkdir(parents=True, exist_ok=True)
    with shared_bench(LGL).open(encoding="utf-8") as lines:
        for _, line in zip(range(count), lines):
            record = json.loads(line)
            (folder / f"{record['id']}.txt").write_text(record["text"], encoding="utf-8")
    shutil.copy(SEED, folder / SEED.name)
    return folder


def run_cli(*args, **kwargs) -> subprocess.CompletedProcess:
    """The command line in a process of its own, as a second ingest or a killed one needs."""
    return subprocess.run([sys.executable, "-m", "geo", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, **kwargs)


def ingest_into(db, *paths):
    con = store.open_store(db)
    try:
        return ingest(paths, con)
    finally:
        con.close()


def stored(db) -> dict:
    """Everything in a store: its events and places as frames, and its row counts."""
    con = store.open_read_only(db)
    try:
        return {"events": store.read_events(con), "places": store.read_places(con),
                "counts": store.row_counts(con)}
    finally:
        con.close()


def rows_per_article(db) -> dict[str, tuple[int, int]]:
    """Article id -> (place mentions, events), for every article in the store."""
    con = store.open_read_only(db)
    try:
        rows = con.execute("SELECT a.article_id, (SELECT count(*) FROM places p WHERE p.article_id = a.article_id), "
                           "(SELECT count(*) FROM events e WHERE e.article_id = a.article_id) "
                           "FROM articles a").fetchall()
    finally:
        con.close()
    return {article_id: (places, events) for article_id, places, events in rows}


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory, shared_bench) -> Path:
    return write_lgl_texts(shared_bench, tmp_path_factory.mktemp("small") / "articles", 20)


def test_ingest_creates_the_tables_with_the_schemas_columns(tmp_path):
    db = tmp_path / "store.duckdb"
    report = ingest_into(db, SEED)
    assert (report.new, report.changed, report.unchanged, report.failed) == (1, 0, 0, 0)
    con = store.open_read_only(db)
    try:
        columns = {table: con.execute(f"DESCRIBE {table}").fetchall() for table in store.TABLES}
        article = con.execute("SELECT article_id, content_hash, path, title, published FROM articles").fetchall()
    finally:
        con.close()
    assert [(name, sql_type) for name, sql_type, *_ in columns["events"]] == [
        (c.name, store.SQL_TYPES[c.dtype]) for c in EVENT_COLUMNS]
    assert tuple(name for name, *_ in columns["places"]) == PLACE_COLUMNS
    assert [name for name, *_ in columns["articles"]] == [
        "article_id", "content_hash", "pipeline", "path", "title", "published", "url", "text", "ingested_at"]
    [(article_id, content_hash, path, title, published)] = article
    assert article_id == "rastan-2011-09" and re.fullmatch(r"[0-9a-f]{64}", content_hash)
    assert path == str(SEED.resolve()) and title.startswith("Syria Security Forces Enter Rastan")
    assert published.startswith("2011-")

    # What comes back is what the pipeline gave, typed by geo.table.
    held = stored(db)
    expected = process_paths([SEED])
    pd.testing.assert_frame_equal(held["events"], expected.events)
    assert held["events"].dtypes.to_dict() == empty_frame().dtypes.to_dict() and validate(held["events"]) == []
    assert len(held["places"]) == len(expected.places) == held["counts"]["places"]
    # The evidence stays with the events: the article's text, and its place mentions in order.
    con = store.open_read_only(db)
    try:
        reader = store.read_article(con, "rastan-2011-09")
        assert store.read_article(con, "no such article") is None
    finally:
        con.close()
    assert reader["text"] == SEED.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert list(reader["places"]["start"]) == sorted(expected.places["start"])


def test_reingest_of_unchanged_files_reads_nothing_and_duplicates_nothing(tmp_path, small_folder, monkeypatch):
    db = tmp_path / "store.duckdb"
    first = ingest_into(db, small_folder)
    assert (first.new, first.unchanged, first.failed) == (21, 0, 0)
    before = stored(db)

    def must_not_run(*args, **kwargs):
        raise AssertionError("an unchanged file was read or processed")

    monkeypatch.setattr("geo.ingest.read_file", must_not_run)
    monkeypatch.setattr("geo.pipeline.process_article", must_not_run)
    monkeypatch.setattr("geo.engines.warm_up", must_not_run)  # nor the gazetteer loaded
    again = ingest_into(db, small_folder)
    assert (again.new, again.changed, again.unchanged, again.failed) == (0, 0, 21, 0)
    after = stored(db)
    assert after["counts"] == before["counts"] == {**after["counts"], "articles": 21, "files": 21}
    pd.testing.assert_frame_equal(after["events"], before["events"])
    assert after["events"]["event_id"].is_unique


def test_a_changed_file_replaces_its_rows_and_a_shorter_file_drops_the_rest(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    article = folder / "rastan.txt"
    shutil.copy(SEED, article)
    records = [{"id": f"r{i}", "title": f"Report {i}", "date": "2011-09-30",
                "text": f"Syrian troops shelled Homs on Friday, killing {i + 2} people, activists said."}
               for i in range(3)]
    feed = folder / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    db = tmp_path / "store.duckdb"
    assert ingest_into(db, folder).new == 4
    assert "Ar Rastan" in set(stored(db)["events"]["location"])

    # The article now tells of Hama, not Rastan; the feed's second record changes, its third is gone.
    article.write_text(SEED.read_text(encoding="utf-8").replace("Rastan", "Hama"), encoding="utf-8")
    records[1]["text"] = "Protesters marched in Aleppo on Friday, activists said."
    feed.write_text("\n".join(json.dumps(r) for r in records[:2]), encoding="utf-8")
    report = ingest_into(db, folder)
    assert (report.new, report.changed, report.unchanged, report.failed) == (0, 2, 1, 0)

    held = stored(db)
    assert held["counts"]["articles"] == 3 and held["counts"]["files"] == 2
    events = held["events"]
    assert "Ar Rastan" not in set(events["location"]) and "r2" not in set(events["article_id"])
    now = process_article(next(read_paths([article])))
    assert sorted(events.loc[events.article_id == "rastan", "event_id"]) == sorted(e.event_id for e in now.events)
    assert len(held["places"][held["places"].article_id == "rastan"]) == len(place_rows(now))
    assert events["event_id"].is_unique


def test_a_bad_file_is_reported_and_the_rest_stored(tmp_path, cli):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "broken.txt").write_bytes(b"\x00\x01 not text")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    db = tmp_path / "store.duckdb"
    run = cli("ingest", folder, "--db", db)
    assert run.returncode == 0, run.stderr
    assert "broken.txt: looks like a binary file" in run.stderr and "empty.txt: is empty" in run.stderr
    assert "1 new, 0 changed, 0 unchanged, 2 failed in" in run.stderr
    assert stored(db)["counts"]["articles"] == 1

    # The failed files are read again next time (and fail again); the good one is not.
    run = cli("ingest", folder, "--db", db)
    assert "0 new, 0 changed, 1 unchanged, 2 failed in" in run.stderr and run.returncode == 0

    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    shutil.copy(folder / "broken.txt", only_bad)
    run = cli("ingest", only_bad, "--db", db)
    assert run.returncode == 1 and "0 new, 0 changed, 0 unchanged, 1 failed" in run.stderr


class Stderr:
    """Collects a child's stderr in a thread, so the progress line can be read while it runs."""

    def __init__(self, process):
        self.text = ""
        self._thread = threading.Thread(target=self._read, args=(process.stderr,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for chunk in iter(lambda: os.read(stream.fileno(), 4096), b""):
            self.text += chunk.decode("utf-8", "replace")

    def stored_so_far(self) -> int:
        counts = re.findall(r"ingest: (\d+) new", self.text)
        return int(counts[-1]) if counts else 0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, shared_bench) -> Path:
    return write_lgl_texts(shared_bench, tmp_path_factory.mktemp("lgl") / "articles", 400)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    """The store an uninterrupted ingest of the corpus makes."""
    db = tmp_path_factory.mktemp("reference") / "store.duckdb"
    run = run_cli("ingest", corpus, "--db", db, timeout=120)
    assert run.returncode == 0 and "401 new, 0 changed, 0 unchanged, 0 failed" in run.stderr, run.stderr
    return db


@pytest.fixture(scope="module")
def interrupted(corpus, tmp_path_factory) -> dict:
    """An ingest killed with SIGKILL midway; while it ran, a second ingest and a reader tried the store.

    The second ingest runs in this process, where everything is imported already, so that it
    tries the store within milliseconds, however fast the first one goes through the corpus.
    """
    db = tmp_path_factory.mktemp("killed") / "store.duckdb"
    first = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    progress = Stderr(first)
    try:
        deadline = time.monotonic() + 60
        while progress.stored_so_far() < 20 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        second_stderr = io.StringIO()
        with contextlib.redirect_stderr(second_stderr):
            second_code = main(["ingest", str(SEED), "--db", str(db), "--wait", "0"])
        try:
            store.open_read_only(db).close()
            reader = None
        except StoreLockedError as exc:
            reader = exc
        still_running = first.poll() is None
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    return {"db": db, "second": (second_code, second_stderr.getvalue()), "reader": reader,
            "still_running": still_running, "progress": progress.text, "returncode": first.returncode}


def test_a_second_ingest_refuses_with_a_clear_message(interrupted):
    assert interrupted["still_running"], "the first ingest ended before the second one tried: use more articles"
    code, stderr = interrupted["second"]
    assert code == 2
    assert "is held by another process (PID" in stderr and "another ingest still running" in stderr
    assert "Wait for it to finish" in stderr
    assert isinstance(interrupted["reader"], StoreLockedError) and isinstance(interrupted["reader"], RuntimeError)
    assert "Wait for the ingest to end" in str(interrupted["reader"])


def test_a_killed_ingest_leaves_whole_articles_and_a_rerun_completes(interrupted, reference, corpus):
    assert interrupted["returncode"] == -signal.SIGKILL
    assert re.search(r"ingest: \d+ new, .* articles/s\)", interrupted["progress"])
    db = interrupted["db"]
    expected = rows_per_article(reference)
    survived = rows_per_article(db)
    assert 0 < len(survived) < len(expected), "the kill should have come midway"
    # Every article that made it in has all of its place mentions and events.
    assert {article_id: expected[article_id] for article_id in survived} == survived
    # ... and every file marked as done has its articles.
    con = store.open_read_only(db)
    try:
        orphans = con.execute("SELECT count(*) FROM files f WHERE NOT EXISTS "
                              "(SELECT 1 FROM articles a WHERE a.path = f.path)").fetchall()[0][0]
    finally:
        con.close()
    assert orphans == 0

    rerun = run_cli("ingest", corpus, "--db", db, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{401 - len(survived)} new, 0 changed, {len(survived)} unchanged, 0 failed" in rerun.stderr
    assert rows_per_article(db) == expected
    resumed, uninterrupted = stored(db), stored(reference)
    assert resumed["counts"] == uninterrupted["counts"]
    pd.testing.assert_frame_equal(resumed["events"], uninterrupted["events"])
    assert resumed["events"]["event_id"].is_unique


KILLS = int(os.environ.get("NEWSMAP_KILLS", "3"))  # NEWSMAP_KILLS=50 for a longer run


def test_repeated_kills_at_random_points_lose_and_duplicate_nothing(reference, corpus, tmp_path):
    """Several ingests of one store, each killed with SIGKILL at a random moment, then one left to finish."""
    import random

    chance = random.Random(int(os.environ.get("NEWSMAP_KILL_SEED", "11")))
    db = tmp_path / "store.duckdb"
    expected = rows_per_article(reference)
    killed = 0
    for _ in range(KILLS):
        before = len(rows_per_article(db)) if db.exists() else 0
        if before == len(expected):
            # That store is complete: check it, and start another so the next kill comes midway again.
            assert rows_per_article(db) == expected
            db.unlink()
            db.with_name(db.name + ".wal").unlink(missing_ok=True)
            before = 0
        ingest = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db)], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        progress = Stderr(ingest)
        # A random point: after some articles, or at once (while the store is being opened or created).
        # Not in the last third of what is left: the ingest stores a hundred articles in a fraction
        # of a second, so a kill aimed there mostly found it finished (1 of 3 runs failed so).
        target = chance.choice([0, chance.randint(1, max(1, (len(expected) - before) * 2 // 3))])
        deadline = time.monotonic() + 60
        while progress.stored_so_far() < target and ingest.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(chance.uniform(0, 0.05))
        ingest.send_signal(signal.SIGKILL)
        ingest.wait(timeout=10)
        killed += ingest.returncode == -signal.SIGKILL
        if not db.exists():
            continue
        survived = rows_per_article(db)
        # Whole articles only, and nothing that was stored before lost.
        assert {article_id: expected[article_id] for article_id in survived} == survived
        assert len(survived) >= before
    # Now and then an ingest finishes in the moment before its kill: most must not.
    assert killed >= max(1, KILLS * 0.8), "the ingests should have been killed midway: use more articles"
    rerun = run_cli("ingest", corpus, "--db", db, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert rows_per_article(db) == expected
    resumed, uninterrupted = stored(db), stored(reference)
    assert resumed["counts"] == uninterrupted["counts"]
    pd.testing.assert_frame_equal(resumed["events"], uninterrupted["events"])


def test_readers_share_the_store_when_no_ingest_runs(reference, tmp_path):
    con = store.open_read_only(reference)
    try:
        # A second process reads at the same time: an export, as a dashboard would.
        run = run_cli("export", "--db", reference, "--out", tmp_path / "events.csv")
        assert run.returncode == 0, run.stderr
        assert len(pd.read_csv(tmp_path / "events.csv")) == store.row_counts(con)["events"]
    finally:
        con.close()
    assert len(store.load_events(reference)) == len(pd.read_csv(tmp_path / "events.csv"))


def test_export_round_trips(reference, tmp_path, cli):
    events = stored(reference)["events"]
    run = cli("export", "--db", reference, "--out", tmp_path / "events.csv")
    assert run.returncode == 0 and f"{len(events)} events written to" in run.stderr
    csv = pd.read_csv(tmp_path / "events.csv", keep_default_na=False, na_values=[""])
    assert list(csv.columns) == list(COLUMN_NAMES) and len(csv) == len(events)
    assert list(csv["event_id"]) == list(events["event_id"])

    assert cli("export", "--db", reference, "--out", tmp_path / "events.geojson").returncode == 0
    features = json.loads((tmp_path / "events.geojson").read_text(encoding="utf-8"))["features"]
    assert len(features) == len(events) and set(features[0]["properties"]) == set(COLUMN_NAMES)

    parts = tmp_path / "parts"
    run = cli("export", "--db", reference, "--out", parts, "--partition-by-date")
    assert run.returncode == 0, run.stderr
    dated = pd.to_datetime(events["event_date"], errors="coerce").dropna()
    months = {f"year={d:%Y}/month={d:%m}" for d in dated}
    if len(dated) < len(events):
        months.add("year=unknown/month=unknown")
    folders = {str(f.parent.relative_to(parts)) for f in parts.rglob("*.parquet")}
    assert folders == months and len(months) > 1
    read_back = pd.read_parquet(parts)
    assert set(read_back.columns) == set(COLUMN_NAMES) | {"year", "month"} and len(read_back) == len(events)

    again = cli("export", "--db", reference, "--out", parts, "--partition-by-date")
    assert again.returncode == 2 and "is not an empty folder" in again.stderr
    missing = cli("export", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "x.csv")
    assert missing.returncode == 2 and "newsmap ingest" in missing.stderr


def test_ingest_out_writes_the_events_of_the_given_paths(reference, corpus, tmp_path, cli):
    db = tmp_path / "store.duckdb"
    shutil.copy(reference, db)
    run = cli("ingest", corpus / SEED.name, "--db", db, "--out", tmp_path / "seed.csv")
    assert run.returncode == 0 and "1 articles read, 0 skipped" in run.stderr, run.stderr
    assert "0 new, 0 changed, 1 unchanged" in run.stderr
    from_store = pd.read_csv(tmp_path / "seed.csv")
    fresh = cli("ingest", corpus / SEED.name, "--no-store")
    assert fresh.returncode == 0
    with_no_store = pd.read_csv(pd.io.common.StringIO(fresh.stdout))
    pd.testing.assert_frame_equal(from_store, with_no_store)
    assert set(from_store["article_id"]) == {"rastan-2011-09"}


def test_a_store_of_another_schema_is_rebuilt_for_writing_and_refused_for_reading(tmp_path):
    db = tmp_path / "old.duckdb"
    con = store.open_store(db)
    con.execute("ALTER TABLE events DROP COLUMN confidence")
    con.close()
    with pytest.raises(StoreError, match="another version of newsmap"):
        store.open_read_only(db)
    report = ingest_into(db, SEED)
    assert report.new == 1 and list(stored(db)["events"].columns) == list(COLUMN_NAMES)
    with pytest.raises(StoreError, match="there is no store"):
        store.open_read_only(tmp_path / "none.duckdb")


def test_a_database_newsmap_did_not_make_is_left_alone(tmp_path):
    import duckdb

    db = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE events (id INTEGER, what VARCHAR)")
    con.execute("INSERT INTO events VALUES (1, 'kept')")
    con.close()
    with pytest.raises(StoreError, match="tables that newsmap did not make"):
        store.open_store(db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT * FROM events").fetchall() == [(1, "kept")]
    con.close()
