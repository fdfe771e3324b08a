"""The dashboard in a real browser: a real ``streamlit run`` server, driven with Debian's Chromium.

Every request to a host other than this machine is blocked and recorded, so the
map must draw from the server's own files.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import CHROMIUM, HOSTILE_ARTICLE, PAYLOADS, ROOT

from geo import store

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"localhost", "127.0.0.1"}
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# README's pictures are retaken only on request: NEWSMAP_SCREENSHOTS=1 bash tests/run
SCREENSHOTS = ROOT / "docs" if os.environ.get("NEWSMAP_SCREENSHOTS") == "1" else None
# Leaflet's zoom and popup animations last 250-300 ms. Where there is no condition to wait on (a picture,
# a payload that must not run), a wait lasts this long.
SETTLE_MS = 800
APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
# The map has come to rest: the same view two frames running, no zoom animation, no popup open or fading
# out. Polled once a frame, it keeps the view it saw last on the window, under the wait's own token.
MAP_AT_REST = """token => {
    const map = window.map || Object.values(window).find(value => value instanceof L.Map);
    const view = [map.getZoom(), map.getCenter().lat, map.getCenter().lng].join();
    const last = window.__newsmapView;
    window.__newsmapView = {token, view};
    return Boolean(last) && last.token === token && last.view === view
        && !document.querySelector(".leaflet-zoom-anim, .leaflet-popup");
}"""
# The event type of every marker in the event layer, clustered or not; none before the map is drawn.
MARKER_TYPES = """() => {
    const types = [];
    if (!window.map || !window.NewsmapEvents) { return types; }
    window.map.eachLayer(layer => {
        if (layer instanceof window.NewsmapEvents) { types.push(...layer.eventTypes()); }
    });
    return types;
}"""
# [lat, lon] of an event's marker, or null when it has none.
MARKER_POSITION = """eventId => {
    let found = null;
    if (!window.map || !window.NewsmapEvents) { return found; }
    window.map.eachLayer(layer => {
        if (layer instanceof window.NewsmapEvents) { found = found || layer.eventLatLng(eventId); }
    });
    return found;
}"""
# Counts the changes of the script's run state from now on: the first is a run starting.
WATCH_RUNS = """() => {
    if (window.__newsmapRuns) { window.__newsmapRuns.watch.disconnect(); }
    const app = document.querySelector("[data-testid=stApp]");
    const runs = {changes: 0, watch: new MutationObserver(changes => { runs.changes += changes.length; })};
    runs.watch.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
    window.__newsmapRuns = runs;
}"""
RUN_ENDED = """() => window.__newsmapRuns.changes > 0
    && document.querySelector("[data-testid=stApp]").dataset.testScriptState === "notRunning" """


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)  # not listening yet: ask again (no page to wait on before the server answers)
    pytest.fail(f"streamlit was not healthy after {timeout} s:\n{log.read_text()}")


@contextlib.contextmanager
def streamlit_server(log: Path, **env):
    """A real ``streamlit run dashboard.py`` on a free port, with ``env`` set; yields its URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's chromium is needed at {CHROMIUM} (apt-get install chromium)")
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("NEWSMAP_")}
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**environment, **env}, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://localhost:{port}"
    try:
        wait_for_health(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def dashboard(articles_dir, tmp_path_factory):
    """The URL of a dashboard reading a folder: the seed, the hostile article and an unreadable file."""
    with streamlit_server(tmp_path_factory.mktemp("streamlit") / "streamlit.log",
                          NEWSMAP_ARTICLES=str(articles_dir)) as url:
        yield url


def retake_picture(page, name: str) -> None:
    """README's picture ``docs/NAME`` of the page as it stands, when pictures were asked for."""
    if SCREENSHOTS is None:
        return
    page.mouse.move(0, 0)  # no hover tooltip in the picture
    page.get_by_role("heading", name="newsmap").scroll_into_view_if_needed()
    page.wait_for_timeout(SETTLE_MS)  # let Leaflet's zoom animation end
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


class Visit:
    """One browser tab on the dashboard, with every off-machine request blocked and recorded."""

    def __init__(self, browser, url):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1100})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        # An alert would be the classic sign of injected script; record it the same way.
        self.context.add_init_script("window.alert = function () { window.__pwned = 'alert'; };")
        self.page = self.context.new_page()
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))
        started = time.monotonic()
        self.page.goto(url)
        self.map = self.page.frame_locator(MAP_FRAME)
        self.map.locator(".leaflet-marker-icon").first.wait_for(timeout=60_000)
        self.seconds_to_markers = time.monotonic() - started

    def _route(self, route):
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def map_frame(self):
        return next(frame for frame in self.page.frames if "streamlit_folium" in frame.url)

    def marker_types(self) -> list[str]:
        """The event type of every marker in the event layer, clustered or not."""
        return self.map_frame().evaluate(MARKER_TYPES)

    def wait_in_map(self, condition: str, arg=None, timeout_s: float = 15) -> bool:
        """Wait until the JavaScript function ``condition(arg)`` holds in the map's frame; False if not in time.

        Streamlit may put the map in a new frame meanwhile (a new view): the wait goes on in that one.
        """
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                self.map_frame().wait_for_function(condition, arg=arg, timeout=left * 1000)
                return True
            except playwright_api.TimeoutError:
                return False
            except (playwright_api.Error, StopIteration):  # the frame went away: wait in the new one
                continue
        return False

    def wait_for_idle(self) -> None:
        """Until the app's script is not running.

        Call it once the run waited for has drawn something: before that, it may not have begun.
        """
        self.page.locator(APP_IDLE).wait_for(state="attached")

    @contextlib.contextmanager
    def rerun(self):
        """On leaving, waits until the script run asked for by what was done inside has ended."""
        self.page.evaluate(WATCH_RUNS)
        yield
        self.page.wait_for_function(RUN_ENDED)

    def reader_text(self) -> str:
        """The whole article as the reader shows it, the part before the excerpt unfolded."""
        self.page.locator(".newsmap-excerpt").first.wait_for()
        before = self.page.locator("[data-testid=stExpander]", has_text="The article before this excerpt")
        if before.count() and not before.locator(".newsmap-article").first.is_visible():
            before.get_by_text("The article before this excerpt").click()
            before.locator(".newsmap-article").first.wait_for()
        return "\n".join(self.page.locator(".newsmap-article").all_inner_texts())

    def marker_position(self, event_id: str) -> list[float] | None:
        """[lat, lon] of the event's marker, or None when it has none."""
        return self.map_frame().evaluate(MARKER_POSITION, event_id)

    def settled_marker_types(self, count: int, timeout_s: float = 15) -> list[str]:
        """The markers' event types, once ``count`` markers are drawn (a swapped layer fetches its rows)."""
        self.wait_in_map(f"count => ({MARKER_TYPES})().length === count", count, timeout_s)
        return sorted(self.marker_types())

    def click_marker(self, event_id: str) -> str:
        """Bring the event's marker out of its cluster (as a user zooming in would), click it, return the popup text."""
        self.map_frame().evaluate("() => { window.map.closePopup(); }")
        reveal(self.map_frame(), event_id)
        # The popup closed fades out, and the view may still be moving: click once the map is at rest.
        wait_until_at_rest(self.map_frame())
        self.map.locator(f"[data-test-target='{event_id}']").click()
        # The newest popup: the one before may still be fading out.
        popup = self.map.locator(".leaflet-popup-content .newsmap-popup[data-ready]").last
        popup.wait_for()
        return popup.inner_text()

    def close(self):
        self.context.close()


