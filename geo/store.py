"""The event store: an embedded DuckDB file holding what was ingested and what it gave.

Six tables, whose columns and pandas dtypes are declared once (the events' in ``geo.table``)
and whose DDL is derived from that declaration:

- ``events``: the event table, exactly the columns of ``geo.table.EVENT_COLUMNS``;
- ``places``: every place mention, the columns of ``geo.table.PLACE_COLUMN_DECLARATIONS``;
- ``articles``: one row per article: its id, the hash of its content and of the pipeline that
  read it, where it came from, its title, date and text (the evidence behind its events, kept
  even when the file moves), and when it was stored;
- ``files``: each file read without error, with the SHA-256 of its bytes, so that an unchanged
  file is skipped after hashing alone;
- ``geocache``: the answers of an opt-in online geocoder (``geo.online``), asked once and kept;
- ``corrections``: an analyst's corrections (``geo.corrections``), applied whenever the article
  is processed again.

DuckDB lets one process at a time open a file for writing, and no other process open it at all
meanwhile: ``open_store`` and ``open_read_only`` wait briefly, then raise ``StoreLockedError``.
Readers should open, read and close (``load_events``), so that an ingest can start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import operator
import re
import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from geo import paths
from geo.articles import Article
from geo.corrections import Correction
from geo.errors import ExportError, StoreError, StoreLockedError
from geo.table import COLUMN_NAMES, EVENT_COLUMNS, PLACE_DTYPES, event_tuples, events_frame, export

DEFAULT_DB = paths.data_file("newsmap.duckdb")

SQL_TYPES = {"string": "VARCHAR", "Int64": "BIGINT", "float64": "DOUBLE"}

EVENT_DTYPES = {c.name: c.dtype for c in EVENT_COLUMNS}
ARTICLE_DTYPES = {"article_id": "string", "content_hash": "string", "pipeline": "string", "path": "string",
                  "title": "string", "published": "string", "url": "string", "text": "string"}
FILE_DTYPES = {"path": "string", "sha256": "string", "pipeline": "string", "articles": "Int64"}
# Answers of an opt-in online geocoder, by provider and query: asked once, kept.
GEOCACHE_DTYPES = {"query": "string", "answer": "string"}
# An analyst's corrections (geo.corrections.Correction), kept apart from what the machine read.
CORRECTION_DTYPES = {"key": "string", "kind": "string", "article_id": "string", "target": "string",
                     "field": "string", "value": "string"}

# table -> (its columns, its key); articles and files also get an ``ingested_at`` time stamp.
TABLES = {
    "articles": (ARTICLE_DTYPES, "article_id"),
    "files": (FILE_DTYPES, "path"),
    "places": (PLACE_DTYPES, None),
    "events": (EVENT_DTYPES, None),
    "geocache": (GEOCACHE_DTYPES, "query"),
    "corrections": (CORRECTION_DTYPES, "key"),
}
STAMPED = ("articles", "files", "geocache", "corrections")
LOCK_WAIT_S = 2.0
# Events in the order the pipeline gave them: by article, then by the number that ends event_id.
EVENT_ORDER = r"e.article_id, try_cast(regexp_extract(e.event_id, '#(\d+)$', 1) AS INTEGER), e.event_id"


def _quote(name: str) -> str:
    # Every identifier is quoted: "end" and others are SQL keywords.
    return '"' + name.replace('"', '""') + '"'


def _columns(table: str) -> str:
    return ", ".join(_quote(name) for name in TABLES[table][0])


def _declared_types(table: str) -> list[tuple[str, str]]:
    dtypes, _ = TABLES[table]
    declared = [(name, SQL_TYPES[dtype]) for name, dtype in dtypes.items()]
    if table in STAMPED:
        declared.append(("ingested_at", "TIMESTAMP WITH TIME ZONE"))
    return declared


def create_table_sql(table: str) -> str:
    """The ``CREATE TABLE`` statement of one of ``TABLES``, derived from its declared columns.

    >>> create_table_sql("files")
    'CREATE TABLE files ("path" VARCHAR PRIMARY KEY, "sha256" VARCHAR, "pipeline" VARCHAR, \
"articles" BIGINT, "ingested_at" TIMESTAMP WITH TIME ZONE DEFAULT current_timestamp)'
    """
    key = TABLES[table][1]
    columns = [f"{_quote(name)} {sql_type}" + (" PRIMARY KEY" if name == key else "")
               for name, sql_type in _declared_types(table)]
    if table in STAMPED:
        columns[-1] += " DEFAULT current_timestamp"
    return f"CREATE TABLE {table} ({', '.join(columns)})"


def _stored_types(con) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                       "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()
    stored: dict[str, list[tuple[str, str]]] = {}
    for table, column, sql_type in rows:
        stored.setdefault(table, []).append((column, sql_type))
    return stored


def _stale_tables(stored: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Tables missing or whose columns differ from the declaration."""
    return [table for table in TABLES if stored.get(table) != _declared_types(table)]


