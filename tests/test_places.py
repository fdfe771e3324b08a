"""Place mentions of the seed article, through the real command line."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.gazetteer import distance_km

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rastan-2011-09.txt"


@pytest.fixture(scope="module")
def seed_places():
    run = subprocess.run([sys.executable, "-m", "geo", "places", str(SEED)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return list(csv.DictReader(io.StringIO(run.stdout)))


def rows_for(rows, surface):
    return [r for r in rows if r["text"] == surface]


def test_columns_are_the_documented_ones(seed_places):
    assert list(seed_places[0]) == ["article_id", "start", "end", "text", "name", "country_code",
                                    "latitude", "longitude", "geonameid", "feature_kind",
                                    "confidence", "reason", "status"]


def test_rastan_and_homs_are_the_syrian_towns(seed_places):
    for surface, lat, lon in (("Rastan", 34.92, 36.73), ("Homs", 34.73, 36.71)):
        rows = rows_for(seed_places, surface)
        assert rows, f"{surface} not found"
        for row in rows:
            assert distance_km(float(row["latitude"]), float(row["longitude"]), lat, lon) <= 10


def test_lebanon_is_the_country_not_a_us_town(seed_places):
    (row,) = rows_for(seed_places, "Lebanon")
    assert row["country_code"] == "LB" and row["feature_kind"] == "country"


def test_syria_and_the_demonym_resolve_to_syria(seed_places):
    assert {r["country_code"] for r in rows_for(seed_places, "Syria")} == {"SY"}
    assert {r["country_code"] for r in rows_for(seed_places, "Syrian")} == {"SY"}


def test_people_organisations_and_days_are_not_places(seed_places):
    texts = {r["text"] for r in seed_places}
    assert {"Rastan", "Homs"} <= texts, "the seed's towns should be found: the check below needs mentions"
    for word in ("Reuters", "Facebook", "Assad", "Riad", "Colonel", "Friday", "Bashar", "al-Assaad"):
        assert not any(word in t for t in texts), word


def test_offsets_point_at_the_text(seed_places):
    text = SEED.read_text(encoding="utf-8")
    assert seed_places, "the seed should give place mentions"
    for row in seed_places:
        assert text[int(row["start"]):int(row["end"])] == row["text"]


def test_every_mention_has_a_reason_and_confidence(seed_places):
    assert seed_places, "the seed should give place mentions"
    for row in seed_places:
        assert row["reason"] and 0 <= float(row["confidence"]) <= 1


def test_the_recognizer_training_script_runs_on_a_corpus_with_names_the_gazetteer_lacks(tmp_path, shared_bench):
    from tools import train_recognizer

    lines = shared_bench("geoparse/lgl.jsonl").read_text(encoding="utf-8").split("\n")[:40]
    # A name kept by rule, with no gazetteer entry and so no features, among real articles.
    unknown = {"id": "unknown", "text": "Militants attacked a checkpoint in Qwertabad on Monday.",
               "toponyms": [{"start": 35, "end": 44, "text": "Qwertabad", "lat": 0.0, "lon": 0.0}]}
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(lines[:20]) + "\n", encoding="utf-8")
    second.write_text("\n".join([*lines[20:], json.dumps(unknown)]) + "\n", encoding="utf-8")
    out = tmp_path / "weights.json"
    assert train_recognizer.main([str(first), str(second), "--out", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert list(written["weights"]) == list(train_recognizer.RECOGNIZER_FEATURES)
    assert 0.0 < written["threshold"] < 1.0


def test_a_name_in_brackets_after_a_place_and_its_noun_is_a_place():
    from geo import toponyms
    from geo.gazetteer import load

    gazetteer = load()
    # ACLED's notes give a village's district and province in brackets after its noun.
    text = "A mob attacked a store of Muslims in Nikapitiya city (Panduwasnuwara, Kurunegala)."
    assert "Kurunegala" in [m.text for m in toponyms.find(text, gazetteer)]
