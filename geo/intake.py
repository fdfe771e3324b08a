"""What the dashboard hands to the store: articles (folders inside the articles root, uploads) and corrections.

The dashboard never opens a path a user typed without ``inside``: a folder named in the
browser resolves (links followed) within the root the user chose when starting it, or is
refused.  Uploads are written under ``ROOT/uploads/``; a zip is unpacked there member by
member, refusing members that would land outside it and stopping at a size cap.
The ingest and the corrections run as the command line in a process of its own, so the
store keeps its one writer and the dashboard its read-only connection.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from geo import archives
from geo.articles import ARTICLE_SUFFIXES
from geo.errors import ArchiveError, PathOutsideError, UploadError
from geo.paths import checkout

UPLOADS = "uploads"


def inside(root: Path | str, requested: str) -> Path:
    """``requested`` (relative to ``root``, or absolute) as a real path inside ``root``.

    Raises ``PathOutsideError`` for anything that leaves it: ``..``, an absolute path
    elsewhere, or a link pointing out.

    >>> inside("/tmp", "../etc")
    Traceback (most recent call last):
    ...
    geo.errors.PathOutsideError: '../etc' is outside the articles folder /tmp; name a folder inside it
    """
    base = Path(root).resolve()
    target = (base / requested.strip()).resolve()
    if target != base and base not in target.parents:
        raise PathOutsideError(f"{requested!r} is outside the articles folder {base}; name a folder inside it")
    if not target.exists():
        raise PathOutsideError(f"{requested!r} does not exist in the articles folder {base}; check the name")
    return target


def safe_name(name: str) -> str:
    """A file name that stays one file name: no folders, no leading dots, no odd characters.

    >>> safe_name("../../etc/passwd.txt")
    'passwd.txt'
    """
    return archives.safe_part(name)


def save_upload(root: Path | str, name: str, data: bytes) -> list[Path]:
    """Write one uploaded file (an article, or a zip of them) under ``root/uploads``; return what was saved."""
    folder = Path(root) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    name = safe_name(name)
    if name.lower().endswith(".zip"):
        return list(_unzip(data, folder / Path(name).stem, name))
    if not name.lower().endswith(ARTICLE_SUFFIXES):
        raise UploadError(f"{name}: not an article file; upload .txt, .html, .json, .jsonl or a .zip of them")
    target = folder / name
    target.write_bytes(data)
    return [target]


def _unzip(data: bytes, folder: Path, name: str) -> Iterator[Path]:
    """Write the article files of an uploaded zip under ``folder``, within ``geo.archives``' limits."""
    base = folder.resolve()
    try:
        found = list(archives.members(data, name, ARTICLE_SUFFIXES))
    except ArchiveError as exc:
        raise UploadError(str(exc)) from None
    for member in found:
        if isinstance(member, archives.Skipped):
            continue  # the ingest reads what is written; a skipped member is no article
        target = folder.joinpath(*member.parts)
        if base not in target.resolve().parents:
            raise UploadError(f"{name}: the member {member.name!r} would be written outside the upload folder; "
                              "it was refused")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(member.data)
        yield target


def ingest_paths(paths: list[Path], db: Path | str,
                 on_progress: Callable[[dict[str, int]], None] | None = None) -> tuple[int, str]:
    """Run ``newsmap ingest PATHS --db DB`` and report its counts as they come; return (exit code, what it said).

    The ingest reports its progress as JSON lines (``--progress json``); what it says besides
    (skipped files, errors) is returned as text.
    """
    command = [sys.executable, "-m", "geo", "ingest", *map(str, paths), "--db", str(db), "--progress", "json"]
    process = subprocess.Popen(command, cwd=checkout(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, bufsize=1)
    said = []
    for line in process.stderr:
        message = _progress_message(line)
        if message is None:
            said.append(line.strip())
        elif "note" in message:
            said.append(str(message["note"]))
        elif on_progress:
            on_progress(message.get("progress") or message["done"])
    process.wait()
    return process.returncode, "\n".join(line for line in said if line)


def _progress_message(line: str) -> dict | None:
    """One JSON line of the ingest's progress, or None for a line of plain text (an error, a warning)."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) and message.keys() & {"progress", "note", "done"} else None


def run_correction(db: Path | str, *args: str) -> tuple[int, str]:
    """Run ``newsmap correct ARGS --db DB`` (the store's one writer); return (exit code, what it said)."""
    done = subprocess.run([sys.executable, "-m", "geo", "correct", *map(str, args), "--db", str(db)],
                          cwd=checkout(), capture_output=True, text=True)
    return done.returncode, done.stderr.strip()
