"""Reading articles: text files, HTML pages and JSON records into ``Article`` values.

Unreadable inputs are reported as ``ArticleError`` values, never raised out of
``read_paths``, so one bad file never stops the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from geo.dates import date_in_text
from geo.errors import ArticleError

ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".json", ".jsonl")
MAX_BYTES = 64 * 1024 * 1024


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
    """Decode article bytes: BOMs honoured, UTF-8 preferred, Latin-1 as the last resort."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    sample = data[:4096]
    if b"\x00" in sample:
        raise ArticleError(path, "looks like a binary file (NUL bytes); save the article as text, HTML or JSON")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 0.05 * max(1, len(text[:4096])):
        raise ArticleError(path, "is neither UTF-8 nor Latin-1 text; convert it to UTF-8")
    return text


def from_text(text: str, article_id: str, path=None) -> Article:
    """Build an article from plain text: the first non-empty line is the title."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ArticleError(path or article_id, "is empty; nothing to read")
    title = next(line.strip() for line in text.splitlines() if line.strip())
    published = date_in_text(text)
    return Article(article_id, title[:300], text, published, "text" if published else None, None,
                   str(path) if path else None)


def from_record(record: dict, article_id: str, path=None) -> Article:
    """Build an article from a JSON object with ``text`` (or ``body``/``content``) and metadata."""
    if not isinstance(record, dict):
        raise ArticleError(path or article_id, "JSON value is not an object with a 'text' field")
    text = next((record[k] for k in ("text", "body", "content") if isinstance(record.get(k), str)), None)
    if text is None or not text.strip():
        raise ArticleError(path or article_id, "JSON record has no 'text' field with article text")
    text = text.replace("\r\n", "\n")
    title = record.get("title") if isinstance(record.get("title"), str) else None
    if not title:
        title = next(line.strip() for line in text.splitlines() if line.strip())
    meta = next((record[k] for k in ("date", "published", "publish_date", "pubdate") if record.get(k)), None)
    published = _normalise_date(meta)
    source = "metadata" if published else None
    if not published:
        published = date_in_text(text)
        source = "text" if published else None
    rid = record.get("id")
    return Article(str(rid) if rid is not None else article_id, title[:300], text, published, source,
                   record.get("url") if isinstance(record.get("url"), str) else None,
                   str(path) if path else None)


def from_html(html: str, article_id: str, path=None) -> Article:
    """Extract an article's main text and metadata from an HTML page (trafilatura)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if extracted is None:
        raise ArticleError(path or article_id, "HTML page has no readable article text")
    data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    text = data.get("text") or ""
    if not text.strip():
        raise ArticleError(path or article_id, "HTML page has no readable article text")
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
    except OSError as exc:
        yield ArticleError(path, f"cannot be read ({exc.strerror or exc}); check it exists and is readable")
        return
    try:
        text = decode(data, path)
    except ArticleError as exc:
        yield exc
        return
    suffix = path.suffix.lower()
    stem = path.stem
    try:
        if suffix in (".html", ".htm"):
            yield from_html(text, stem, path)
        elif suffix == ".json":
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ArticleError(path, f"is not valid JSON (line {exc.lineno}: {exc.msg})") from None
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


def _read_jsonl(text: str, stem: str, path) -> Iterator[Article | ArticleError]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ArticleError(f"{path}:{number}", f"is not valid JSON ({exc.msg}); fix or remove that line")
            continue
        try:
            yield from_record(record, f"{stem}-{number}", path)
        except ArticleError as exc:
            yield ArticleError(f"{path}:{number}", exc.reason)


def list_files(paths) -> Iterator[Path | ArticleError]:
    """Expand files and folders into article files, sorted, following no symlink loops."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            seen = set()
            for child in sorted(path.rglob("*")):
                try:
                    real = child.resolve()
                except (OSError, RuntimeError):
                    yield ArticleError(child, "is a broken or looping link; skipped")
                    continue
                if child.is_file() and child.suffix.lower() in ARTICLE_SUFFIXES and real not in seen:
                    seen.add(real)
                    yield child
        elif path.exists():
            yield path
        else:
            yield ArticleError(path, "does not exist; check the path")


def read_paths(paths) -> Iterator[Article | ArticleError]:
    """Read every article under ``paths`` (files or folders), yielding errors in line."""
    for item in list_files(paths):
        if isinstance(item, ArticleError):
            yield item
        else:
            yield from read_file(item)