def _connect(path, read_only: bool, wait_s: float):
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" not in message.lower():
                raise StoreError(damaged(path, message)) from None
            if time.monotonic() >= deadline:
                raise StoreLockedError(_locked_message(path, message, read_only)) from None
            time.sleep(0.1)
        except duckdb.Error as exc:
            raise StoreError(damaged(path, exc)) from None


def damaged(path, reason) -> str:
    """What to tell of a store file DuckDB cannot read, and what to do about it."""
    return (f"{path} cannot be opened as a newsmap store: it is damaged or not a DuckDB file ({reason}). "
            "Move it aside and run `newsmap ingest PATH...` again to rebuild it from the articles (or restore a "
            "copy), or give another file with --db")


def _locked_message(path, duckdb_message: str, read_only: bool) -> str:
    pid = re.search(r"PID (\d+)", duckdb_message)
    holder = f"another process (PID {pid.group(1)})" if pid else "another process"
    if read_only:
        return (f"{path} is being written by {holder}, most likely an ingest; DuckDB lets no other "
                "process open the file until it finishes. Wait for the ingest to end, then try again.")
    return (f"{path} is held by {holder}: another ingest still running, or a dashboard or export reading "
            "it (DuckDB lets only one process write to a file). Wait for it to finish or stop it, then "
            "run this again; or ingest into another file with --db.")


def open_store(path=DEFAULT_DB, wait_s: float = LOCK_WAIT_S):
    """Open (creating when missing) the store at ``path`` for writing; ``":memory:"`` for a throwaway one.

    Tables whose columns differ from the declaration (the store of an older newsmap) are
    dropped with everything else, so the next ingest processes every article again.
    Raises ``StoreLockedError`` when another process still holds the file after ``wait_s``.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only=False, wait_s=wait_s)
    stored = _stored_types(con)
    stale = _stale_tables(stored)
    ours = [table for table in TABLES if table in stored]
    if stale and ours and not {"articles", "files"} <= set(stored):
        # Not a newsmap store, but a database of someone's with a table of one of our names: leave it be.
        con.close()
        raise StoreError(f"{path} holds tables that newsmap did not make ({', '.join(ours)}); "
                         "give another file with --db")
    if stale:
        # Rows of one table are meaningless without the others: rebuild them all together.
        con.begin()
        for table in TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute(create_table_sql(table))
        con.commit()
    return con


def file_version(path) -> tuple:
    """Changes whenever the store's file does (an ingest writes to the write-ahead log first): a cache key."""
    stamps = []
    for part in (Path(path), Path(f"{path}.wal")):
        try:
            found = part.stat()
            stamps.append((found.st_size, found.st_mtime_ns))
        except FileNotFoundError:
            stamps.append(None)
    return tuple(stamps)


def open_read_only(path=DEFAULT_DB, wait_s: float = 0.0):
    """Open the store at ``path`` for reading only (the dashboard's and export's way in).

    Close it soon after reading: while it is open, no ingest can write to the file.
    """
    if not Path(path).is_file():
        raise StoreError(f"there is no store at {path} yet; add articles with: newsmap ingest PATH... "
                         f"--db {path}")
    con = _connect(path, read_only=True, wait_s=wait_s)
    stale = _stale_tables(_stored_types(con))
    if stale:
        con.close()
        raise StoreError(f"{path} was written by another version of newsmap (tables {', '.join(stale)} "
                         f"differ); update it with: newsmap ingest PATH... --db {path}")
    return con


