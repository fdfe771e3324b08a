"""Zips in folders, legacy encodings and invisible characters: read right or reported, nothing else lost."""

import io
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT, SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import archives
from geo.articles import ARTICLE_SUFFIXES, decode, read_paths
from geo.errors import ArchiveError, ArticleError
from geo.rendering import highlight_places, literal, shown

# Real sentences of the kind newsmap reads, in the encodings their archives were saved in.
LEGACY = [
    ("arabic.txt", "cp1256", "اشتباكات في الرستن\n\nاندلعت اشتباكات عنيفة في مدينة الرستن بريف حمص يوم الاثنين، "
                             "وقتل عشرة جنود بحسب ناشطين."),
    ("russian.txt", "cp1251", "Обстрел Горловки\n\nУкраинские войска обстреляли позиции у Горловки в понедельник, "
                              "погибли трое мирных жителей."),
    ("french.txt", "latin-1", "Manifestation à Paris\n\nDes manifestants se sont rassemblés près de la préfecture ; "
                              "la police a dispersé la foule à l'aube."),
    ("wire.txt", "cp1252", "Beirut protest\n\nProtesters marched in Beirut on Friday \u2013 \u201cpeacefully\u201d, "
                           "police said."),
    ("turkish.txt", "cp1254", "Şırnak'ta çatışma\n\nŞırnak'ta çatışma çıktı; üç asker öldü, valilik açıkladı."),
    ("polish.txt", "cp1250", "Protest w Łodzi\n\nProtestujący zebrali się w Łodzi przed urzędem; policja użyła gazu."),
]


