"""Reading articles: text files, HTML pages and JSON records into ``Article`` values.

Unreadable inputs are reported as ``ArticleError`` values, never raised out of
``read_paths``, so one bad file never stops the others.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.dates import date_in_text
from geo.errors import ArchiveError, ArticleError

ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".json", ".jsonl")
MAX_BYTES = 64 * 1024 * 1024
# The longest news articles run to about 100,000 characters: ten times that is a dump of many,
# and the pipeline's time grows faster than the text (about 25 s for 1,000,000 characters).
MAX_ARTICLE_CHARS = 1_000_000
TOO_LONG = (f"more than one article holds ({MAX_ARTICLE_CHARS:,} characters at most); split it into one file "
            "per article, or put one article per line in a .jsonl file")

_BYTE_ORDER_MARKS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                     (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_REMOVE_IT = "remove it from the articles, or save the article itself as .txt, .html or .json"
# What analysts most often save by mistake under an article's name ("report.txt" that is a PDF).
_SIGNATURES = (
    (b"%PDF-", "a PDF document", "extract its text (for example with pdftotext) into a .txt file"),
    (b"PK\x03\x04", "a zip archive (Word and OpenDocument files are zips too)",
     "unzip it, or save the document as plain text"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first (gunzip)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", _REMOVE_IT),
    (b"\xff\xd8\xff", "a JPEG image", _REMOVE_IT),
    (b"GIF8", "a GIF image", _REMOVE_IT),
)
# A valid UTF-8 sequence of two to four bytes: text that holds some is UTF-8, not Latin-1.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# JSON escapes ("\\ud800") can give half a surrogate pair, which no file or page can hold.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Article:
    """One article: its text and what is known of where it came from."""

    article_id: str
    title: str
    text: str
    published: str | None = None  # ISO date
    date_source: str | None = None  # "metadata", "text" or None
    url: str | None = None
    path: str | None = None


def _normalise_date(value) -> str | None:
    """Reduce a metadata date ("2011-09-30T12:00Z", "30 September 2011") to ISO, or None."""
    if not value or not isinstance(value, str):
        return None
    return date_in_text(value)


def decode(data: bytes, path) -> str:
    """Decode article bytes: BOMs honoured, UTF-8 preferred, else the legacy encoding the bytes read best in.

    Raises ``ArticleError`` for what is not text (a PDF, an image, random bytes) and for
    UTF-8 damaged in the middle; a character cut off at the very end (a truncated
    download) is dropped.
    """
    for signature, what, advice in _SIGNATURES:
        if data.startswith(signature):
            raise ArticleError(path, f"is {what}, not text; {advice}")
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return _looks_like_text(data.decode(encoding), path)
            except UnicodeDecodeError as exc:
                raise ArticleError(path, f"starts as {encoding.upper()} text but is not valid {encoding.upper()} "
                                         f"at byte {exc.start}; re-save it as UTF-8") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    sample = data[:4096]
    if b"\x00" in sample:
        if sample.count(b"\x00") * 3 > len(sample):  # every other byte NUL: English in UTF-16
            raise ArticleError(path, "looks like UTF-16 text without a byte-order mark; re-save it as UTF-8")
        raise ArticleError(path, "looks like a binary file (NUL bytes); save the article as text, HTML or JSON")
    try:
        return _looks_like_text(data.decode("utf-8"), path)
    except UnicodeDecodeError as exc:
        if exc.end == len(data) and exc.reason == "unexpected end of data":
            return _looks_like_text(data[:exc.start].decode("utf-8"), path)
        if _UTF8_SEQUENCE.search(data):
            raise ArticleError(path, f"is UTF-8 text with an invalid byte ({data[exc.start]:#04x} at offset "
                                     f"{exc.start}): it is damaged or mixes encodings; re-save it as UTF-8") from None
    return _looks_like_text(_legacy_text(data), path)


# The legacy encodings news archives come in, Windows' Western one first; charset-normalizer
# weighs only these, since among all it knows a short text fits a DOS code page as well.
LEGACY_ENCODINGS = ("cp1252", "cp1250", "cp1251", "koi8_r", "cp1256", "iso8859_6", "cp1253", "cp1254",
                    "cp1255", "cp1257", "gb18030", "big5", "shift_jis", "euc_kr")


def _legacy_text(data: bytes) -> str:
    """Text that is not UTF-8, in the legacy encoding charset-normalizer finds most coherent.

    Where it cannot tell (too little text), or Windows' Western encoding reads it as cleanly as
    the best, that one is used, with Latin-1 for the bytes it leaves undefined.
    """
    from charset_normalizer import from_bytes

    matches = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS))
    best = matches.best()
    western = next((match for match in matches if match.encoding == "cp1252"), None)
    if best is not None and best.coherence > 0 and (western is None or western.chaos > best.chaos):
        return str(best)
    try:
        return data.decode("cp1252")  # curly quotes and dashes where Latin-1 has control codes
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _looks_like_text(text: str, path) -> str:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    if "\x00" in sample or controls > 0.05 * max(1, len(sample)):
        raise ArticleError(path, "is mostly control characters, not text; convert it to UTF-8 text")
    return text


def _clean(value: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", value)


def _check_length(text: str, where) -> None:
    if len(text) > MAX_ARTICLE_CHARS:
        raise ArticleError(where, f"holds {len(text):,} characters, {TOO_LONG}")


def from_text(text: str, article_id: str, path=None) -> Article:
    """Build an article from plain text: the first non-empty line is the title."""
    _check_length(text, path or article_id)
    text = _clean(text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ArticleError(path or article_id, "is empty; add the article's text or remove the file")
    title = next(line.strip() for line in text.splitlines() if line.strip())
    published = date_in_text(text)
    return Article(article_id, title[:300], text, published, "text" if published else None, None,
                   str(path) if path else None)


def from_record(record: dict, article_id: str, path=None) -> Article:
    """Build an article from a JSON object with ``text`` (or ``body``/``content``) and metadata."""
    where = path or article_id
    if not isinstance(record, dict):
        raise ArticleError(where, "JSON value is not an object with a 'text' field; "
                                  "write each article as {\"text\": ..., \"title\": ...}")
    text = next((record[k] for k in ("text", "body", "content") if isinstance(record.get(k), str)), None)
    if text is None:
        found = ", ".join(repr(_clean(k[:40])) for k in list(record)[:8]) or "no fields"
        raise ArticleError(where, f"JSON record has no article text: it needs a 'text', 'body' or 'content' "
                                  f"field (found {found}); rename the field that holds the text")
    if not text.strip():
        raise ArticleError(where, "JSON record's text is empty; add the article's text or remove the record")
    _check_length(text, where)
    text = _clean(text).replace("\r\n", "\n")
    title = _clean(record["title"]) if isinstance(record.get("title"), str) else None
    if not title:
        title = next(line.strip() for line in text.splitlines() if line.strip())
    meta = next((record[k] for k in ("date", "published", "publish_date", "pubdate") if record.get(k)), None)
    published = _normalise_date(meta)
    source = "metadata" if published else None
    if not published:
        published = date_in_text(text)
        source = "text" if published else None
    rid = record.get("id")
    rid = _clean(str(rid)) if isinstance(rid, (str, int)) and str(rid).strip() else article_id
    url = _clean(record["url"]) if isinstance(record.get("url"), str) else None
    return Article(rid, title[:300], text, published, source, url, str(path) if path else None)


NO_HTML_TEXT = ("HTML page has no readable article text (pages that load their text with scripts have none); "
                "save the article's text as .txt")


def from_html(html: str, article_id: str, path=None) -> Article:
    """Extract an article's main text and metadata from an HTML page (trafilatura)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if extracted is None:
        raise ArticleError(path or article_id, NO_HTML_TEXT)
    data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    text = data.get("text") or ""
    if not text.strip():
        raise ArticleError(path or article_id, NO_HTML_TEXT)
    record = {"text": text, "title": data.get("title"), "date": data.get("date"), "url": data.get("url")}
    return from_record(record, article_id, path)