def known_files(con) -> dict[str, tuple[str, str, int]]:
    """Each stored file's path -> (SHA-256 of its bytes, pipeline version, number of articles)."""
    rows = con.execute("SELECT path, sha256, pipeline, articles FROM files").fetchall()
    return {path: (sha256, pipeline, articles) for path, sha256, pipeline, articles in rows}


def known_articles(con) -> dict[str, tuple[str, str, str]]:
    """Each stored article's id -> (content hash, pipeline version, path it was read from)."""
    rows = con.execute("SELECT article_id, content_hash, pipeline, path FROM articles").fetchall()
    return {article_id: (content_hash, pipeline, path) for article_id, content_hash, pipeline, path in rows}


_ARROW_TYPES = {"string": pa.string(), "Int64": pa.int64(), "float64": pa.float64()}


def _tuples(rows, dtypes: dict) -> list[tuple]:
    """Dict rows as tuples in ``dtypes`` order; a key a row lacks is None."""
    names = list(dtypes)
    whole = operator.itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    found = []
    for row in rows:
        try:
            found.append(whole(row))
        except KeyError:
            found.append(tuple(row.get(name) for name in names))
    return found


def _arrow_table(rows: list[tuple], dtypes: dict) -> pa.Table:
    """Rows (tuples in ``dtypes`` order) as an Arrow table of the declared types; NaN and None are null."""
    columns = list(zip(*rows)) if rows else [()] * len(dtypes)
    return pa.table({name: _arrow_column(values, dtype) for (name, dtype), values in zip(dtypes.items(), columns)})


def _arrow_column(values, dtype: str) -> pa.Array:
    try:
        return pa.array(values, type=_ARROW_TYPES[dtype], from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # A value of another type (a path, a number as text): converted as pandas converts it.
        return pa.array(pd.Series(list(values), dtype=object).astype(dtype), type=_ARROW_TYPES[dtype],
                        from_pandas=True)


class Writer:
    """Collects whole articles and writes many of them per transaction.

    One DuckDB commit costs milliseconds, as much as running the pipeline on an article, so
    articles are written together; each transaction still holds every row of each of its
    articles, so an ingest killed at any moment leaves only whole articles.
    """

    def __init__(self, con):
        self.con = con
        self.failed = False  # a flush could not write: the store holds what it held before it
        self._clear()

    def _clear(self) -> None:
        self._articles: dict[str, dict] = {}
        self._places: dict[str, list[dict]] = {}
        self._events: dict[str, list] = {}
        self._cleared: set[str] = set()  # ids whose stored rows are removed first
        self._files: dict[str, dict] = {}
        self._corrections: list = []

    def __len__(self) -> int:
        return len(self._articles) + len(self._files) + len(self._cleared) + len(self._corrections)

    def add_corrections(self, corrections) -> None:
        """Queue an analyst's corrections (``geo.corrections.Correction``), written with the rows they change."""
        self._corrections.extend(corrections)

    def add_article(self, row: dict, places: list[dict], events: list, replaces: bool) -> None:
        """Queue one article (its ``ARTICLE_DTYPES`` row), its place rows and its events."""
        article_id = row["article_id"]
        if replaces:
            self._cleared.add(article_id)
        self._articles[article_id] = row
        self._places[article_id] = places
        self._events[article_id] = events

    def drop_articles(self, article_ids) -> None:
        """Queue the removal of stored articles (a file that no longer holds them) with their rows."""
        self._cleared.update(article_ids)

    def add_file(self, row: dict) -> None:
        """Queue a file read whole (its ``FILE_DTYPES`` row); written with or after its articles."""
        self._files[row["path"]] = row

    def flush(self) -> None:
        """Write everything queued in one transaction, or nothing if it fails."""
        if not len(self):
            return
        # Arrow tables straight from the rows: a pandas frame per flush cost the writer as much
        # as DuckDB's inserts, and with Dask the writer's time is taken from the workers' cores.
        tables = {
            "cleared_ids": _arrow_table([(article_id,) for article_id in sorted(self._cleared)],
                                        {"article_id": "string"}),
            "new_articles": _arrow_table(_tuples(self._articles.values(), ARTICLE_DTYPES), ARTICLE_DTYPES),
            "new_places": _arrow_table(_tuples((row for rows in self._places.values() for row in rows),
                                               PLACE_DTYPES), PLACE_DTYPES),
            "new_events": _arrow_table(event_tuples(event for events in self._events.values() for event in events),
                                       EVENT_DTYPES),
            "new_files": _arrow_table(_tuples(self._files.values(), FILE_DTYPES), FILE_DTYPES),
        }
        con = self.con
        for name, rows in tables.items():
            con.register(name, rows)
        try:
            con.begin()
            try:
                if self._cleared:
                    for table in ("places", "events", "articles"):
                        con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM cleared_ids)")
                for table, name in (("articles", "new_articles"), ("places", "new_places"), ("events", "new_events")):
                    if len(tables[name]):
                        columns = _columns(table)
                        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {name}")
                if self._files:
                    columns = _columns("files")
                    con.execute(f"INSERT OR REPLACE INTO files ({columns}) SELECT {columns} FROM new_files")
                add_corrections(con, self._corrections)
                con.commit()
            except BaseException as exc:
                with contextlib.suppress(duckdb.Error):  # a commit that failed has ended the transaction
                    con.rollback()
                if isinstance(exc, duckdb.Error):
                    self.failed = True
                    raise StoreError(f"could not write to the store ({exc}). What was stored before stays as it "
                                     "was; free some disk space (or give --db a file on another disk) and run the "
                                     "same command again to store the rest") from None
                raise
        finally:
            for name in tables:
                with contextlib.suppress(duckdb.Error):
                    con.unregister(name)
        self._clear()


