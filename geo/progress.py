"""How an ingest's progress is shown to whoever runs it: a terminal, a log, or another program.

``ingest`` reports structured counts (an ``IngestReport``) and notes to a ``Progress``; this
module draws them. In a terminal, a tqdm bar redrawn in place; in a log or a pipe, a plain
line every few seconds and never a control character; for another program (the dashboard
runs the ingest in a process of its own), one JSON object a line.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Protocol, TextIO

from tqdm import tqdm

LINE_EVERY_S = 2.0  # a log gets a line this often at most: enough to see it move, not to flood it


class Report(Protocol):
    new: int
    changed: int
    unchanged: int
    failed: int
    seconds: float

    def summary(self) -> str: ...


class Progress(Protocol):
    """What an ingest tells of its progress."""

    def update(self, report: Report) -> None: ...

    def note(self, message: str) -> None: ...

    def finish(self, report: Report) -> None: ...


def counts(report: Report) -> dict[str, int]:
    """The report's counts by name: what a program reading the progress receives."""
    return {"new": report.new, "changed": report.changed, "unchanged": report.unchanged, "failed": report.failed}


class LineProgress:
    """A plain line ``ingest: <summary>`` at most every ``interval_s`` seconds, for logs and pipes."""

    def __init__(self, stream: TextIO, interval_s: float = LINE_EVERY_S):
        self.stream, self.interval_s = stream, interval_s
        self._shown_at = time.perf_counter()  # the first line after a first interval, not at once
        self._last_counts: dict | None = None

    def update(self, report: Report) -> None:
        now = time.perf_counter()
        if now - self._shown_at >= self.interval_s and counts(report) != self._last_counts:
            self._shown_at, self._last_counts = now, counts(report)
            self._line(f"ingest: {report.summary()}")

    def note(self, message: str) -> None:
        self._line(message)

    def finish(self, report: Report) -> None:
        if counts(report) != self._last_counts:  # the last line drawn may already say it all
            self._line(f"ingest: {report.summary()}")

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


class JsonProgress(LineProgress):
    """One JSON object a line (``{"progress": {...}}``, ``{"note": ...}``, ``{"done": {...}}``), for programs."""

    def __init__(self, stream: TextIO, interval_s: float = 0.25):
        super().__init__(stream, interval_s)

    def update(self, report: Report) -> None:
        now = time.perf_counter()
        if now - self._shown_at >= self.interval_s:
            self._shown_at = now
            self._line(json.dumps({"progress": counts(report)}))

    def note(self, message: str) -> None:
        self._line(json.dumps({"note": message}))

    def finish(self, report: Report) -> None:
        self._line(json.dumps({"done": counts(report), "summary": report.summary()}))


class TerminalProgress:
    """A tqdm bar of the articles done, with the counts beside it, redrawn in place."""

    def __init__(self, stream: TextIO):
        self._bar = tqdm(file=stream, unit=" articles", desc="ingest", dynamic_ncols=True, leave=False)

    def update(self, report: Report) -> None:
        done = report.new + report.changed + report.unchanged + report.failed
        self._bar.update(done - self._bar.n)
        self._bar.set_postfix_str(f"{report.new} new, {report.changed} changed, {report.unchanged} unchanged, "
                                  f"{report.failed} failed", refresh=False)

    def note(self, message: str) -> None:
        self._bar.write(message, file=self._bar.fp)

    def finish(self, report: Report) -> None:
        self._bar.close()
        self._bar.fp.write(f"ingest: {report.summary()}\n")
        self._bar.fp.flush()


def for_stream(stream: TextIO | None = None, as_json: bool = False) -> Progress:
    """The progress fit for ``stream`` (stderr by default): JSON when asked, a bar in a terminal, else lines."""
    stream = stream or sys.stderr
    if as_json:
        return JsonProgress(stream)
    isatty = getattr(stream, "isatty", None)
    return TerminalProgress(stream) if isatty and isatty() else LineProgress(stream)