def wait_until_at_rest(frame) -> None:
    """Until the map in ``frame`` (a page or a frame) is at rest: see ``MAP_AT_REST``."""
    frame.wait_for_function(MAP_AT_REST, arg=time.monotonic_ns(), polling="raf")


def reveal(frame, event_id: str) -> None:
    """Zoom the map until the event has a marker of its own, as a user would, and tag that marker for a click."""
    assert reveal_in(frame, event_id), f"no marker for {event_id}"


def reveal_in(frame, event_id: str) -> bool:
    """``reveal`` in a page or frame; False when the event has no marker there."""
    return frame.evaluate("""eventId => {
        let marker = null;
        // streamlit-folium names the map window.map; a saved page has it under folium's name.
        const map = window.map || Object.values(window).find(value => value instanceof L.Map);
        map.eachLayer(layer => {
            if (layer instanceof window.NewsmapEvents) { marker = marker || layer.reveal(eventId); }
        });
        if (marker) { marker.getElement().dataset.testTarget = eventId; }
        return Boolean(marker);
    }""", event_id)


def wait_until_quiet(page, sent: list[float], quiet_s: float = 1, timeout_s: float = 30) -> None:
    """Until the page has sent the server nothing for ``quiet_s`` (``sent``: when it sent each frame)."""
    started = time.monotonic()
    while (now := time.monotonic()) - started < timeout_s:
        quiet = now - max(sent[-1] if sent else started, started)
        if quiet >= quiet_s:
            return
        page.wait_for_timeout((quiet_s - quiet) * 1000)  # the frames sent meanwhile are recorded while it waits
    pytest.fail(f"the page was still talking to the server after {timeout_s} s")


