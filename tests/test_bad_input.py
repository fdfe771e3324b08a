"""The real command line on the generated bad-input corpus (tests/bad_inputs.py) mixed with good articles.

Every good article is processed, every bad input is reported by name with what is wrong and
what to do, the summary counts both, nothing shows a traceback, and memory stays bounded.
"""

import ctypes
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from bad_inputs import generate, restore_permissions

from geo.articles import Article, read_file, read_paths
from geo.errors import ArticleError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rastan-2011-09.txt"
MAX_RSS_MB = 1536
MAX_SECONDS = 60
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def drop_file_access_override() -> None:
    """Run the child as root would run without its power to read any file (CAP_DAC_*).

    Root ignores file permissions, so a chmod 000 file is readable to it; with these two
    capabilities gone from the bounding set, the child meets permissions as any user does.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def access_control() -> tuple[object, str | None]:
    """How to make file permissions bind the child: (preexec function or None, reason they cannot)."""
    if os.geteuid() != 0:
        return None, None
    probe = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=drop_file_access_override,
                           capture_output=True)
    if probe.returncode != 0:
        return None, "running as root, and root's override of file permissions cannot be dropped here"
    return drop_file_access_override, None


@dataclass
class Run:
    """One run of ``python -m geo ingest`` on the corpus."""

    corpus: Path
    entries: list
    returncode: int
    stdout: str
    stderr: str
    events: pd.DataFrame
    peak_rss_mb: float
    seconds: float
    access_enforced: bool
    access_note: str | None


def run_measured(command: list[str], preexec, timeout: float) -> tuple[int, str, str, float]:
    """Run ``command``; its exit code, stdout, stderr and peak resident memory (MB), its own and no other's."""
    with open(os.devnull, "rb") as stdin:
        process = subprocess.Popen(command, cwd=ROOT, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   preexec_fn=preexec)
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    # Read both pipes while it runs: a full pipe would stall it.
    output = {}
    readers = [threading.Thread(target=lambda name=name, pipe=pipe: output.__setitem__(name, pipe.read()))
               for name, pipe in (("stdout", process.stdout), ("stderr", process.stderr))]
    for reader in readers:
        reader.start()
    # wait4 gives this child's own peak memory; RUSAGE_CHILDREN would give the largest of all children so far.
    _, status, usage = os.wait4(process.pid, 0)
    killer.cancel()
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return (process.returncode, output["stdout"].decode("utf-8", "replace"),
            output["stderr"].decode("utf-8", "replace"), usage.ru_maxrss / 1024)


@pytest.fixture(scope="module")
def ingest_run(tmp_path_factory) -> Run:
    corpus = tmp_path_factory.mktemp("bad-input") / "corpus"
    entries = generate(corpus)
    preexec, note = access_control()
    enforced = note is None
    if not enforced:  # they would be read like any file: leave them out rather than expect the impossible
        restore_permissions(corpus)
        shutil.rmtree(corpus / "locked-folder")
        (corpus / "locked.txt").unlink()
    out = corpus.parent / "events.csv"
    started = time.perf_counter()
    help_text = subprocess.run([sys.executable, "-m", "geo", "ingest", "--help"], cwd=ROOT, capture_output=True,
                               text=True).stdout
    store_flag = ["--no-store"] if "--no-store" in help_text else []
    returncode, stdout, stderr, peak = run_measured(
        [sys.executable, "-m", "geo", "ingest", str(corpus), "--out", str(out), *store_flag], preexec,
        timeout=2 * MAX_SECONDS)
    seconds = time.perf_counter() - started
    events = pd.read_csv(out, dtype={"article_id": str}) if out.exists() else None
    yield Run(corpus, entries, returncode, stdout, stderr, events, peak, seconds, enforced, note)
    restore_permissions(corpus)


def expected_bad(run: Run) -> list:
    return [e for e in run.entries if not e.good and (run.access_enforced or not e.needs_access_control)]


def report_lines(run: Run) -> list[str]:
    """stderr as the user reads it: progress redraws ("\\r") end a line too."""
    return [line.strip() for line in run.stderr.replace("\r", "\n").splitlines() if line.strip()]


