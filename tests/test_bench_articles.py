"""bench/articles.py scores real benchmark articles: every figure present, shares in [0, 1], a baseline event."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def articles(shared_bench) -> Path:
    """../shared/bench/articles, holding the corpora these tests read."""
    for name in ("fakes.jsonl", "muc.jsonl", "bbc.jsonl"):
        shared_bench(f"articles/{name}")
    return shared_bench("articles")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_articles", ROOT / "bench" / "articles.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def test_json_has_every_figure_per_file(bench, articles, tmp_path, capsys):
    sample = tmp_path / "sample.jsonl"
    lines = []
    for name in ("fakes.jsonl", "muc.jsonl", "bbc.jsonl"):
        lines += (articles / name).read_text(encoding="utf-8").splitlines()[:8]
    sample.write_text("\n".join(lines + ["{not json"]) + "\n", encoding="utf-8")
    assert bench.main([str(articles / "fakes.jsonl"), str(sample), "--json", "--limit", "25"]) == 0
    captured = capsys.readouterr()
    figures = json.loads(captured.out)  # stdout holds the JSON and nothing else
    assert "not JSON" in captured.err
    assert set(figures) == {"fakes.jsonl", "sample.jsonl"}
    for file_figures in figures.values():
        assert tuple(file_figures) == bench.FIGURES
        for key, value in file_figures.items():
            if key not in ("articles_per_s", "events_per_relevant_article", "gold_events_per_relevant_article"):
                assert value is None or 0 <= value <= 1, (key, value)
    assert figures["fakes.jsonl"]["main_place_161km"] is not None  # one incident per article: main event scored
    assert figures["sample.jsonl"]["main_place_161km"] is None  # MUC's many events per article: not
    assert figures["sample.jsonl"]["nonrelevant_no_event"] is not None  # the BBC lines


def test_baseline_places_an_event_at_the_first_resolved_place(bench, articles):
    records = bench.read_records(articles / "fakes.jsonl", limit=1)
    items, _ = bench.run_pipeline(records)
    places = items[0].places
    assert any(p["latitude"] is not None for p in places)
    [event] = bench.baseline_events(places)
    first = min((p for p in places if p["latitude"] is not None), key=lambda p: p["start"])
    assert (event.latitude, event.longitude) == (first["latitude"], first["longitude"])
    assert bench.baseline_events([]) == []
