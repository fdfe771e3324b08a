"""The ingest on a real Dask cluster (LocalCluster on loopback, worker processes) against the one in this process."""

import pandas as pd
import pytest
from test_store import rows_per_article, stored, write_lgl_texts

from geo import store
from geo.engines import DaskEngine
from geo.errors import ConfigurationError
from geo.ingest import ingest

pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def folder(tmp_path_factory, shared_bench):
    # More articles than one Dask chunk, so several chunks are in flight at once.
    return write_lgl_texts(shared_bench, tmp_path_factory.mktemp("dask") / "articles", 150)


def ingest_with(db, folder, engine):
    con = store.open_store(db)
    try:
        return ingest([folder], con, engine=engine)
    finally:
        con.close()


@pytest.fixture(scope="module")
def cluster():
    engine = DaskEngine(workers=2)
    yield engine
    engine.close()


def test_a_dask_cluster_stores_what_one_process_stores(folder, cluster, tmp_path):
    local_db, dask_db = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    local = ingest_with(local_db, folder, None)
    on_dask = ingest_with(dask_db, folder, cluster)
    assert (on_dask.new, on_dask.failed) == (local.new, local.failed) == (151, 0)
    # Both workers took part: each loaded the gazetteer once and processed chunks.
    assert len(cluster.client.scheduler_info()["workers"]) == 2
    expected, got = stored(local_db), stored(dask_db)
    assert got["counts"] == expected["counts"]
    assert rows_per_article(dask_db) == rows_per_article(local_db)
    order = ["event_id"]
    pd.testing.assert_frame_equal(got["events"].sort_values(order).reset_index(drop=True),
                                  expected["events"].sort_values(order).reset_index(drop=True))


def test_a_rerun_on_dask_does_no_work_and_a_changed_file_is_redone(folder, cluster, tmp_path):
    db = tmp_path / "store.duckdb"
    ingest_with(db, folder, cluster)
    again = ingest_with(db, folder, cluster)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 151)
    changed = sorted(folder.glob("*.txt"))[3]
    original = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(original + "\nSyrian troops shelled Homs on Friday, killing 4 people.\n", encoding="utf-8")
        third = ingest_with(db, folder, cluster)
    finally:
        changed.write_text(original, encoding="utf-8")
    assert (third.new, third.changed, third.unchanged) == (0, 1, 150)
    assert stored(db)["events"]["event_id"].is_unique


def test_a_scheduler_that_does_not_answer_is_a_clear_error():
    # 1 s to reach it rather than the engine's 10: no answer is no answer, however long one waits.
    with pytest.raises(ConfigurationError, match="no Dask scheduler answers"):
        DaskEngine(scheduler="tcp://127.0.0.1:9", connect_timeout_s=1.0)