def write_zip(path, members: dict, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_legacy_encodings_are_read_right(tmp_path):
    for name, encoding, text in LEGACY:
        (tmp_path / name).write_bytes(text.encode(encoding))
    found = {a.article_id: a for a in read_paths([tmp_path])}
    assert set(found) == {name.removesuffix(".txt") for name, _, _ in LEGACY}
    for name, _, text in LEGACY:
        article = found[name.removesuffix(".txt")]
        assert article.title == text.split("\n")[0]
        assert article.text.split("\n", 2)[-1] == text.split("\n", 2)[-1]


def test_a_folder_with_zips_is_read_as_the_upload_reads_it_and_bad_zips_are_reported(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    write_zip(folder / "good.zip", {
        "week1/rastan.txt": SEED.read_bytes(),
        "feed.jsonl": b'{"text": "Protesters marched in Beirut on Friday.", "published": "2020-01-03"}\n{broken\n',
        "scan.pdf": b"%PDF-1.4 not an article",
        "inner.zip": b"PK\x03\x04",
    })
    write_zip(folder / "bomb.zip", {"big.txt": b" " * (20 * 2**20)})
    write_zip(folder / "slip.zip", {"../../outside.txt": b"Clashes in Homs."})
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 not a zip at all")
    out = tmp_path / "events.csv"
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(folder), "--no-store", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "2 articles read, 6 skipped" in done.stderr
    for what in ("bomb.zip: big.txt", "slip.zip: the member '../../outside.txt' would be written outside",
                 "broken.zip: not a readable zip archive", "good.zip:scan.pdf: is not an article file",
                 "good.zip:inner.zip: is an archive inside the archive", "good.zip:feed.jsonl:2: is not valid JSON"):
        assert what in done.stderr, what
    assert "times larger than it is stored" in done.stderr.split("bomb.zip")[1].split("\n")[0]
    events = out.read_text(encoding="utf-8")
    assert "good/week1/rastan#1" in events and "Ar Rastan" in events
    assert not (tmp_path / "outside.txt").exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    write_zip(buffer, {"a.txt": b"a" * (20 * 2**20)})
    with pytest.raises(ArchiveError, match="times larger than it is stored"):
        list(archives.members(buffer.getvalue(), "bomb.zip", ARTICLE_SUFFIXES))


def test_an_archive_of_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBERS", 5)
    buffer = io.BytesIO()
    write_zip(buffer, {f"{n}.txt": b"Clashes in Homs." for n in range(6)})
    with pytest.raises(ArchiveError, match="holds 6 files, more than 5"):
        list(archives.members(buffer.getvalue(), "many.zip", ARTICLE_SUFFIXES))


def test_a_member_whose_header_lies_about_its_size_is_cut_at_the_limit(monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 1000)
    monkeypatch.setattr(archives, "RATIO_FROM_BYTES", 10**9)
    buffer = io.BytesIO()
    write_zip(buffer, {"a.txt": b"x" * 900})
    data = bytearray(buffer.getvalue())
    # Claim 100 bytes where 900 are stored, in both headers: the reader must not trust it.
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = bytes(data).index(header) + offset
        data[at:at + 4] = (100).to_bytes(4, "little")
    try:
        found = list(archives.members(bytes(data), "liar.zip", ARTICLE_SUFFIXES))
    except ArchiveError:
        return  # refused: as good as cut
    # Read within the limit, or reported as unreadable (its checksum fails): never more.
    assert found and all(isinstance(member, archives.Skipped) or len(member.data) <= 1000 for member in found)


def test_invisible_and_bidi_characters_are_shown_not_obeyed():
    text = "Clashes near invoice\u202eTXT.exe and a zero\u200bwidth space in Homs"
    assert shown(text) == "Clashes near invoice⟨U+202E⟩TXT.exe and a zero⟨U+200B⟩width space in Homs"
    import pandas as pd

    places = pd.DataFrame({"start": [text.index("Homs")], "end": [len(text)], "status": ["resolved"],
                           "name": ["Homs\u202e"], "reason": ["x"]})
    page = highlight_places(text, places)
    assert "\u202e" not in page and "\u200b" not in page and "⟨U+202E⟩" in page
    assert "\u202e" not in literal("file\u202ename.txt")


def test_the_popup_shows_invisible_characters_as_the_reader_does(browser):
    """The map's own script, in Chromium: a popup's text carries no live bidi control."""
    from pathlib import Path

    import xstatic.pkg.leaflet

    from geo import assets
    from geo.mapview import _event_settings

    leaflet = Path(xstatic.pkg.leaflet.BASE_DIR) / "leaflet.js"
    tab = browser.new_page()
    try:
        tab.set_content('<div id="map" style="width:400px;height:300px"></div>')
        tab.add_script_tag(path=str(leaflet))
        tab.add_script_tag(content=assets.web_script("newsmap-columns.js", "newsmap-events.js"))
        fields = _event_settings()["fields"]
        event = {"latitude": 34.7, "longitude": 36.7, "event_id": "x#1", "event_type": "Battles",
                 "sub_event_type": "Armed clash", "event_date": "2011-09-26", "location": "Homs\u202e",
                 "country": "Syria", "fatalities": 1, "source": "invoice\u202eTXT.exe", "notes": "zero\u200bwidth"}
        text = tab.evaluate("""([settings, row]) => {
            const map = L.map("map").setView([34.7, 36.7], 9);
            const layer = newsmapEventLayer(settings, [row], null).addTo(map);
            const marker = layer.reveal("x#1");
            marker.openPopup();
            return document.querySelector(".newsmap-popup").textContent;
        }""", [_event_settings(), [event[f] for f in fields]])
    finally:
        tab.close()
    assert "invoice⟨U+202E⟩TXT.exe" in text and "zero⟨U+200B⟩width" in text and "Homs⟨U+202E⟩" in text
    assert "\u202e" not in text and "\u200b" not in text


# Fuzzing the new inputs: whatever bytes a zip member or a legacy file holds, the reader
# yields articles or ArticleErrors, never anything else.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
                               st.binary(max_size=400), max_size=5))
def test_any_zip_gives_articles_or_reported_errors(tmp_path, members):
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    path = folder / "any.zip"
    try:
        write_zip(path, {name: data for name, data in members.items()})
    except (ValueError, UnicodeEncodeError, IndexError):
        return  # names zipfile itself cannot write
    for item in read_paths([path]):
        assert isinstance(item, ArticleError) or item.text.strip()
    path.unlink()


@settings(max_examples=150, deadline=None)
@given(data=st.binary(min_size=1, max_size=2000))
def test_any_bytes_decode_to_text_or_a_reported_error(data):
    try:
        text = decode(data, "fuzz.txt")
    except ArticleError:
        return
    assert isinstance(text, str)
