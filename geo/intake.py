"""What the dashboard hands to the store: articles (folders inside the articles root, uploads) and corrections.

The dashboard never opens a path a user typed without ``inside``: a folder named in the
browser resolves (links followed) within the root the user chose when starting it, or is
refused.  Uploads are written under ``ROOT/uploads/``; a zip is unpacked there member by
member, refusing members that would land outside it and stopping at a size cap.
The ingest and the corrections run as the command line in a process of its own, so the
store keeps its one writer and the dashboard its read-only connection.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from geo.articles import ARTICLE_SUFFIXES, MAX_BYTES
from geo.errors import PathOutsideError, UploadError
from geo.paths import checkout

UPLOADS = "uploads"
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024  # a zip bomb stops here, not at the disk's end
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
_PROGRESS = re.compile(r"ingest: (\d+) new, (\d+) changed, (\d+) unchanged, (\d+) failed")


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
    cleaned = _UNSAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).lstrip(". ")
    return cleaned[:120] or "upload"


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
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError(f"{name}: not a readable zip archive; zip the articles again") from None
    base = folder.resolve()
    written = 0
    with archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.lower().endswith(ARTICLE_SUFFIXES):
                continue
            given = member.filename.replace("\\", "/")
            parts = [safe_name(part) for part in given.split("/") if part not in ("", ".")]
            target = folder.joinpath(*parts) if parts else None
            if (target is None or ".." in given.split("/") or given.startswith("/") or re.match(r"[A-Za-z]:", given)
                    or base not in target.resolve().parents):
                raise UploadError(f"{name}: the member {member.filename!r} would be written outside the upload "
                                  "folder; it was refused")
            if member.file_size > MAX_BYTES:
                raise UploadError(f"{name}: {member.filename} is larger than {MAX_BYTES // 2**20} MB unpacked")
            written += member.file_size
            if written > MAX_UNZIPPED_BYTES:
                raise UploadError(f"{name}: unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB; "
                                  "split it into smaller zips")
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source:
                content = source.read(MAX_BYTES + 1)
            if len(content) > MAX_BYTES:  # the header lied about the size
                raise UploadError(f"{name}: {member.filename} is larger than {MAX_BYTES // 2**20} MB unpacked")
            target.write_bytes(content)
            yield target


def ingest_paths(paths: list[Path], db: Path | str,
                 on_progress: Callable[[dict[str, int]], None] | None = None) -> tuple[int, str]:
    """Run ``newsmap ingest PATHS --db DB`` and report its counts as they come; return (exit code, stderr)."""
    command = [sys.executable, "-m", "geo", "ingest", *map(str, paths), "--db", str(db)]
    process = subprocess.Popen(command, cwd=checkout(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, bufsize=1)
    lines = []
    buffer = ""
    while True:
        chunk = process.stderr.read(256)
        if not chunk:
            break
        buffer += chunk
        # The progress line is redrawn with "\r"; other lines end with "\n".
        *done, buffer = re.split(r"[\r\n]", buffer)
        for line in done:
            found = _PROGRESS.search(line)
            if found and on_progress:
                on_progress(dict(zip(("new", "changed", "unchanged", "failed"), map(int, found.groups()))))
            if line.strip() and not found:
                lines.append(line.strip())
    process.wait()
    if buffer.strip():
        lines.append(buffer.strip())
    return process.returncode, "\n".join(lines)


def run_correction(db: Path | str, *args: str) -> tuple[int, str]:
    """Run ``newsmap correct ARGS --db DB`` (the store's one writer); return (exit code, what it said)."""
    done = subprocess.run([sys.executable, "-m", "geo", "correct", *map(str, args), "--db", str(db)],
                          cwd=checkout(), capture_output=True, text=True)
    return done.returncode, done.stderr.strip()
