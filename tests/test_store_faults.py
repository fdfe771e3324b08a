"""The store's faults survived: a damaged file is named with what to do, a failed write loses nothing stored."""

import duckdb
import pytest
from conftest import ROOT, SEED
from test_store import rows_per_article, run_cli, write_lgl_texts

from geo import store
from geo.errors import StoreError
from geo.ingest import ingest


class DiskFullAt:
    """A store connection whose ``fail_at``-th commit fails as a full disk fails one: nothing of it is written.

    Everything else goes to the real DuckDB connection, so what is stored is what DuckDB keeps.
    """

    def __init__(self, con, fail_at: int):
        self._con, self._fail_at, self.commits = con, fail_at, 0

    def commit(self):
        self.commits += 1
        if self.commits == self._fail_at:
            self._con.rollback()
            raise duckdb.IOException('Could not write file "newsmap.duckdb.wal": No space left on device')
        return self._con.commit()

    def __getattr__(self, name):
        return getattr(self._con, name)


@pytest.fixture(scope="module")
def corpus(shared_bench, tmp_path_factory):
    return write_lgl_texts(shared_bench, tmp_path_factory.mktemp("faults") / "articles", 300)


def test_a_write_that_fails_midway_keeps_what_was_stored_and_the_next_run_completes(corpus, tmp_path):
    reference = tmp_path / "reference.duckdb"
    con = store.open_store(reference)
    ingest([corpus], con)
    con.close()
    expected = rows_per_article(reference)

    db = tmp_path / "faulty.duckdb"
    con = store.open_store(db)
    faulty = DiskFullAt(con, fail_at=3)
    with pytest.raises(StoreError, match="No space left on device.*free some disk space"):
        ingest([corpus], faulty, flush_every_s=0.0)
    con.close()
    survived = rows_per_article(db)
    assert 0 < len(survived) < len(expected), "the failure should come midway"
    assert all(survived[article] == expected[article] for article in survived)  # whole articles only

    again = run_cli("ingest", corpus, "--db", db, timeout=300)
    assert again.returncode == 0, again.stderr
    assert rows_per_article(db) == expected  # nothing lost, nothing twice


@pytest.mark.parametrize("damage", ["truncated", "random", "empty-header"])
def test_a_damaged_store_is_named_with_what_to_do(tmp_path, damage):
    db = tmp_path / "newsmap.duckdb"
    done = run_cli("ingest", SEED, "--db", db, timeout=120)
    assert done.returncode == 0, done.stderr
    data = db.read_bytes()
    db.write_bytes({"truncated": data[: len(data) // 3], "random": bytes(range(256)) * 40,
                    "empty-header": b"\0" * 4096 + data[4096:]}[damage])
    for command in (["ingest", SEED, "--db", db], ["export", "--db", db, "--out", tmp_path / "events.csv"]):
        run = run_cli(*command, timeout=120)
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        assert str(db) in run.stderr and "newsmap ingest" in run.stderr and "--db" in run.stderr


def test_the_dashboard_names_a_damaged_store(tmp_path):
    """What the page shows, from the same call the dashboard makes."""
    db = tmp_path / "newsmap.duckdb"
    db.write_bytes(b"not a database" * 500)
    with pytest.raises(StoreError) as raised:
        store.load_events(db)
    assert str(db) in str(raised.value) and "newsmap ingest" in str(raised.value)


def test_a_store_of_an_older_newsmap_is_rebuilt_by_the_next_ingest(tmp_path):
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    # An events table of an older layout, beside the other tables of a newsmap store.
    con.execute("CREATE TABLE articles (article_id VARCHAR PRIMARY KEY, content_hash VARCHAR)")
    con.execute("CREATE TABLE files (path VARCHAR PRIMARY KEY, sha256 VARCHAR)")
    con.execute("CREATE TABLE events (event_id VARCHAR, event_type VARCHAR, notes VARCHAR)")
    con.execute("INSERT INTO events VALUES ('old#1', 'Battles', 'from another version')")
    con.close()
    run = run_cli("ingest", ROOT / "seeds", "--db", db, timeout=120)
    assert run.returncode == 0, run.stderr
    events = store.load_events(db)
    assert "old#1" not in set(events["event_id"]) and len(events) > 0