@pytest.fixture
def visit(browser, dashboard):
    opened = Visit(browser, dashboard)
    yield opened
    opened.close()


def flat(text: str) -> str:
    return " ".join(text.split())


def test_map_draws_from_local_files_only(visit):
    print(f"\nfirst page load until markers were drawn: {visit.seconds_to_markers:.1f} s")
    assert visit.map.locator(".leaflet-marker-icon").count() >= 1
    # The country outlines are the basemap: no tile server was asked.
    visit.map.locator("path").nth(100).wait_for(state="attached")
    assert visit.map.locator(".leaflet-tile").count() == 0
    assert visit.blocked == []
    assert visit.errors == []
    # An unreadable article is a warning line, not a traceback.
    visit.page.get_by_text("broken.txt").wait_for()
    assert visit.page.get_by_text("Traceback").count() == 0


def deadliest_mapped_event(batch, article_id):
    events = batch.events[(batch.events["article_id"] == article_id) & batch.events["latitude"].notna()]
    assert not events.empty, f"the pipeline should map an event of {article_id}"
    return events.sort_values("fatalities", ascending=False).iloc[0]


def test_clicking_a_marker_shows_its_excerpt_and_article(visit, batch):
    event = deadliest_mapped_event(batch, "rastan-2011-09")
    popup = visit.click_marker(event["event_id"])
    assert flat(event["notes"]) in flat(popup)
    # Beside the map: the clicked event's article, its places marked.
    visit.page.locator(".newsmap-excerpt mark").first.wait_for()
    retake_picture(visit.page, "dashboard.png")
    assert visit.blocked == []


def test_hostile_article_is_shown_as_text_and_nothing_runs(visit, batch):
    popup = visit.click_marker(deadliest_mapped_event(batch, "hostile")["event_id"])
    for payload in PAYLOADS:
        assert payload in popup
    article = visit.reader_text()
    for payload in PAYLOADS:
        assert payload in article
    # Nothing to wait on: the check is that nothing happens. An injected handler (an image's onerror)
    # would run once the image's fetch failed, a few milliseconds after it was drawn.
    visit.page.wait_for_timeout(SETTLE_MS)
    for frame in visit.page.frames:
        assert frame.evaluate("typeof window.__pwned") == "undefined", frame.url
        assert frame.locator("img[src='x'], a[href^='javascript']").count() == 0, frame.url
    assert visit.blocked == []


def test_deselecting_an_event_type_removes_its_markers(visit):
    types_drawn = visit.marker_types()
    removed = types_drawn[0]
    legend = visit.map.locator(".newsmap-legend")
    assert removed in legend.inner_text()
    visit.page.locator("[data-testid=stSidebar]").get_by_role("button", name=f"Remove {removed}").click()
    visit.map.locator(".newsmap-legend", has_text=removed).wait_for(state="detached")
    expected = sorted(t for t in types_drawn if t != removed)
    # The new layer fetches its rows from the server: wait until they are drawn.
    visit.wait_in_map(f"expected => JSON.stringify(({MARKER_TYPES})().sort()) === JSON.stringify(expected)",
                      expected)
    assert sorted(visit.marker_types()) == expected
    assert visit.map.locator(f".newsmap-event[data-event-type='{removed}']").count() == 0
    assert visit.blocked == []


@pytest.fixture(scope="module")
def store_dashboard(articles_dir, tmp_path_factory):
    """The URL of a dashboard on a real DuckDB store filled by the real ``python -m geo ingest``."""
    db = tmp_path_factory.mktemp("store") / "newsmap.duckdb"
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(articles_dir), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with streamlit_server(db.parent / "streamlit.log", NEWSMAP_DB=str(db)) as url:
        yield url


