"""Shared fixtures: the seed article and a hostile one, read once per session by the real pipeline."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rastan-2011-09.txt"
# Article text is untrusted: each payload sets window.__pwned if it ever runs.
PAYLOADS = ("<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">')
HOSTILE_TITLE = f"Clashes in Homs {PAYLOADS[0]} {PAYLOADS[1]}"
HOSTILE_ARTICLE = f"""{HOSTILE_TITLE}

HOMS, Syria, October 3, 2011 - Syrian troops clashed with army defectors in Homs on Monday {PAYLOADS[0]} \
{PAYLOADS[1]}, killing three soldiers, activists said.

[a link](javascript:window.__pwned=1) and **not bold**: Markdown in an article stays text.
"""


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
