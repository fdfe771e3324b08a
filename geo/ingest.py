"""Incremental ingest: run the pipeline on the articles that are new or changed, and store what they give.

A file is skipped after hashing alone when its bytes and the pipeline version are those
stored. Otherwise it is read, and each article whose content hash (the record as read)
and pipeline version match the stored ones is skipped too; the others go through
``process_article`` and replace whatever the store held for them.

The pipeline version is a digest of the pipeline's code and data files, the gazetteer's
source packages and the options, so that a store never mixes rows of an older newsmap
with new ones: after an upgrade, ingest processes every article again.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from pathlib import Path

from geo import store
from geo.articles import Article, list_files, read_file
from geo.corrections import place_overrides
from geo.digests import article_hash, file_sha256, pipeline_version
from geo.engines import Engine, LocalEngine
from geo.errors import ArticleError, CorrectionError
from geo.gazetteer import load
from geo.outlets import OutletHomes, outlet_of, reread, sure_areas, sure_areas_of_rows
from geo.pipeline import Located, locate, place_rows, process_article
from geo.progress import Progress

FLUSH_EVERY_S = 0.5


@dataclass
class IngestReport:
    """Counts of one ingest run, and the files it covered (their events are this run's)."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[ArticleError] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @property
    def articles(self) -> int:
        """Articles now in the store as read: new, changed and unchanged ones."""
        return self.new + self.changed + self.unchanged

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged, {self.failed} failed "
                f"in {self.seconds:.1f} s ({self.articles_per_s:.1f} articles/s)")


def ingest(paths, con, known_country: str | None = None, gazetteer=None, progress: Progress | None = None,
           flush_every_s: float = FLUSH_EVERY_S, engine: Engine | None = None) -> IngestReport:
    """Store the articles under ``paths`` that are new or changed, in the store open on ``con``.

    ``engine`` (see ``geo.engines``) runs the pipeline; by default, this process. Unreadable
    inputs are counted and listed in the report, never raised. Interrupted (Ctrl-C), it
    first writes the articles already processed.
    """
    engine = engine or LocalEngine(gazetteer)
    run = _Run(con, known_country, engine, progress, flush_every_s)
    try:
        for file in list_files(paths):
            if isinstance(file, ArticleError):
                run.fail(file)
            else:
                run.read(file)
        run.drain()
    finally:
        # Interrupted too: every queued article is whole, so keep them; the next run does the rest.
        # Not after a write that failed (a full disk): the store is as before it, and stays so.
        if not run.writer.failed:
            run.writer.flush()
        run.report.seconds = time.perf_counter() - run.started
        if progress:
            progress.finish(run.report)
    return run.report


@dataclass
class _Job:
    """One article on its way through the pipeline, with what the store needs of it."""

    article: Article
    path: str
    content_hash: str
    replaces: bool


@dataclass
class _Chunk:
    """Articles sent to the engine together, and the files whose last article is among them."""

    jobs: list[_Job] = field(default_factory=list)
    files_read: list[tuple[dict, list[str]]] = field(default_factory=list)  # (file row, article ids it lost)
    handle: object = None


