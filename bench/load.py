"""The desk under load: many sessions on one dashboard at once, each filtering and clicking markers.

    python bench/load.py [--sessions 20] [--events 50000] [--seconds 60] [--pause 0] [--json]

A real ``streamlit run`` server on loopback shows a store of ``--events`` events (the pipeline's
events of the LGL corpus, repeated and jittered, as ``bench/throughput.py`` builds them). Each
session speaks to it as a browser tab does, over Streamlit's websocket: it opens the page, then
until the time is up changes the excerpt filter to a word and clicks a marker (the map reports
the click as streamlit-folium does), one interaction after the other, or with ``--pause`` seconds
(on average; each pause drawn between half and one and a half of it) between them, as a person
reads what the last one showed. A session is only the
websocket, not a browser, so the figures are the server's: the time from a session's message
to the server's ``script_finished`` for it, while every other session is busy too. Printed:
p50/p95 of each kind of interaction, errors (a run that did not finish, a script exception
shown on the page, a dropped connection, a click that drew no article), and the server's
resident memory at start, after a warm-up of the same load (``--warmup``), and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import websockets
from desk import lgl_store, serve
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from throughput import events_store

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("police", "killed", "protest", "army", "fire", "school", "court", "city", "shooting", "county")
RUN_TIMEOUT_S = 60


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Session:
    """One tab's websocket: reruns the page with widget values and waits for the run to end."""

    def __init__(self, port: int):
        self.port = port
        self.widgets: dict[str, str] = {}  # label -> widget id, as the page's elements name them
        self.articles_shown = 0  # runs that drew the clicked event's article beside the map
        self.exceptions: list[str] = []  # what the page showed when a run failed

    async def __aenter__(self):
        self.socket = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{self.port}", max_size=None)
        return self

    async def __aexit__(self, *exc):
        await self.socket.close()

    async def run(self, states: list) -> tuple[float, bool]:
        """Seconds until the server finished the rerun; and whether the page showed no exception."""
        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_script_hash = getattr(self, "page_hash", "")
        for state in states:
            message.rerun_script.widget_states.widgets.append(state)
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        clean = True
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), RUN_TIMEOUT_S)
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = forward.new_session.page_script_hash
            elif kind == "delta":
                clean &= self._read(forward)
            elif kind == "script_finished":
                return time.perf_counter() - started, clean

    def _read(self, forward) -> bool:
        delta = forward.delta
        if delta.WhichOneof("type") != "new_element":
            return True
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.exceptions.append(f"{element.exception.type}: {element.exception.message[:200]}")
            return False
        if kind == "markdown" and "newsmap-article" in element.markdown.body:
            self.articles_shown += 1
        if kind == "text_input":
            self.widgets[element.text_input.label] = element.text_input.id
        elif kind == "component_instance" and "folium" in element.component_instance.component_name:
            self.widgets["map"] = element.component_instance.id
        return True


def text_state(widget_id: str, value: str):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=widget_id, string_value=value)


def click_state(widget_id: str, event_id: str):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    clicked = {"last_active_drawing": {"type": "Feature", "properties": {"event_id": event_id}}}
    return WidgetState(id=widget_id, json_value=json.dumps(clicked))


async def one_session(port: int, deadline: float, event_ids: list[str], seed: int, timings: dict, errors: list,
                      pause: float = 0.0):
    chance = random.Random(seed)

    async def read_a_while():
        if pause > 0:
            await asyncio.sleep(chance.uniform(0.5 * pause, 1.5 * pause))

    try:
        async with Session(port) as session:
            seconds, clean = await session.run([])
            timings["open"].append(seconds)
            words = session.widgets.get("Words in the excerpt")
            if words is None or "map" not in session.widgets:
                errors.append("the page showed no excerpt filter or no map")
                return
            while time.perf_counter() < deadline:
                await read_a_while()
                word = chance.choice(WORDS)
                seconds, clean = await session.run([text_state(words, word)])
                timings["filter"].append(seconds)
                if not clean:
                    errors.append(f"an exception on the page after filtering by {word!r}: {session.exceptions[-1:]}")
                await read_a_while()
                event_id = chance.choice(event_ids)
                seconds, clean = await session.run([text_state(words, ""), click_state(session.widgets["map"],
                                                                                       event_id)])
                timings["click"].append(seconds)
                if not clean:
                    errors.append(f"an exception on the page after clicking {event_id}: {session.exceptions[-1:]}")
            if timings["click"] and not session.articles_shown:
                errors.append("no click drew its article beside the map")
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")


async def load(port: int, sessions: int, seconds: float, event_ids: list[str],
               pause: float = 0.0) -> tuple[dict, list]:
    timings = {"open": [], "filter": [], "click": []}
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(one_session(port, deadline, event_ids, n, timings, errors, pause)
                           for n in range(sessions)))
    return timings, errors


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"count": 0, "p50_s": None, "p95_s": None}
    return {"count": len(values), "p50_s": round(float(np.percentile(values, 50)), 3),
            "p95_s": round(float(np.percentile(values, 95)), 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of load before the measured run")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="mean seconds a session waits between interactions (0: none, the worst case)")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsmap-load-") as scratch:
        scratch = Path(scratch)
        source_db = lgl_store(scratch)
        big_db = scratch / "big.duckdb"
        frame = events_store(source_db, args.events, big_db)
        server, url = serve(big_db)
        port = int(url.rsplit(":", 1)[1])
        try:
            started_mb = resident_mb(server.pid)
            # A warm-up with every session: the caches fill as in the first minutes of any real use.
            asyncio.run(load(port, args.sessions, args.warmup, list(frame["event_id"]), args.pause))
            warm_mb = resident_mb(server.pid)
            timings, errors = asyncio.run(load(port, args.sessions, args.seconds, list(frame["event_id"]), args.pause))
            end_mb = resident_mb(server.pid)
            alive = server.poll() is None
        finally:
            server.kill()
    figures = {"sessions": args.sessions, "events": args.events, "seconds": args.seconds, "pause_s": args.pause,
               **{kind: percentiles(values) for kind, values in timings.items()},
               "errors": len(errors), "error_examples": sorted(set(errors))[:5], "server_alive": alive,
               "server_mb_at_start": round(started_mb, 1), "server_mb_warm": round(warm_mb, 1),
               "server_mb_at_end": round(end_mb, 1),
               "memory_growth_over_run": round(end_mb / warm_mb - 1, 3) if warm_mb else None}
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0 if not errors and alive else 1


if __name__ == "__main__":
    sys.exit(main())