def test_the_store_is_shown_with_its_articles_heatmap_and_timeline(browser, store_dashboard, batch):
    visit = Visit(browser, store_dashboard)
    try:
        event = deadliest_mapped_event(batch, "rastan-2011-09")
        popup = visit.click_marker(event["event_id"])
        assert flat(event["notes"]) in flat(popup)
        # The article is read from the store for the clicked event, its places marked.
        visit.page.locator(".newsmap-excerpt mark", has_text="Rastan").first.wait_for()
        assert "activist says 10 defectors dead" in flat(visit.reader_text())
        assert visit.page.get_by_role("tab", name="Events per day").count() == 1
        assert visit.map.locator(".leaflet-heatmap-layer").count() == 0
        visit.page.locator("[data-testid=stSidebar]").get_by_text("Heatmap").click()
        visit.map.locator("canvas.leaflet-heatmap-layer").wait_for(state="attached")
        assert visit.blocked == [] and visit.errors == []
    finally:
        visit.close()


def test_an_empty_store_says_how_to_add_articles(browser, tmp_path):
    with streamlit_server(tmp_path / "streamlit.log", NEWSMAP_DB=str(tmp_path / "none.duckdb")) as url:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(url)
            page.get_by_text("newsmap ingest").first.wait_for()
            assert page.get_by_text("Traceback").count() == 0
        finally:
            context.close()


def test_the_dashboard_keeps_working_while_an_ingest_writes(browser, articles_dir, tmp_path):
    db = tmp_path / "newsmap.duckdb"
    seed_only = tmp_path / "first"
    seed_only.mkdir()
    (seed_only / "rastan.txt").write_text((articles_dir / "rastan-2011-09.txt").read_text(encoding="utf-8"))
    assert subprocess.run([sys.executable, "-m", "geo", "ingest", str(seed_only), "--db", str(db)],
                          cwd=ROOT, capture_output=True).returncode == 0
    with streamlit_server(tmp_path / "streamlit.log", NEWSMAP_DB=str(db)) as url:
        visit = Visit(browser, url)
        try:
            drawn = visit.marker_types()
            writer = store.open_store(db)  # what an ingest holds while it runs, and its first write
            try:
                store.GeocodeCache(writer).put("an ingest's first write", "[]")
                visit.page.reload()
                visit.page.get_by_text("An ingest is writing to the store").wait_for()
                visit.map.locator(".leaflet-marker-icon").first.wait_for()
                assert sorted(visit.marker_types()) == sorted(drawn)
            finally:
                writer.close()
            done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(articles_dir), "--db", str(db)],
                                  cwd=ROOT, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            visit.page.reload()
            visit.map.locator(".leaflet-marker-icon").first.wait_for()
            visit.wait_in_map(f"drawn => ({MARKER_TYPES})().length > drawn", len(drawn))
            assert len(visit.marker_types()) > len(drawn), "the new article's events should show after a reload"
            assert visit.page.get_by_text("An ingest is writing").count() == 0
        finally:
            visit.close()


def test_articles_added_from_the_browser_join_the_store_and_paths_cannot_escape(browser, articles_dir, tmp_path):
    import zipfile

    root = tmp_path / "articles"
    (root / "inside").mkdir(parents=True)
    (root / "inside" / "rastan.txt").write_text((articles_dir / "rastan-2011-09.txt").read_text(encoding="utf-8"))
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "private.txt").write_text("Syrian troops shelled Homs on Friday, killing 7 people.")
    (root / "way-out").symlink_to(tmp_path / "secret")
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(articles_dir / "hostile.txt", "news/hostile.txt")
    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as bundle:
        bundle.writestr("../../escaped.txt", "Syrian troops shelled Homs on Friday.")
    db = tmp_path / "newsmap.duckdb"
    with streamlit_server(tmp_path / "streamlit.log", NEWSMAP_DB=str(db), NEWSMAP_ARTICLES_ROOT=str(root)) as url:
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        try:
            page = context.new_page()
            page.goto(url)
            sidebar = page.locator("[data-testid=stSidebar]")
            folder = sidebar.get_by_label("Or a folder inside the articles folder", exact=True)
            submit = sidebar.get_by_role("button", name="Add to the store")
            # Out of the folder, by "..", by an absolute path, or through a link: refused, nothing read.
            for escape in ("../secret", str(tmp_path / "secret"), "way-out"):
                folder.fill(escape)
                submit.click()
                # This attempt's own message: the last one's is still on the page until the rerun ends.
                sidebar.get_by_text(f"{escape!r} is outside the articles folder").wait_for()
            # A file given while the app still runs can be lost with the widget it went to.
            page.locator("[data-testid=stStatusWidgetRunningIcon]").wait_for(state="hidden")
            # A zip whose member climbs out of the upload folder: refused whole.
            sidebar.locator("input[type=file]").set_input_files(str(slip))
            sidebar.get_by_text("slip.zip").wait_for()  # uploaded before the form is sent
            submit.click()
            sidebar.get_by_text("would be written outside the upload folder").wait_for()
            assert not (root / "escaped.txt").exists() and not (tmp_path / "escaped.txt").exists()
            assert not db.exists() or "7 people" not in db.read_bytes().decode("latin-1")
            # A folder inside, and a zip of articles: both join the store and the map.
            folder.fill("inside")
            page.locator("[data-testid=stStatusWidgetRunningIcon]").wait_for(state="hidden")
            sidebar.locator("input[type=file]").set_input_files(str(archive))
            sidebar.get_by_text("batch.zip").wait_for()
            submit.click()
            sidebar.get_by_text("Added to the store").wait_for(timeout=120_000)
            page.frame_locator(MAP_FRAME).locator(".leaflet-marker-icon").first.wait_for()
            assert (root / "uploads" / "batch" / "news" / "hostile.txt").exists()
        finally:
            context.close()
    con = store.open_read_only(db)
    try:
        stored_ids = set(store.read_events(con)["article_id"])
    finally:
        con.close()
    assert stored_ids == {"rastan", "hostile"}


