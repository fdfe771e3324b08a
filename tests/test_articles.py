"""Reading articles of every supported kind, and reporting the ones that cannot be read."""

import json
from pathlib import Path

import pytest

from geo.articles import from_text, read_file, read_paths
from geo.dates import event_date
from geo.errors import ArticleError, NewsmapError

SEED = Path(__file__).resolve().parent.parent / "seeds" / "rastan-2011-09.txt"


def articles_and_errors(paths):
    found = list(read_paths(paths))
    return ([a for a in found if not isinstance(a, ArticleError)],
            [e for e in found if isinstance(e, ArticleError)])


def test_seed_title_and_date_from_its_caption():
    (article,) = [a for a in read_file(SEED)]
    assert article.title.startswith("Syria Security Forces Enter Rastan")
    assert article.published == "2011-09-30" and article.date_source == "text"


def test_json_and_jsonl_records_with_a_broken_line(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(
        {"id": "a1", "title": "Clashes", "text": "Clashes in Aleppo.", "published": "2020-05-03T10:00:00Z",
         "url": "http://example.org/a1"}), encoding="utf-8")
    (tmp_path / "many.jsonl").write_text(
        json.dumps({"text": "Protest in Beirut.", "date": "2020-01-02"}) + "\n{broken\n"
        + json.dumps({"body": "Shelling near Idlib."}) + "\n", encoding="utf-8")
    articles, errors = articles_and_errors([tmp_path])
    assert {a.article_id for a in articles} == {"a1", "many-1", "many-3"}
    first = next(a for a in articles if a.article_id == "a1")
    assert first.published == "2020-05-03" and first.date_source == "metadata" and first.url
    (error,) = errors
    assert "many.jsonl:2" in str(error) and "not valid JSON" in error.reason


def test_a_jsonl_record_holding_unicode_line_separators_is_one_article(tmp_path):
    # LGL's corpus holds such a record: "\u2028" and "\x85" are line breaks to str.splitlines, not to JSON Lines.
    text = "Shelling near Idlib.\u2028Two killed in Ariha.\x85Protest in Beirut."
    (tmp_path / "feed.jsonl").write_text(json.dumps({"text": text}, ensure_ascii=False) + "\n"
                                         + json.dumps({"text": "Clashes in Aleppo."}) + "\n", encoding="utf-8")
    articles, errors = articles_and_errors([tmp_path])
    assert errors == []
    assert [a.text for a in articles] == [text, "Clashes in Aleppo."]


def test_html_main_text_is_extracted(tmp_path):
    page = ("<html><head><title>Shelling in Idlib</title></head><body><nav>Home | About</nav>"
            "<article><h1>Shelling in Idlib</h1><p>" + "Government forces shelled the town of Ariha "
            "in Idlib province on 3 May 2020, killing two civilians, activists said. " * 3
            + "</p></article><footer>Copyright</footer></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (article,) = list(read_paths([tmp_path / "page.html"]))
    assert "Ariha" in article.text and "Copyright" not in article.text
    assert article.published == "2020-05-03"


def test_bad_files_are_reported_and_the_good_ones_still_read(tmp_path):
    (tmp_path / "good.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "latin1.txt").write_bytes("Manifestation à Montréal\nLa police a arrêté 3 personnes.".encode("latin-1"))
    (tmp_path / "utf16.txt").write_bytes("Protest in Homs\nThousands marched.".encode("utf-16"))
    (tmp_path / "wrong.json").write_text(json.dumps({"headline": "no text field"}), encoding="utf-8")
    articles, errors = articles_and_errors([tmp_path, tmp_path / "missing.txt"])
    assert {a.article_id for a in articles} == {"good", "latin1", "utf16"}
    reasons = {e.path.rsplit("/", 1)[-1]: e.reason for e in errors}
    assert set(reasons) == {"empty.txt", "binary.txt", "wrong.json", "missing.txt"}
    assert "binary" in reasons["binary.txt"] and "empty" in reasons["empty.txt"]
    assert "text" in reasons["wrong.json"] and "exist" in reasons["missing.txt"]
    assert all(isinstance(e, NewsmapError) and isinstance(e, ValueError) for e in errors)


def test_plain_text_needs_text():
    with pytest.raises(ArticleError, match="empty"):
        from_text("\n\n", "blank")


@pytest.mark.parametrize("text, published, expected", [
    ("On 14 March 2020, a bomb exploded", None, ("2020-03-14", 1)),
    ("advanced in the city on Saturday after four days", "2011-09-30", ("2011-09-24", 1)),
    ("protesters took to the streets on Friday", "2011-09-30", ("2011-09-30", 1)),
    ("NEW DELHI, March 7 (Xinhua) -- two killed", "2016-03-10", ("2016-03-07", 1)),
    ("On 30 December, a raid", "2021-01-02", ("2020-12-30", 1)),
    ("troops shelled the town", "2011-09-30", ("2011-09-30", 2)),
    ("troops shelled the town", None, (None, 3)),
])
def test_event_dates_relative_to_the_article(text, published, expected):
    assert event_date(text, published) == expected
