"""Opt-in online geocoding against a local HTTP server on 127.0.0.1 that plays Nominatim and its failures.

Never a real service: the server answers like Nominatim, or times out, refuses,
rate-limits, or answers garbage, and the real command line runs against it.
"""

import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from geo import store
from geo.__main__ import main

ARTICLE = """Clashes near Homs

HOMS, Syria, October 3, 2011 - Syrian troops shelled the village of Ruramba near Homs on Monday, killing four \
civilians, activists said. Protesters later gathered in Kafr Zeitoun.
"""
# Where our pretend Nominatim puts the two villages the gazetteer does not know.
VILLAGES = {"ruramba": (34.81, 36.62), "kafr zeitoun": (35.31, 36.66)}
TIMEOUT_S = 0.5


class PretendNominatim(http.server.BaseHTTPRequestHandler):
    """Answers /search like Nominatim, or fails the way ``server.mode`` says."""

    def do_GET(self):  # the name http.server calls
        server = self.server
        query = parse_qs(urlsplit(self.path).query)
        server.requests.append((time.monotonic(), self.headers.get("User-Agent", ""), query))
        mode = server.mode
        if mode == "timeout":
            time.sleep(TIMEOUT_S * 3)
            body, status = b"[]", 200
        elif mode == "forbidden":
            body, status = b"<html>blocked</html>", 403
        elif mode == "rate limit":
            body, status = b"<html>slow down</html>", 429
        elif mode == "not json":
            body, status = b"<html><body>captive portal: log in to the hotel wifi</body></html>", 200
        elif mode == "wrong json":
            body, status = json.dumps([{"lat": "north", "lon": None, "display_name": 7}]).encode(), 200
        elif mode == "hostile":
            # Any name is "found", under a name that is a script-injection payload.
            name = server.hostile_names[len(server.requests) % len(server.hostile_names)]
            answers = [{"lat": str(34.7 + len(server.requests) / 100), "lon": "36.7", "name": name,
                        "addresstype": "village", "display_name": name, "address": {"country_code": "sy"}}]
            body, status = json.dumps(answers).encode(), 200
        else:
            name = query.get("q", [""])[0].lower()
            answers = []
            if name in VILLAGES:
                lat, lon = VILLAGES[name]
                answers = [{"lat": str(lat), "lon": str(lon), "name": name.title(), "addresstype": "village",
                            "display_name": f"{name.title()}, Homs Governorate, Syria",
                            "address": {"village": name.title(), "country_code": "sy"}}]
            body, status = json.dumps(answers).encode(), 200
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout): nothing to answer

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PretendNominatim)
    server.mode, server.requests = "answer", []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "articles" / "homs.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def run(capsys, *args):
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def places_of(db) -> pd.DataFrame:
    con = store.open_read_only(db)
    try:
        return store.read_places(con)
    finally:
        con.close()


def test_unknown_villages_are_placed_online_politely_and_asked_once(capsys, nominatim, article, tmp_path):
    db = tmp_path / "store.duckdb"
    code, _, err = run(capsys, "ingest", article, "--db", db, "--geocoder", "nominatim",
                       "--geocoder-url", url(nominatim))
    assert code == 0, err
    places = places_of(db).set_index("text")
    for name, (lat, lon) in (("Ruramba", VILLAGES["ruramba"]), ("Kafr Zeitoun", VILLAGES["kafr zeitoun"])):
        assert (places.loc[name, "latitude"], places.loc[name, "longitude"]) == (lat, lon)
        assert places.loc[name, "status"] == "resolved" and places.loc[name, "reason"].startswith("nominatim")
    # What the gazetteer resolved was never sent out.
    asked = sorted(query["q"][0] for _, _, query in nominatim.requests)
    assert asked == ["Kafr Zeitoun", "Ruramba"]
    assert all("newsmap" in agent for _, agent, _ in nominatim.requests)
    first, second = (when for when, _, _ in nominatim.requests)
    assert second - first >= 0.95, "Nominatim's policy is one request per second"
    # The event the village gave is where the provider put it.
    code, out, _ = run(capsys, "export", "--db", db, "--out", tmp_path / "events.csv")
    events = pd.read_csv(tmp_path / "events.csv")
    assert (events["location"] == "Ruramba").any()

    # Changed article, same names: answered from the store's cache, nothing asked again.
    article.write_text(ARTICLE + "\nMore shelling hit Ruramba on Tuesday.\n", encoding="utf-8")
    code, _, err = run(capsys, "ingest", article, "--db", db, "--geocoder", "nominatim",
                       "--geocoder-url", url(nominatim))
    assert code == 0 and len(nominatim.requests) == 2, err


@pytest.mark.parametrize("mode, said", [
    ("timeout", "timed out"),
    ("forbidden", "refused the request (forbidden)"),
    ("rate limit", "too many requests (rate limit)"),
    ("not json", "not a geocoding result"),
    ("wrong json", "not a geocoding result"),
    ("closed", "could not be reached"),
])
def test_a_failing_provider_falls_back_to_the_gazetteer_with_a_warning(capsys, nominatim, article, tmp_path,
                                                                        mode, said):
    code, offline, _ = run(capsys, "ingest", article, "--no-store")
    assert code == 0
    address = url(nominatim)
    if mode == "closed":
        nominatim.shutdown()
        nominatim.server_close()  # nothing listens there any more: connection refused
    nominatim.mode = mode
    started = time.monotonic()
    code, online, err = run(capsys, "ingest", article, "--no-store", "--geocoder", "nominatim",
                            "--geocoder-url", address, "--geocoder-timeout", TIMEOUT_S)
    assert code == 0
    assert "Traceback" not in err
    # Nothing lost: the offline answers stand, every event as without the provider.
    assert online == offline
    warning = next(line for line in err.splitlines() if line.startswith("warning: online geocoder nominatim"))
    assert said in warning and "offline gazetteer's answers were kept for 2 mentions" in warning
    assert time.monotonic() - started < 15


def test_a_bad_geocoder_address_is_a_clear_error(capsys, article):
    code, _, err = run(capsys, "ingest", article, "--no-store", "--geocoder", "nominatim",
                       "--geocoder-url", "ftp://example.org")
    assert code == 2 and "is not an http(s) address" in err


def test_online_geocoding_is_refused_on_dask(capsys, article, tmp_path):
    pytest.importorskip("dask.distributed")
    code, _, err = run(capsys, "ingest", article, "--db", tmp_path / "s.duckdb", "--geocoder", "nominatim",
                       "--engine", "dask")
    assert code == 2 and "online geocoder runs in one process only" in err