def test_a_shared_url_reopens_the_same_filter(browser, store_dashboard, batch):
    stored = batch.events
    with_word = stored[stored["notes"].str.contains("defectors", case=False) & stored["latitude"].notna()]
    assert 0 < len(with_word) < stored["latitude"].notna().sum()
    visit = Visit(browser, store_dashboard)
    try:
        sidebar = visit.page.locator("[data-testid=stSidebar]")
        words = sidebar.get_by_label("Words in the excerpt", exact=True)
        words.fill("defectors")
        words.press("Enter")
        visit.page.wait_for_url("**q=defectors**")
        assert visit.settled_marker_types(len(with_word)) == sorted(with_word["event_type"])
        shared = visit.page.url
    finally:
        visit.close()
    # Someone else opens the link: the same filter, the same markers.
    again = Visit(browser, shared)
    try:
        assert again.page.locator("[data-testid=stSidebar]").get_by_label(
            "Words in the excerpt", exact=True).input_value() == "defectors"
        assert again.settled_marker_types(len(with_word)) == sorted(with_word["event_type"])
        again.page.get_by_text(f"{len(with_word)}", exact=True).first.wait_for()  # the count of events shown
    finally:
        again.close()


def test_the_map_download_opens_offline_from_a_file(browser, dashboard, tmp_path):
    visit = Visit(browser, dashboard)
    try:
        with visit.page.expect_download() as download:
            visit.page.get_by_role("button", name="Download map (HTML)").click()
        saved = tmp_path / "newsmap.html"
        download.value.save_as(saved)
    finally:
        visit.close()
    context = browser.new_context()
    requests = []
    context.route("**/*", lambda route: (requests.append(route.request.url),
                                         route.continue_() if route.request.url.startswith("file:") else route.abort()))
    try:
        page = context.new_page()
        page.goto(saved.as_uri())
        page.locator(".leaflet-marker-icon").first.wait_for()
        assert page.locator("path").count() > 100  # the country outlines came with the file
        assert [url for url in requests if not url.startswith("file:")] == []
        assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        context.close()


def test_brushing_the_timeline_filters_the_map(browser, store_dashboard, batch):
    mapped = batch.events[batch.events["latitude"].notna()]
    first_day = mapped["event_date"].min()
    expected = sorted(mapped[mapped["event_date"] == first_day]["event_type"])
    assert len(expected) < len(mapped)
    visit = Visit(browser, store_dashboard)
    try:
        visit.page.get_by_role("tab", name="Events per day").click()
        chart = visit.page.locator("[data-testid=stVegaLiteChart]")
        chart.scroll_into_view_if_needed()
        plot = chart.locator("canvas, svg").first
        plot.wait_for()
        width = plot.bounding_box()["width"]
        # Drag along the top of the plot over the first days only, as a user would with the mouse.
        plot.hover(position={"x": 70, "y": 30})
        visit.page.mouse.down()
        plot.hover(position={"x": 70 + (width - 80) * 0.1, "y": 30}, force=True)
        visit.page.mouse.up()
        assert visit.settled_marker_types(len(expected)) == expected
        # The sidebar's date range follows the brush.
        first_input = visit.page.locator("[data-testid=stSidebar] [data-testid=stDateInput] input").first
        assert first_input.input_value() == first_day
    finally:
        visit.close()