def read_file(path) -> Iterator[Article | ArticleError]:
    """Read one file; yields articles, or an ``ArticleError`` per part that cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ArticleError(path, f"is {size // 2**20} MB; split it into files under {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except ArticleError as exc:
        yield exc
        return
    except FileNotFoundError:
        # Listed a moment ago (a named path that never existed is reported by ``list_files``).
        yield ArticleError(path, "vanished before it could be read (moved or deleted during the ingest); "
                                 "ingest it again once it is back")
        return
    except PermissionError:
        yield ArticleError(path, "cannot be read (permission denied); give your user read access "
                                 "(chmod a+r) or copy it somewhere readable")
        return
    except OSError as exc:
        yield ArticleError(path, f"cannot be read ({exc.strerror or exc}); check it exists and is readable")
        return
    if path.suffix.lower() == ".zip":
        yield from _read_zip(data, path)
    else:
        yield from _read_bytes(data, path, path.suffix.lower(), path.stem)


def _read_zip(data: bytes, path: Path) -> Iterator[Article | ArticleError]:
    """The articles of a zip's members, each as its own file would give them (ids ``ZIP/MEMBER``)."""
    from geo import archives  # zips are rare beside plain files

    try:
        found = archives.members(data, path.name, ARTICLE_SUFFIXES)
        for member in found:
            where = f"{path}:{member.name}"
            if isinstance(member, archives.Skipped):
                yield ArticleError(where, member.reason)
                continue
            stem = "/".join((path.stem, *member.parts[:-1], member.parts[-1].rsplit(".", 1)[0]))
            yield from _read_bytes(member.data, where, member.suffix, stem)
    except ArchiveError as exc:
        yield ArticleError(path, str(exc).removeprefix(f"{path.name}: "))