def add_corrections(con, corrections) -> None:
    """Keep ``geo.corrections.Correction`` values; a later one of the same field replaces the earlier."""
    columns = _columns("corrections")
    for c in corrections:
        con.execute(f"INSERT OR REPLACE INTO corrections ({columns}) VALUES (?, ?, ?, ?, ?, ?)",
                    [c.key, c.kind, c.article_id, c.target, c.field, c.value])


def read_corrections(con) -> dict[str, list]:
    """Every stored correction, by article id."""
    found: dict[str, list] = {}
    for kind, article_id, target, field, value in con.execute(
            "SELECT kind, article_id, target, field, value FROM corrections ORDER BY ingested_at").fetchall():
        found.setdefault(article_id, []).append(Correction(kind, article_id, target, field, value))
    return found


def stored_article(con, article_id: str):
    """The ``geo.articles.Article`` stored under ``article_id`` (its text as read), or None."""
    row = con.execute("SELECT article_id, title, text, published, url, path FROM articles WHERE article_id = ?",
                      [article_id]).fetchall()
    if not row:
        return None
    article_id, title, text, published, url, path = row[0]
    return Article(article_id, title, text or "", published, "stored" if published else None, url, path)


class GeocodeCache:
    """The ``geocache`` table as the cache of ``geo.online.OnlineGeocoder``: ``get`` and ``put`` of JSON text."""

    def __init__(self, con):
        self.con = con

    def get(self, query: str) -> str | None:
        found = self.con.execute("SELECT answer FROM geocache WHERE query = ?", [query]).fetchall()
        return found[0][0] if found else None

    def put(self, query: str, answer: str) -> None:
        # Its own small transaction: an answer is worth keeping even if the ingest is killed next.
        self.con.execute("INSERT OR REPLACE INTO geocache (query, answer) VALUES (?, ?)", [query, answer])


def read_event(con, event_id: str) -> pd.Series | None:
    """One stored event by its id, or None."""
    found = _typed(con.execute("SELECT * FROM events WHERE event_id = ?", [event_id]).df())
    return None if found.empty else found.iloc[0]


def article_row(con, article_id: str) -> dict | None:
    """The ``articles`` row of one article as a dict of plain values (missing ones None), or None."""
    found = con.execute(f"SELECT {_columns('articles')} FROM articles WHERE article_id = ?", [article_id]).df()
    if found.empty:
        return None
    return {key: (None if value is None or value is pd.NA or value != value else value)
            for key, value in found.iloc[0].to_dict().items()}