def test_correcting_a_place_moves_its_marker_and_is_marked_human(browser, articles_dir, tmp_path):
    db = tmp_path / "newsmap.duckdb"
    assert subprocess.run([sys.executable, "-m", "geo", "ingest", str(articles_dir), "--db", str(db)],
                          cwd=ROOT, capture_output=True).returncode == 0
    with streamlit_server(tmp_path / "streamlit.log", NEWSMAP_DB=str(db)) as url:
        visit = Visit(browser, url)
        try:
            event_id = "hostile#1"  # clashes in Homs
            latitude, _ = visit.marker_position(event_id)
            assert abs(latitude - 34.72) < 0.1
            visit.click_marker(event_id)
            detail = visit.page.locator("[data-testid=stExpander]", has_text="Correct a place")
            detail.get_by_text("Correct a place").click()
            detail.get_by_text("It means").wait_for()
            # The event is the report's "in Homs on Monday" (the headline alone is none): pick that
            # mention, then the Libyan town also called Homs.
            where = HOSTILE_ARTICLE.index("in Homs on Monday") + len("in ")
            visit.wait_for_idle()  # the run that drew the selects may still redraw them
            with visit.rerun():  # picking the mention reruns the script, which draws that mention's candidates
                detail.locator("[data-testid=stSelectbox]").nth(0).click()
                visit.page.get_by_role("option", name=f"Homs (at {where})").click()
            detail.locator("[data-testid=stSelectbox]").nth(1).click()
            visit.page.get_by_role("option", name="Al Khums").click()
            detail.get_by_role("button", name="Use this place").click()
            visit.page.get_by_text("correction(s) kept").wait_for()
            # The map is drawn again around the new bounds; wait for the marker at its new place.
            visit.wait_in_map(f"""([eventId, lat]) => {{
                const at = ({MARKER_POSITION})(eventId);
                return Boolean(at) && Math.abs(at[0] - lat) < 0.1;
            }}""", [event_id, 32.65], timeout_s=30)
            moved = visit.marker_position(event_id)
            assert abs(moved[0] - 32.65) < 0.1 and abs(moved[1] - 14.26) < 0.1, moved
        finally:
            visit.close()
    con = store.open_read_only(db)
    try:
        events = store.read_events(con).set_index("event_id")
    finally:
        con.close()
    assert events.loc["hostile#1", "checked"] == "human" and events.loc["hostile#1", "country"] == "Libya"


def test_the_reader_opens_at_the_excerpt_and_centres_the_map_on_a_place(browser, store_dashboard, batch):
    event = deadliest_mapped_event(batch, "rastan-2011-09")
    visit = Visit(browser, store_dashboard)
    try:
        visit.click_marker(event["event_id"])
        excerpt = visit.page.locator(".newsmap-article .newsmap-excerpt")
        excerpt.wait_for()
        assert flat(excerpt.inner_text()) == flat(event["notes"])
        # The article's events are listed; its places are buttons that move the map.
        visit.page.get_by_role("button", name="Battles · Ar Rastan").first.wait_for()  # drawn after the excerpt
        visit.page.get_by_role("button", name="Lebanon", exact=True).click()
        visit.wait_in_map("""([lat, lng]) => {
            const centre = window.map && window.map.getCenter();
            return Boolean(centre) && Math.abs(centre.lat - lat) < 0.5 && Math.abs(centre.lng - lng) < 0.5;
        }""", [33.83, 35.83], timeout_s=20)
        centre = visit.map_frame().evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng]")
        assert centre and abs(centre[0] - 33.83) < 0.5 and abs(centre[1] - 35.83) < 0.5, centre
        retake_picture(visit.page, "desk.png")
    finally:
        visit.close()


