"""An analyst's corrections: stored, marked human-checked, kept across re-ingests, exported with the data."""

import shutil

import pandas as pd
import pytest
from test_store import SEED, stored

AL_KHUMS = 2219905  # the Libyan town that is also called Homs


@pytest.fixture
def seeded(tmp_path, cli):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / "rastan.txt")
    db = tmp_path / "store.duckdb"
    assert cli("ingest", folder, "--db", db).returncode == 0
    return folder, db


def mention(db, text):
    places = stored(db)["places"]
    return places[places["text"] == text].iloc[0]


def test_corrections_are_kept_marked_exported_and_survive_a_reingest(seeded, cli, tmp_path):
    folder, db = seeded
    before = stored(db)["events"].set_index("event_id")
    battle = before[before["event_type"] == "Battles"].index[0]
    run = cli("correct", "event", battle, "--fatalities", "12", "--date", "2011-09-25", "--db", db)
    assert run.returncode == 0, run.stderr
    homs = mention(db, "Homs")
    run = cli("correct", "place", homs["article_id"], homs["start"], homs["end"], AL_KHUMS, "--db", db)
    assert run.returncode == 0, run.stderr

    def check(events, places):
        fixed = events.set_index("event_id").loc[battle]
        assert (fixed["fatalities"], fixed["event_date"], fixed["time_precision"], fixed["checked"]) == (
            12, "2011-09-25", 1, "human")
        untouched = events[(events["event_id"] != battle) & (events["checked"].isna())]
        assert len(untouched) >= 1
        corrected = places[(places["start"] == homs["start"]) & (places["end"] == homs["end"])].iloc[0]
        assert (corrected["geonameid"], corrected["country_code"], corrected["reason"]) == (
            AL_KHUMS, "LY", "chosen by an analyst")

    now = stored(db)
    check(now["events"], now["places"])
    # Exported with the data: the CSV carries the corrected values and the mark.
    assert cli("export", "--db", db, "--out", tmp_path / "events.csv").returncode == 0
    exported = pd.read_csv(tmp_path / "events.csv").set_index("event_id")
    assert exported.loc[battle, "fatalities"] == 12 and exported.loc[battle, "checked"] == "human"
    # The file changes (a correction of the article's own), the article is read again: the corrections hold.
    article = folder / "rastan.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nUpdated on Saturday.\n", encoding="utf-8")
    run = cli("ingest", folder, "--db", db)
    assert "0 new, 1 changed" in run.stderr
    again = stored(db)
    check(again["events"], again["places"])
    assert again["counts"]["corrections"] == 3


def test_a_correction_the_codebook_or_gazetteer_does_not_allow_is_refused(seeded, cli):
    _, db = seeded
    before = stored(db)
    event_id = before["events"]["event_id"].iloc[0]
    for args, said in (
            (("event", event_id, "--type", "Skirmish"), "not one of ACLED's event types"),
            (("event", event_id, "--type", "Riots", "--sub-type", "Armed clash"), "not a sub-event type of Riots"),
            (("event", event_id, "--date", "30/09/2011"), "write it as YYYY-MM-DD"),
            (("event", event_id), "nothing to correct"),
            (("event", "no-such#1", "--fatalities", "3"), "no event 'no-such#1'"),
            (("place", "rastan", "0", "5", "999999999"), "no gazetteer entry has the GeoNames id"),
            (("place", "rastan", "5", "2", str(AL_KHUMS)), "is not a mention's span"),
            (("place", "nothing", "0", "5", str(AL_KHUMS)), "no article 'nothing'")):
        run = cli("correct", *args, "--db", db)
        assert run.returncode == 2 and said in run.stderr, (args, run.stderr)
    after = stored(db)
    pd.testing.assert_frame_equal(after["events"], before["events"])
    assert after["counts"]["corrections"] == 0
