"""The one per-article function, and a batch runner over files and folders.

``process_article`` strings the stages together (places, resolution, events); the CLI,
the dashboard and any process pool call it and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

import pandas as pd

from geo import corrections as fixes
from geo import event_model, postal, toponyms, truecase
from geo import events as event_extraction
from geo.articles import Article, read_paths
from geo.errors import ArticleError
from geo.gazetteer import Gazetteer, load
from geo.geocode import Resolved, load_weights, resolve
from geo.outlets import learn_homes, outlet_of, reread
from geo.table import PLACE_COLUMNS, events_frame

CLASSIFY_BATCH = 64


@dataclass
class ArticleResult:
    """What one article gave: its resolved place mentions and its events."""

    article: Article
    places: list[Resolved]
    events: list


@dataclass
class Batch:
    """What a run over many files gave, plus every input that could not be read."""

    articles: list[Article] = field(default_factory=list)
    events: pd.DataFrame = None
    places: pd.DataFrame = None
    failures: list[ArticleError] = field(default_factory=list)


def warm_up() -> None:
    """Load what every article needs (gazetteer, postal tier, recognizer, ranker and classifier weights) once per process.

    An engine calls it at its first chunk: a broken data file then fails once, with its own
    message, rather than as an error of every article; Dask's workers load side by side.
    """
    postal.tier_for(load())  # opened (or built, the first time) before the first article, not inside it
    toponyms.recognizer()
    load_weights()
    event_model.load_model()


class Located(NamedTuple):
    """An article's text as read (re-cased wire copy), its place mentions and their first reading."""

    reading: str
    mentions: list
    resolved: list[Resolved]


def locate(article: Article, gazetteer: Gazetteer, known_country: str | None = None) -> Located:
    """Find and resolve the places of one article on its own."""
    # Wire copy in capitals is read re-cased; offsets into the reading are offsets into the article.
    reading = truecase.reading(article.text, gazetteer)
    mentions = toponyms.find(reading, gazetteer)
    return Located(reading, mentions, resolve(reading, mentions, gazetteer, known_country=known_country))


def locate_many(articles: list[Article], gazetteer: Gazetteer,
                known_country: str | None = None) -> list[Located | Exception]:
    """``locate`` each article, then read again with its outlet's home (``geo.outlets``).

    An article that trips gives its exception in its place, so that it never loses the others.
    """
    first: list[Located | Exception] = []
    for article in articles:
        try:
            first.append(locate(article, gazetteer, known_country))
        except Exception as exc:  # reported per article by the callers
            first.append(exc)
    documents = [None if isinstance(item, Exception) else (outlet_of(a.url), item.reading, item.mentions)
                 for a, item in zip(articles, first)]
    homes, own = learn_homes(documents, [None if document is None else item.resolved
                                         for document, item in zip(documents, first)])
    located = []
    for document, item, areas in zip(documents, first, own):
        if document is None:
            located.append(item)
            continue
        try:
            resolved = reread(document, item.resolved, homes.home_of(document[0], areas), gazetteer, known_country)
        except Exception:  # the outlet's hint only refines: without it the article keeps its own reading
            resolved = item.resolved
        located.append(item._replace(resolved=resolved))
    return located


def process_article(article: Article, gazetteer: Gazetteer | None = None,
                    known_country: str | None = None, online=None, corrections=(),
                    classified=None, located: Located | None = None) -> ArticleResult:
    """Find, resolve and turn into events the places of one article.

    ``online`` (a ``geo.online.OnlineGeocoder``, opt-in) places the mentions the
    gazetteer could not; ``corrections`` (``geo.corrections.Correction`` values of this
    article) are an analyst's, and win over both.  ``classified``: the article's passages
    and their predictions, and ``located`` its places (``locate_many``), when the caller
    read many articles at once.
    """
    gazetteer = gazetteer or load()
    reading, _, resolved = located or locate(article, gazetteer, known_country)
    if reading is not article.text:  # the place table quotes the article as written
        resolved = [replace(r, mention=replace(r.mention, text=article.text[r.mention.start:r.mention.end]))
                    for r in resolved]
    if online is not None:
        resolved = online.improve(resolved, known_country)
    if corrections:
        resolved = fixes.apply_places(resolved, fixes.place_overrides(corrections), gazetteer)
    found = event_extraction.extract(article, resolved, gazetteer, classified, reading)
    if corrections:
        found = fixes.apply_events(found, corrections)
    return ArticleResult(article, resolved, found)


