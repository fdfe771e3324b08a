"""Shared fixtures: the seed article and a hostile one, read once per session by the real pipeline.

Tests that read the benchmark corpora of ../shared/bench ask for ``shared_bench``; without that
folder they are skipped, and the summary says how many.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rastan-2011-09.txt"
# The benchmark corpora, in the checkout of ../shared beside this one.
SHARED_BENCH = ROOT.parent / "shared" / "bench"
SHARED_MISSING = f"{SHARED_BENCH} is missing: clone newsmap beside ../shared to run the tests that read its corpora"
# Article text is untrusted: each payload sets window.__pwned if it ever runs.
PAYLOADS = ("<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">')
HOSTILE_TITLE = f"Clashes in Homs {PAYLOADS[0]} {PAYLOADS[1]}"
HOSTILE_ARTICLE = f"""{HOSTILE_TITLE}

HOMS, Syria, October 3, 2011 - Syrian troops clashed with army defectors in Homs on Monday {PAYLOADS[0]} \
{PAYLOADS[1]}, killing three soldiers, activists said.

[a link](javascript:window.__pwned=1) and **not bold**: Markdown in an article stays text.
"""


@pytest.fixture(scope="session")
def shared_bench():
    """A file or folder of ``../shared/bench``, by its path inside it: ``shared_bench("geoparse/lgl.jsonl")``.

    A test that asks for this fixture, itself or through another fixture, is marked ``shared``: when
    ``../shared/bench`` is missing it is skipped and counted in the summary.  A single missing file skips
    the test that reads it, naming the file.
    """
    def path_of(relative: str) -> Path:
        path = SHARED_BENCH / relative
        if not path.exists():
            pytest.skip(f"{path} is missing: update ../shared to run this")
        return path

    return path_of


def pytest_collection_modifyitems(items):
    """Mark ``shared`` every test that needs ``shared_bench``; skip the marked ones when ../shared/bench is missing."""
    for item in items:
        if "shared_bench" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared)
        if item.get_closest_marker("shared") and not SHARED_BENCH.is_dir():
            item.add_marker(pytest.mark.skip(reason=SHARED_MISSING))


def pytest_terminal_summary(terminalreporter):
    """How many tests did not run for want of ../shared/bench, so that a green run without it says so."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if "shared" in report.keywords]
    if not skipped:
        return
    absent = sum(report.longrepr[-1].endswith(SHARED_MISSING) for report in skipped)
    if absent:
        terminalreporter.write_line(f"{tests_counted(absent)} skipped because ../shared/bench is absent ({SHARED_BENCH})",
                                    yellow=True)
    if len(skipped) > absent:
        terminalreporter.write_line(f"{tests_counted(len(skipped) - absent)} skipped for a file missing from "
                                    "../shared/bench (-rs names it)", yellow=True)


def tests_counted(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"


@pytest.fixture(scope="session")
def articles_dir(tmp_path_factory) -> Path:
    """A folder with a copy of the seed article, the hostile article and an unreadable one."""
    folder = tmp_path_factory.mktemp("articles")
    shutil.copy(SEED, folder / SEED.name)
    (folder / "hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01 not text")
    return folder


@pytest.fixture(scope="session")
def batch(articles_dir):
    """What the real pipeline reads from ``articles_dir``."""
    from geo.pipeline import process_paths

    return process_paths([articles_dir])


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def cli(capsys):
    """The command line in this process (no start-up cost): returns its exit code, stdout and stderr."""
    from geo.__main__ import main

    def run(*args):
        capsys.readouterr()
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