class _Run:
    """The state of one ingest: what the store holds, what is in flight and queued for it, the counts.

    Chunks complete in the order they were sent, and a file's row goes with the chunk
    that holds its last article: a file counts as stored only once all its articles are.
    """

    def __init__(self, con, known_country, engine: Engine, progress, flush_every_s):
        self.started = self.flushed_at = time.perf_counter()
        self.version = pipeline_version(known_country, engine.online.provider if engine.online else "offline")
        self.known_country, self.engine = known_country, engine
        self.progress, self.flush_every_s = progress, flush_every_s
        self.report = IngestReport()
        self.writer = store.Writer(con)
        self.files = store.known_files(con)
        self.corrections = store.read_corrections(con)  # an analyst's, applied whenever an article is redone
        self.articles = store.known_articles(con)
        self.ids_by_path: dict[str, set[str]] = {}
        for article_id, (_, _, path) in self.articles.items():
            self.ids_by_path.setdefault(path, set()).add(article_id)
        self.first_path: dict[str, str] = {}  # article id -> the file that gave it in this run
        self.open_chunk = _Chunk()
        self.in_flight: collections.deque[_Chunk] = collections.deque()
        self.failed_paths: set[str] = set()

    def fail(self, error: ArticleError, path: str | None = None) -> None:
        self.report.failed += 1
        self.report.failures.append(error)
        if path:
            self.failed_paths.add(path)
        if self.progress:
            self.progress.note(f"skipped {error}")

    def tick(self) -> None:
        now = time.perf_counter()
        self.report.seconds = now - self.started
        if now - self.flushed_at >= self.flush_every_s:
            self.writer.flush()
            self.flushed_at = now
        if self.progress:
            self.progress.update(self.report)

    def read(self, file: Path) -> None:
        """Skip one file if unchanged, else take each of its articles in turn."""
        path = str(file.resolve())
        self.report.paths.append(path)
        sha256 = file_sha256(file)
        stored = self.files.get(path)
        if sha256 and stored and stored[:2] == (sha256, self.version):
            self.report.unchanged += stored[2]
            self.tick()
            return
        read_ids, read_whole = set(), True
        for item in read_file(file):
            if isinstance(item, ArticleError):
                self.fail(item, path)
                read_whole = False
            else:
                read_ids.add(item.article_id)
                self.take(item, path)
            self.tick()
        if read_whole:
            # Articles it no longer holds leave the store with it, unless another file gave them since.
            gone = [article_id for article_id in self.ids_by_path.get(path, set()) - read_ids
                    if article_id in self.articles and self.articles[article_id][2] == path]
            row = {"path": path, "sha256": sha256, "pipeline": self.version, "articles": len(read_ids)}
            self.open_chunk.files_read.append((row, gone))
            if not self.open_chunk.jobs and not self.in_flight:
                self.send()  # nothing of it is in flight: store its row now

    def take(self, article: Article, path: str) -> None:
        """Queue one article for the pipeline unless the store holds it as it is now."""
        content_hash = article_hash(article, path)
        stored = self.articles.get(article.article_id)
        other_path = self.first_path.setdefault(article.article_id, path)
        if other_path != path and self.progress:
            self.progress.note(f"note: {path} and {other_path} both give the article id "
                               f"{article.article_id!r}; the store keeps the last one read: rename one of them")
        if stored and stored[:2] == (content_hash, self.version):
            self.report.unchanged += 1
            return
        self.open_chunk.jobs.append(_Job(article, path, content_hash, stored is not None))
        if len(self.open_chunk.jobs) >= self.engine.chunk_size:
            self.send()

    def send(self) -> None:
        """Hand the open chunk to the engine; store the oldest chunks while too many are in flight."""
        chunk, self.open_chunk = self.open_chunk, _Chunk()
        if chunk.jobs:
            articles = [job.article for job in chunk.jobs]
            corrections = {a.article_id: self.corrections[a.article_id] for a in articles
                           if a.article_id in self.corrections}
            chunk.handle = self.engine.submit(articles, self.known_country, corrections)
        self.in_flight.append(chunk)
        while len(self.in_flight) > self.engine.window:
            self.store(self.in_flight.popleft())

    def drain(self) -> None:
        """Send what is queued and store everything still in flight."""
        if self.open_chunk.jobs or self.open_chunk.files_read:
            self.send()
        while self.in_flight:
            self.store(self.in_flight.popleft())

    def store(self, chunk: _Chunk) -> None:
        """Queue a finished chunk's articles, then the rows of the files it completes, for the writer."""
        items = self.engine.result(chunk.handle) if chunk.jobs else []
        for job, item in zip(chunk.jobs, items):
            if item.error:
                # One article the pipeline trips on must not stop a long ingest.
                self.fail(ArticleError(f"{job.path} ({job.article.article_id})", f"could not be processed "
                                       f"({item.error}); please report this with the file"), job.path)
                continue
            article = job.article
            row = {"article_id": article.article_id, "content_hash": job.content_hash, "pipeline": self.version,
                   "path": job.path, "title": article.title, "published": article.published, "url": article.url,
                   "text": article.text}
            self.writer.add_article(row, item.places, item.events, replaces=job.replaces)
            self.articles[article.article_id] = (job.content_hash, self.version, job.path)
            if job.replaces:
                self.report.changed += 1
            else:
                self.report.new += 1
        for row, gone in chunk.files_read:
            if row["path"] in self.failed_paths:
                continue  # read again next time
            for article_id in gone:
                self.articles.pop(article_id, None)
            self.writer.drop_articles(gone)
            self.writer.add_file(row)
        self.tick()


def correct(con, corrections, gazetteer=None) -> int:
    """Keep an analyst's corrections of one article and redo that article from its stored text; return its events.

    The article keeps its content hash, so the next ingest skips it; an ingest that redoes
    it (a changed file, a newer newsmap) applies the same corrections again.
    """
    corrections = list(corrections)
    article_ids = {c.article_id for c in corrections}
    if len(article_ids) != 1:
        raise CorrectionError("give the corrections of one article at a time")
    [article_id] = article_ids
    article = store.stored_article(con, article_id)
    if article is None:
        raise CorrectionError(f"no article {article_id!r} in the store; ingest it first")
    gazetteer = gazetteer or load()
    for (start, end), geonameid in place_overrides(corrections).items():
        if end > len(article.text) or not article.text[start:end].strip():
            raise CorrectionError(f"{start}:{end} is not a span of {article_id}'s text; give a mention's "
                                  "offsets (the start and end columns of `newsmap places`)")
        if gazetteer.by_geonameid(geonameid) is None:
            raise CorrectionError(f"no gazetteer entry has the GeoNames id {geonameid}; choose one of the "
                                  "mention's candidates")
    row = store.article_row(con, article_id)
    # A later correction of the same field replaces the earlier one.
    every = {c.key: c for c in store.read_corrections(con).get(article_id, []) + corrections}
    result = process_article(article, gazetteer, None, None, list(every.values()),
                             located=_located_with_outlet(con, article, gazetteer))
    writer = store.Writer(con)
    writer.add_article(row, place_rows(result), result.events, replaces=True)
    writer.add_corrections(corrections)  # in the same transaction as the rows they change
    writer.flush()
    return len(result.events)


def _located_with_outlet(con, article, gazetteer) -> Located:
    """The article's places read as its ingest read them: with its outlet's home, from the stored other articles."""
    located = locate(article, gazetteer)
    outlet = outlet_of(article.url)
    if outlet is None:
        return located
    others = [aid for aid, url in store.article_urls(con, outlet) if aid != article.article_id and outlet_of(url) == outlet]
    homes = OutletHomes()
    for rows in store.place_confidences(con, others).values():
        homes.learn(outlet, sure_areas_of_rows(rows, gazetteer))
    own = sure_areas(located.resolved)
    homes.learn(outlet, own)
    document = (outlet, located.reading, located.mentions)
    return located._replace(resolved=reread(document, located.resolved, homes.home_of(outlet, own), gazetteer))