def read_events(con, paths=None) -> pd.DataFrame:
    """The events in the store, or those of the articles read from ``paths``, typed by ``geo.table``."""
    columns = ", ".join(f"e.{_quote(name)}" for name in COLUMN_NAMES)
    if paths is None:
        query = f"SELECT {columns} FROM events e ORDER BY {EVENT_ORDER}"
        return _typed(con.execute(query).df())
    wanted = pd.DataFrame({"path": [str(p) for p in paths], "position": range(len(paths))})
    wanted = wanted.drop_duplicates("path")
    con.register("wanted_paths", wanted)
    try:
        query = (f"SELECT {columns} FROM events e JOIN articles a ON a.article_id = e.article_id "
                 "JOIN wanted_paths w ON w.path = a.path "
                 f"ORDER BY w.position, {EVENT_ORDER}")
        return _typed(con.execute(query).df())
    finally:
        con.unregister("wanted_paths")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return events_frame([])  # DuckDB types an empty result by SQL type only
    return frame.astype(EVENT_DTYPES).reset_index(drop=True)


def read_places(con) -> pd.DataFrame:
    """Every place mention in the store, typed as declared in ``PLACE_DTYPES``."""
    query = f"SELECT {_columns('places')} FROM places ORDER BY article_id, start"
    return con.execute(query).df().astype(PLACE_DTYPES)


def article_urls(con, host: str) -> list[tuple[str, str]]:
    """(article id, URL) of the stored articles whose URL holds ``host`` (the caller checks the host itself)."""
    return con.execute("SELECT article_id, url FROM articles WHERE contains(lower(url), ?)", [host.lower()]).fetchall()


def place_confidences(con, article_ids: list[str]) -> dict[str, list[tuple]]:
    """Per article, the (geonameid, confidence, status) of each of its stored place mentions."""
    found: dict[str, list[tuple]] = {article_id: [] for article_id in article_ids}
    if article_ids:
        for article_id, geonameid, confidence, status in con.execute(
                "SELECT article_id, geonameid, confidence, status FROM places WHERE article_id IN "
                f"({', '.join('?' * len(article_ids))})", list(article_ids)).fetchall():
            found[article_id].append((geonameid, confidence, status))
    return found


def read_article(con, article_id: str) -> dict | None:
    """One stored article (the fields of ``stored_article``) and its place mentions as ``places``, or None."""
    article = stored_article(con, article_id)
    if article is None:
        return None
    places = con.execute(f"SELECT {_columns('places')} FROM places WHERE article_id = ? ORDER BY start",
                         [article_id]).df().astype(PLACE_DTYPES)
    return {**dataclasses.asdict(article), "places": places}


def load_events(path=DEFAULT_DB) -> pd.DataFrame:
    """Open the store read-only, read every event, and close it at once so ingests are not held up."""
    con = open_read_only(path)
    try:
        return read_events(con)
    except duckdb.Error as exc:  # opened, but its pages do not read back: damaged
        raise StoreError(damaged(path, exc)) from None
    finally:
        con.close()


def row_counts(con) -> dict[str, int]:
    """Rows per table, e.g. ``{"articles": 2, "files": 2, "places": 40, "events": 3}``."""
    return {table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table in TABLES}


def export_events(con, out, partition_by_date: bool = False) -> Path:
    """Write every stored event to ``out`` (.csv, .geojson, .parquet), or with ``partition_by_date``
    to Parquet files in ``out/year=YYYY/month=MM/`` (``year=unknown/month=unknown`` when undated).
    """
    out = Path(out)
    if not partition_by_date:
        if out.is_dir() or not out.suffix:
            raise ExportError(f"{out} is a folder: add --partition-by-date to write date-partitioned Parquet "
                              "files there, or give a file name ending in .csv, .geojson or .parquet")
        return export(read_events(con), out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} already exists and is not an empty folder; give a new folder for the "
                          "Parquet files, so no old ones are mixed in")
    out.mkdir(parents=True, exist_ok=True)
    columns = _columns("events")
    day = "try_cast(event_date AS DATE)"
    target = str(out).replace("'", "''")
    con.execute(
        f"COPY (SELECT {columns}, coalesce(strftime({day}, '%Y'), 'unknown') AS year, "
        f"coalesce(strftime({day}, '%m'), 'unknown') AS month FROM events e "
        f"ORDER BY e.event_date, {EVENT_ORDER}) "
        f"TO '{target}' (FORMAT parquet, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE)")
    return out