def test_every_good_article_gives_its_events(ingest_run, gazetteer):
    """The CLI's events for each good article are those the pipeline gives it in process."""
    from geo.pipeline import process_article

    assert ingest_run.events is not None, ingest_run.stderr
    good = [e for e in ingest_run.entries if e.good]
    paths = [ingest_run.corpus / e.name for e in good]
    articles = [a for a in read_paths(paths) if isinstance(a, Article)]
    assert sorted(a.article_id for a in articles) == sorted(i for e in good for i in e.article_ids)
    for article in articles:
        expected = process_article(article, gazetteer).events
        assert expected, f"{article.article_id} gives no event: choose texts that report one"
        written = ingest_run.events[ingest_run.events["article_id"] == article.article_id]
        assert list(written["event_id"]) == [e.event_id for e in expected]
        assert list(written["event_type"]) == [e.event_type for e in expected]
        assert list(written["excerpt_start"]) == [e.excerpt_start for e in expected]
    assert not ingest_run.events["event_id"].duplicated().any(), "a file reached twice (the loop) is read once"


def test_encodings_are_honoured(ingest_run):
    """UTF-16 with a BOM, Latin-1 and UTF-8 cut inside a character read as the text that was written."""
    encoded = [entry for entry in ingest_run.entries if entry.text is not None]
    assert encoded, "the corpus should hold files in other encodings"
    for entry in encoded:
        (article,) = read_file(ingest_run.corpus / entry.name)
        assert article.text == entry.text, entry.name


def test_every_bad_input_is_reported_by_name_with_what_to_do(ingest_run):
    lines = report_lines(ingest_run)
    bad = expected_bad(ingest_run)
    assert bad, "the corpus should hold bad inputs"
    for entry in bad:
        named = [line for line in lines if f"{ingest_run.corpus / entry.name}:" in line]
        assert len(named) == 1, f"{entry.name} ({entry.kind}) reported {len(named)} times:\n" + "\n".join(lines)
        for fragment in entry.reason:
            assert fragment.lower() in named[0].lower(), f"{entry.name}: {fragment!r} not in {named[0]!r}"


def test_exit_status_and_summary_count_read_and_skipped(ingest_run):
    assert ingest_run.returncode == 0, ingest_run.stderr[-2000:]
    good_articles = sum(len(e.article_ids) for e in ingest_run.entries if e.good)
    summary = f"{good_articles} articles read, {len(expected_bad(ingest_run))} skipped"
    assert any(line.startswith(summary) for line in report_lines(ingest_run)), ingest_run.stderr[-2000:]


def test_no_traceback_is_shown(ingest_run):
    assert report_lines(ingest_run), "the ingest should report what it read and skipped"
    for output in (ingest_run.stdout, ingest_run.stderr):
        assert "Traceback" not in output and 'File "' not in output


def test_memory_and_time_stay_bounded(ingest_run):
    """A 50 MB text and a 5 MB line are refused before the pipeline; the run stays small and quick."""
    print(f"bad-input ingest: {len(ingest_run.entries)} entries, peak RSS {ingest_run.peak_rss_mb:.0f} MB, "
          f"{ingest_run.seconds:.1f} s")
    assert ingest_run.peak_rss_mb < MAX_RSS_MB
    assert ingest_run.seconds < MAX_SECONDS


def test_a_file_without_read_permission_is_reported(ingest_run):
    if not ingest_run.access_enforced:
        pytest.skip(ingest_run.access_note)
    lines = report_lines(ingest_run)
    locked = [entry for entry in ingest_run.entries if entry.needs_access_control]
    assert locked, "the corpus should hold files that cannot be read"
    for entry in locked:
        named = [line for line in lines if f"{ingest_run.corpus / entry.name}:" in line]
        assert named and all(f.lower() in named[0].lower() for f in entry.reason), entry.name


def test_a_file_that_vanishes_during_the_ingest_is_reported(tmp_path):
    """Listed with its folder, deleted while the first article is read: reported, not raised."""
    for name in ("first.txt", "second.txt", "third.txt"):
        (tmp_path / name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    items = read_paths([tmp_path])
    first = next(items)  # the folder is listed whole before its first file is read
    (tmp_path / "second.txt").unlink()
    rest = list(items)
    assert isinstance(first, Article) and isinstance(rest[1], Article)
    assert isinstance(rest[0], ArticleError) and rest[0].path.endswith("second.txt")
    assert "vanished" in rest[0].reason and "ingest it again" in rest[0].reason


@pytest.fixture(scope="module")
def gazetteer():
    from geo.gazetteer import load

    return load()
