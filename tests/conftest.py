"""Shared fixtures: the seed article and a hostile one, read once per session by the real pipeline."""

import shutil
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


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives the real dashboard in Chromium (runs by default; skip with -m 'not browser')")


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
