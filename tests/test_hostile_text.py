"""Hostile text end to end: 63 script-injection payloads in titles, article text and place names.

The articles go through the real ingest (place names come back from a pretend online
geocoder on 127.0.0.1 that names every village with a payload), and the real dashboard
shows them in Chromium: map popups, tooltips, the event table, the article reader and the
CSV download.  A payload that ran would set ``window.__pwned`` or call ``alert``.
"""

import http.server
import subprocess
import sys
import threading

import pandas as pd
import pytest
from conftest import ROOT
from test_dashboard_browser import Visit, flat, playwright_api, streamlit_server
from test_online_geocoder import PretendNominatim
from xss_payloads import PAYLOADS

from geo import store
from geo.rendering import shown
from geo.table import FORMULA_STARTS

pytestmark = pytest.mark.browser
PER_ARTICLE = 9
# True when a button's text, its whitespace runs made single spaces, is the given label (as ``flat`` makes it).
BUTTON_READS = """label => [...document.querySelectorAll("button")].some(
    button => button.innerText.split(/\\s+/).filter(Boolean).join(" ") === label)"""


def hostile_articles(folder):
    """One article per nine payloads: two in the title, the rest in the event's paragraph and after it."""
    folder.mkdir()
    for number, first in enumerate(range(0, len(PAYLOADS), PER_ARTICLE)):
        payloads = PAYLOADS[first:first + PER_ARTICLE]
        title = f"Shelling near Homs {payloads[0]} {payloads[-1]}"
        body = (f"HOMS, Syria, October {3 + number}, 2011 - Syrian troops shelled the village of Ruramba near Homs "
                f"on Monday, killing {2 + number} civilians, activists said. " + " ".join(payloads[1:5]) + "\n\n"
                "Protesters later gathered in the village of Kafr Zeitoun near Hama. " + " ".join(payloads[5:]))
        (folder / f"hostile-{number}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    hostile_articles(root / "articles")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PretendNominatim)
    # Markdown first: place names become button labels, which Streamlit reads as Markdown.
    markdown = ["![pixel](http://192.0.2.1/pixel.png)", "**Kafr** [Zeitoun](javascript:window.__pwned=1)"]
    markdown += [p for p in PAYLOADS if "](" in p]
    server.mode, server.requests, server.hostile_names = "hostile", [], markdown + list(PAYLOADS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        db = root / "newsmap.duckdb"
        done = subprocess.run(
            [sys.executable, "-m", "geo", "ingest", str(root / "articles"), "--db", str(db), "--geocoder",
             "nominatim", "--geocoder-url", f"http://127.0.0.1:{server.server_address[1]}"],
            cwd=ROOT, capture_output=True, text=True)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert server.requests, "the pretend geocoder should have been asked for the villages"
    con = store.open_read_only(db)
    try:
        events = store.read_events(con)
    finally:
        con.close()
    return db, events


def test_no_payload_runs_anywhere_and_every_one_is_shown_as_text(browser, hostile_store, tmp_path):
    db, events = hostile_store
    mapped = events[events["latitude"].notna()]
    hostile_places = set(mapped["location"]) - {"Homs", "Hama", "Syria"}
    assert hostile_places, "some events should sit at places the geocoder named with a payload"
    with streamlit_server(tmp_path / "streamlit.log", NEWSMAP_DB=str(db)) as url:
        visit = Visit(browser, url)
        try:
            shown_in_reader = set()
            for event in mapped.itertuples():
                popup = flat(visit.click_marker(event.event_id))
                # Shown as written, invisible characters as their code points (geo.rendering.shown).
                assert flat(shown(event.notes)) in popup and flat(shown(event.source)) in popup
                assert flat(shown(event.location)) in popup
                # The article's events are buttons beside it; their labels are the place names, as text.
                label = flat(shown(f"{event.event_type} · {event.location} · {event.event_date}"))
                # The reader of the article clicked before may still show: wait for this one's buttons.
                try:
                    visit.page.wait_for_function(BUTTON_READS, arg=label, timeout=15_000)
                except playwright_api.TimeoutError:
                    pytest.fail(f"no button reads {label!r}")
                shown_in_reader |= {p for p in PAYLOADS if shown(p) in visit.reader_text()}
                visit.map.locator(f"[data-test-target='{event.event_id}']").hover()
                visit.map.locator(".leaflet-tooltip").first.wait_for()
            # The reader showed every payload of the article text, literally.
            in_text = {p for p in PAYLOADS if any(p in n for n in events["notes"])} | set(PAYLOADS[1:])
            assert {p for p in in_text if "\u202e" not in p} <= shown_in_reader
            button = visit.page.get_by_role("button", name="Download CSV")
            button.scroll_into_view_if_needed()
            visit.wait_for_idle()  # the last click's run redraws the page first
            with visit.page.expect_download() as download:
                button.click()
            exported = pd.read_csv(download.value.path(), dtype=str, keep_default_na=False)
            # A cell a spreadsheet would run carries an apostrophe before it (geo.table.spreadsheet_text).
            exported = exported.map(lambda v: v[1:] if v.startswith("'") and v[1:].startswith(FORMULA_STARTS) else v)
            assert set(exported["notes"]) == set(events["notes"])
            assert set(PAYLOADS) <= {p for p in PAYLOADS if any(p in v for v in exported["source"])} | in_text
            # Nothing to wait on: the check is that nothing happens. An injected handler (an image's onerror)
            # would run once the image's fetch failed, a few milliseconds after it was drawn.
            visit.page.wait_for_timeout(1000)
            for frame in visit.page.frames:
                assert frame.evaluate("typeof window.__pwned") == "undefined", frame.url
                injected = frame.locator("img[src='x'], svg[onload], iframe[srcdoc], a[href^='javascript'], "
                                         "[onerror], [onload], [onfocus], [ontoggle], [onmouseover], marquee")
                assert injected.count() == 0, frame.url
            assert visit.blocked == []
        finally:
            visit.close()
