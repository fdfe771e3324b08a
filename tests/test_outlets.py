"""A local paper's ambiguous town is its readers' town: the outlet's other articles tell where it is."""

import json

import pytest
from test_store import stored

from geo.articles import read_paths
from geo.gazetteer import distance_km
from geo.outlets import outlet_of
from geo.pipeline import process_chunk

RICHMOND_INDIANA = (39.829, -84.890)  # the Palladium-Item's town
ARTICLE = "lgl-43856478"  # "Richmond native Jeff Hamilton plies the drumsticks": no state named


@pytest.fixture
def palladium_item(shared_bench, tmp_path):
    """LGL's twenty articles of the Palladium-Item (pal-item.com, Richmond, Indiana), as one JSONL file."""
    # split("\n"), not splitlines(): article texts hold U+2028, which splitlines breaks on.
    lines = shared_bench("geoparse/lgl.jsonl").read_text(encoding="utf-8").split("\n")
    records = [json.loads(line) for line in lines if line.strip()]
    mine = [r for r in records if outlet_of(r.get("url")) == "pal-item.com"]
    assert len(mine) >= 10
    folder = tmp_path / "articles"
    folder.mkdir()
    path = folder / "pal-item.jsonl"
    path.write_text("".join(json.dumps({k: r[k] for k in ("id", "title", "text", "url")}) + "\n" for r in mine),
                    encoding="utf-8")
    return path


def _richmond(rows):
    return next(row for row in rows if row["text"] == "Richmond")


def test_a_town_with_namesakes_is_read_where_the_outlets_other_articles_are(palladium_item):
    articles = list(read_paths([palladium_item]))
    position = [a.article_id for a in articles].index(ARTICLE)
    together = _richmond(process_chunk(articles)[position].places)
    assert distance_km(together["latitude"], together["longitude"], *RICHMOND_INDIANA) < 25
    assert "outlet's other articles" in together["reason"]
    # Read alone, nothing in the article says which Richmond: the outlet is what decided.
    alone = _richmond(process_chunk([articles[position]])[0].places)
    assert distance_km(alone["latitude"], alone["longitude"], *RICHMOND_INDIANA) > 161


def test_an_analysts_correction_keeps_the_outlets_reading_of_the_other_places(palladium_item, cli, tmp_path):
    db = tmp_path / "store.duckdb"
    assert cli("ingest", palladium_item.parent, "--db", db).returncode == 0
    places = stored(db)["places"]
    mine = places[places["article_id"] == ARTICLE]
    other = mine[(mine["text"] != "Richmond") & mine["geonameid"].notna()].iloc[0]
    run = cli("correct", "place", ARTICLE, other["start"], other["end"], int(other["geonameid"]), "--db", db)
    assert run.returncode == 0, run.stderr
    # The article is read again on its own, yet its Richmond stays the outlet's.
    after = stored(db)["places"]
    richmond = _richmond(after[after["article_id"] == ARTICLE].to_dict("records"))
    assert distance_km(richmond["latitude"], richmond["longitude"], *RICHMOND_INDIANA) < 25


@pytest.mark.parametrize("url, outlet", [
    ("http://www.pal-item.com/article/20090330/NEWS01/903300305", "pal-item.com"),
    ("https://Bangordailynews.com/2018/03/31/news/", "bangordailynews.com"),
    ("", None), (None, None), ("not a url", None), ("http://[broken", None),
])
def test_the_outlet_is_the_urls_host(url, outlet):
    assert outlet_of(url) == outlet