def test_every_event_has_a_permalink(browser, store_dashboard, batch):
    event = deadliest_mapped_event(batch, "rastan-2011-09")
    visit = Visit(browser, store_dashboard)
    try:
        visit.click_marker(event["event_id"])
        visit.page.wait_for_url("**event=" + event["event_id"].replace("#", "%23") + "**")
        link = visit.page.url
    finally:
        visit.close()
    opened = Visit(browser, link)
    try:
        # Opened from the link: the event is selected, its article beside the map.
        opened.page.locator(".newsmap-excerpt").wait_for()
        assert flat(event["notes"]) in flat(opened.page.locator(".newsmap-excerpt").inner_text())
    finally:
        opened.close()


def test_panning_and_zooming_the_map_never_reruns_the_app(browser, store_dashboard, batch):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    sent = []  # what the page tells the server: a rerun request is one of these
    try:
        page = context.new_page()
        page.on("websocket", lambda socket: socket.on("framesent", lambda frame: sent.append(time.monotonic())))
        page.goto(store_dashboard)
        page.frame_locator(MAP_FRAME).locator(".leaflet-marker-icon").first.wait_for()
        wait_until_quiet(page, sent)  # the first run and the map's first report settle
        before = len(sent)
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        box = page.locator(MAP_FRAME).bounding_box()
        middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for dx, dy in ((150, 40), (-220, -90)):  # drag the map about, as a user pans
            page.mouse.move(*middle)
            page.mouse.down()
            page.mouse.move(middle[0] + dx, middle[1] + dy, steps=10)
            page.mouse.up()
        frame.evaluate("() => { window.map.zoomIn(2); window.map.zoomOut(1); }")
        page.mouse.wheel(0, -400)
        # Nothing to wait on: the check is that nothing is sent. The map reports a move 250 ms after it
        # ends (the wheel's zoom ends within one second): three seconds would see that report.
        page.wait_for_timeout(3000)
        assert len(sent) == before, "panning or zooming sent a request to the server: the app reran"
        # The check can see a rerun: a marker click is one.
        event_id = deadliest_mapped_event(batch, "rastan-2011-09")["event_id"]
        reveal(frame, event_id)
        page.frame_locator(MAP_FRAME).locator(f"[data-test-target='{event_id}']").click()
        page.locator(".newsmap-excerpt").wait_for()
        assert len(sent) > before
    finally:
        context.close()


def test_thousands_of_events_cluster_and_each_can_be_reached(browser, batch, tmp_path):
    """5,000 events in a few hundred elements; every event counted, and zooming in opens the clusters."""
    import numpy as np

    from geo import mapview

    mapped = batch.events[batch.events["latitude"].notna()]
    rng = np.random.default_rng(3)
    many = mapped.sample(5000, replace=True, random_state=3).reset_index(drop=True)
    many["event_id"] = [f"e{i}" for i in range(len(many))]
    many["latitude"] = many["latitude"] + rng.normal(0, 2, len(many))
    many["longitude"] = many["longitude"] + rng.normal(0, 2, len(many))
    saved = tmp_path / "many.html"
    saved.write_text(mapview.standalone_html(many), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.goto(saved.as_uri())
        page.locator(".leaflet-marker-icon").first.wait_for()
        wait_until_at_rest(page)  # the map zooms to the events' bounds
        singles = page.locator(".newsmap-event").count()
        clusters = page.locator(".newsmap-cluster").all_inner_texts()
        assert 0 < singles + len(clusters) < 500
        assert singles + sum(int(count) for count in clusters) == len(many)  # none lost, none twice
        zoom = "Object.values(window).find(value => value instanceof L.Map).getZoom()"
        before = page.evaluate(zoom)
        # Clusters are drawn a screen beyond each edge too, ready for a pan: click one in view.
        page.evaluate("""() => [...document.querySelectorAll(".newsmap-cluster")].find(element => {
            const box = element.getBoundingClientRect();
            return box.left > 50 && box.top > 50 && box.right < innerWidth - 50 && box.bottom < innerHeight - 50;
        }).dataset.testTarget = "cluster" """)
        page.locator("[data-test-target='cluster']").click()
        page.wait_for_function(f"before => {zoom} > before", arg=before)  # the zoom animation has ended
        wait_until_at_rest(page)
        assert page.evaluate(zoom) > before
        event_id = "e4321"
        assert reveal_in(page, event_id)
        page.locator(f"[data-test-target='{event_id}']").click()
        popup = page.locator(".leaflet-popup-content .newsmap-popup[data-ready]").last
        assert flat(many.loc[4321, "notes"]) in flat(popup.inner_text())
    finally:
        page.close()
