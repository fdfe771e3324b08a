"""Zip archives of articles, read in memory within limits: the dashboard's uploads and the command line alike.

A zip bomb (a member that unpacks a hundred times larger than it is stored, or an archive of
more members or bytes than any news collection) is refused before it is unpacked, and a member
is never read past its limit, whatever its header says: memory stays bounded.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from geo.errors import ArchiveError

MAX_MEMBERS = 10_000
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024  # a zip bomb stops here, not at the disk's end
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # as for an article file on disk
# News text compresses 3-10 times, HTML up to about 20: a member past this ratio is no article.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024  # small members may compress far (a page of spaces): harmless
_UNSAFE_PART = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class Member:
    """One article file of an archive: its name in the archive, a safe relative path, its bytes."""

    name: str
    parts: tuple[str, ...]
    data: bytes

    @property
    def suffix(self) -> str:
        return "." + self.parts[-1].rpartition(".")[2].lower() if "." in self.parts[-1] else ""


@dataclass(frozen=True)
class Skipped:
    """A member that is not read, and why (the rest of the archive still is)."""

    name: str
    reason: str


def safe_part(name: str) -> str:
    """One path part that stays one: no folders, no leading dots, no odd characters.

    >>> safe_part("../passwd.txt")
    'passwd.txt'
    """
    cleaned = _UNSAFE_PART.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(". ")
    return cleaned[:120] or "upload"


def members(data: bytes, name: str, suffixes: tuple[str, ...]) -> Iterator[Member | Skipped]:
    """The article files (``suffixes``) of the zip ``data``, named ``name`` in messages.

    Raises ``ArchiveError`` for an archive that is broken, leads outside its folder, or is a
    bomb; yields ``Skipped`` for a member that is no article file.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ArchiveError(f"{name}: not a readable zip archive ({exc}); zip the articles again") from None
    with archive:
        listed = [member for member in archive.infolist() if not member.is_dir()]
        _check_sizes(listed, name)
        for member in listed:
            parts = _safe_parts(member.filename, name)
            if member.filename.lower().endswith(".zip"):
                yield Skipped(member.filename, "is an archive inside the archive; unzip it and add its articles")
            elif not member.filename.lower().endswith(suffixes):
                yield Skipped(member.filename, "is not an article file (.txt, .html, .json, .jsonl); it was skipped")
            else:
                try:
                    content = _read(archive, member)
                except _Unreadable as exc:
                    yield Skipped(member.filename, str(exc))
                    continue
                if len(content) > MAX_MEMBER_BYTES:  # the header lied about the size
                    raise ArchiveError(f"{name}: {member.filename} is larger than {MAX_MEMBER_BYTES // 2**20} MB "
                                       "unpacked, though its header says less; it was refused")
                yield Member(member.filename, parts, content)


def _check_sizes(listed: list[zipfile.ZipInfo], name: str) -> None:
    if len(listed) > MAX_MEMBERS:
        raise ArchiveError(f"{name}: holds {len(listed):,} files, more than {MAX_MEMBERS:,}; split it into smaller zips")
    total = sum(member.file_size for member in listed)
    if total > MAX_UNZIPPED_BYTES:
        raise ArchiveError(f"{name}: unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB; split it into smaller zips")
    for member in listed:
        if member.file_size > MAX_MEMBER_BYTES:
            raise ArchiveError(f"{name}: {member.filename} is larger than {MAX_MEMBER_BYTES // 2**20} MB unpacked; "
                               "split it into smaller files")
        if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise ArchiveError(f"{name}: {member.filename} unpacks {member.file_size // max(member.compress_size, 1):,} "
                               "times larger than it is stored, as a zip bomb does; it was refused")


def _safe_parts(filename: str, name: str) -> tuple[str, ...]:
    given = filename.replace("\\", "/")
    if ".." in given.split("/") or given.startswith("/") or re.match(r"[A-Za-z]:", given):
        raise ArchiveError(f"{name}: the member {filename!r} would be written outside the upload folder; "
                           "it was refused")
    parts = tuple(safe_part(part) for part in given.split("/") if part not in ("", "."))
    if not parts:
        raise ArchiveError(f"{name}: a member has no name; zip the articles again")
    return parts


class _Unreadable(Exception):
    pass


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The member's bytes, one past the limit at most."""
    try:
        with archive.open(member) as source:
            return source.read(MAX_MEMBER_BYTES + 1)
    except RuntimeError:
        raise _Unreadable("is encrypted; zip the articles again without a password") from None
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError, zlib.error) as exc:
        raise _Unreadable(f"cannot be unpacked ({exc}); zip the articles again") from None