def _read_bytes(data: bytes, path, suffix: str, stem: str) -> Iterator[Article | ArticleError]:
    """The articles of one file's bytes, by its suffix."""
    try:
        text = decode(data, path)
    except ArticleError as exc:
        yield exc
        return
    del data  # the bytes of a large file need not outlive its text
    try:
        if suffix in (".html", ".htm"):
            yield from_html(text, stem, path)
        elif suffix == ".json":
            value = _parse_json(text, path)
            records = value if isinstance(value, list) else [value]
            for i, record in enumerate(records):
                try:
                    yield from_record(record, f"{stem}-{i}" if len(records) > 1 else stem, path)
                except ArticleError as exc:
                    yield exc
        elif suffix == ".jsonl":
            yield from _read_jsonl(text, stem, path)
        else:
            yield from_text(text, stem, path)
    except ArticleError as exc:
        yield exc


def _parse_json(text: str, where, advice: str = "fix the file"):
    """``json.loads``, with every way it fails turned into an ``ArticleError`` naming ``where``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        line = f"line {exc.lineno}: " if "\n" in text else ""
        raise ArticleError(where, f"is not valid JSON ({line}{exc.msg}); {advice}") from None
    except RecursionError:
        raise ArticleError(where, f"nests JSON too deeply to be an article record; {advice}") from None
    except ValueError:  # Python refuses integers of over 4,300 digits
        raise ArticleError(where, f"holds a JSON number too long to read; {advice}") from None


def _read_jsonl(text: str, stem: str, path) -> Iterator[Article | ArticleError]:
    # JSON Lines ends a record at "\n" only: str.splitlines would also cut at U+2028 and U+0085,
    # which real article text holds inside its strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield from_record(_parse_json(line, where, "fix or remove that line"), f"{stem}-{number}", path)
        except ArticleError as exc:
            yield ArticleError(where, exc.reason)


def list_files(paths) -> Iterator[Path | ArticleError]:
    """Expand files and folders into article files, sorted; links are followed, loops reported and not followed."""
    seen: set = set()  # folders walked and files listed, by identity: nothing is read twice
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, frozenset(), seen)
        elif path.exists():
            yield path  # a file named on the command line is read whatever its name
        elif path.is_symlink():
            yield _broken_link(path)
        else:
            yield ArticleError(path, "does not exist; check the path")


def _walk(folder: Path, ancestors: frozenset, seen: set) -> Iterator[Path | ArticleError]:
    try:
        identity = _identity(folder)
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        yield ArticleError(folder, f"folder cannot be read ({exc.strerror or exc}); check its permissions")
        return
    seen.add(identity)
    ancestors = ancestors | {identity}
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError:  # a link that loops on itself
            yield _broken_link(path)
            continue
        if is_dir:
            try:
                identity = _identity(path)
            except OSError:  # gone since the folder was listed
                continue
            if identity in ancestors:
                yield ArticleError(path, "is a link back to a folder that holds it (a loop); it was not followed: "
                                         "remove the link")
            elif identity not in seen:
                yield from _walk(path, ancestors, seen)
        elif is_file:
            real = path.resolve()
            if path.suffix.lower() in ARTICLE_SUFFIXES + (".zip",) and real not in seen:
                seen.add(real)
                yield path
        elif entry.is_symlink():
            yield _broken_link(path)
        elif path.suffix.lower() in ARTICLE_SUFFIXES + (".zip",):
            # Reading a named pipe would wait forever for a writer.
            yield ArticleError(path, "is not a regular file (a named pipe, socket or device); "
                                     "save the article as an ordinary file")


def _identity(folder: Path) -> tuple[int, int]:
    found = folder.stat()
    return found.st_dev, found.st_ino


def _broken_link(path: Path) -> ArticleError:
    try:
        path.stat()
    except FileNotFoundError:
        return ArticleError(path, f"is a link to {os.readlink(path)}, which does not exist; fix or remove the link")
    except OSError as exc:
        return ArticleError(path, f"is a link that cannot be followed ({exc.strerror or exc}); fix or remove the link")
    return ArticleError(path, "could not be listed; check it")


def read_paths(paths) -> Iterator[Article | ArticleError]:
    """Read every article under ``paths`` (files or folders), yielding errors in line."""
    for item in list_files(paths):
        if isinstance(item, ArticleError):
            yield item
        else:
            yield from read_file(item)