def place_rows(result: ArticleResult) -> list[dict]:
    """One row per place mention of an article, unresolved ones included and flagged."""
    rows = []
    for r in result.places:
        place = r.place
        rows.append({
            "article_id": result.article.article_id, "start": r.mention.start, "end": r.mention.end,
            "text": r.mention.text, "name": place.name if place else None,
            "country_code": place.country_code if place else None,
            "latitude": place.latitude if place else None, "longitude": place.longitude if place else None,
            "geonameid": place.geonameid if place and place.geonameid else None,
            "feature_kind": place.kind_name if place else None, "confidence": r.confidence,
            "reason": r.reason, "status": r.status,
        })
    return rows


@dataclass
class ChunkItem:
    """What ``process_chunk`` made of one article: its place rows and events, or why it failed."""

    places: list[dict] = field(default_factory=list)
    events: list = field(default_factory=list)
    error: str | None = None


def _classify_in_groups(articles: list[Article]) -> list:
    """Each article's passages and their predictions (``events.classify_articles``), ``CLASSIFY_BATCH`` at a time.

    The classifier's fixed costs per call are shared by a group (64 articles ran the pipeline 4%
    faster than 16). A group the classifier trips on gives None for each of its articles: each is
    then classified on its own, and fails on its own.
    """
    classified = []
    for first in range(0, len(articles), CLASSIFY_BATCH):
        group = articles[first:first + CLASSIFY_BATCH]
        try:
            classified += event_extraction.classify_articles([article.text for article in group])
        except Exception:  # see the docstring
            classified += [None] * len(group)
    return classified


def process_chunk(articles: list[Article], known_country: str | None = None,
                  gazetteer: Gazetteer | None = None, online=None,
                  corrections: dict[str, list] | None = None) -> list[ChunkItem]:
    """``process_article`` over many articles, one ``ChunkItem`` each, in order; fit to ship to a worker.

    An article the pipeline trips on gives an item with ``error`` set, so that one bad
    article never loses the rest of its chunk.
    """
    gazetteer = gazetteer or load()  # once per process: ``load`` caches it
    items = []
    for article, passages_classified, located in zip(articles, _classify_in_groups(articles),
                                                     locate_many(articles, gazetteer, known_country)):
        try:
            if isinstance(located, Exception):
                raise located
            result = process_article(article, gazetteer, known_country, online,
                                     (corrections or {}).get(article.article_id, ()), passages_classified, located)
        except Exception as exc:  # reported per article by the ingest
            items.append(ChunkItem(error=f"{type(exc).__name__}: {exc}"))
            continue
        items.append(ChunkItem(place_rows(result), result.events))
    return items


def process_paths(paths, gazetteer: Gazetteer | None = None, known_country: str | None = None,
                  online=None) -> Batch:
    """Process every article under ``paths``; unreadable inputs are collected, not raised."""
    gazetteer = gazetteer or load()
    batch = Batch()
    found_events, found_places = [], []
    for item in read_paths(paths):
        if isinstance(item, ArticleError):
            batch.failures.append(item)
        else:
            batch.articles.append(item)
    for article, classified, located in zip(batch.articles, _classify_in_groups(batch.articles),
                                            locate_many(batch.articles, gazetteer, known_country)):
        if isinstance(located, Exception):
            raise located
        result = process_article(article, gazetteer, known_country, online, classified=classified, located=located)
        found_events.extend(result.events)
        found_places.extend(place_rows(result))
    batch.events = events_frame(found_events)
    batch.places = pd.DataFrame(found_places, columns=list(PLACE_COLUMNS))
    return batch
