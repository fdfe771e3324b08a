"""The dashboard's script run by Streamlit's own test runner: pages a browser test does not reach."""

import os
import subprocess
import sys

import pytest
from conftest import ROOT

from geo import store

UNRESOLVED = ("Zzyzxabad clashes\n\nFighting broke out in the village of Zzyzxabad on Monday, killing two soldiers "
              "and a shepherd, officials said.\n")


@pytest.fixture
def unresolved_store(tmp_path, monkeypatch):
    (tmp_path / "unresolved.txt").write_text(UNRESOLVED, encoding="utf-8")
    db = tmp_path / "newsmap.duckdb"
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(tmp_path / "unresolved.txt"), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("NEWSMAP_DB", str(db))
    monkeypatch.chdir(ROOT)
    return db


def test_an_article_with_an_unresolved_place_opens_in_the_reader_and_its_correction_form(unresolved_store):
    from streamlit.testing.v1 import AppTest

    events = store.load_events(unresolved_store)
    places = store.read_places(store.open_read_only(unresolved_store))
    assert (places["status"] == "unresolved").any(), "the article should keep an unresolved mention"
    assert len(events), "the article should give an event"
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    app.session_state["selected_event"] = events["event_id"].iloc[0]
    # Streamlit's runner makes the page this process's __main__; a process spawned later (a Dask
    # worker) would then run the page as it starts. Put pytest's back.
    main = sys.modules["__main__"]
    try:
        app.run()
    finally:
        sys.modules["__main__"] = main
    assert not app.exception, [e.value for e in app.exception]
    labels = [option for box in app.selectbox if box.label == "Place mention" for option in box.options]
    assert any(label.endswith("→ unresolved") for label in labels), labels
    assert os.environ["NEWSMAP_DB"] == str(unresolved_store)
