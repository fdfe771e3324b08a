"""Digests that tell what changed: of a file, of an article as read, and of the pipeline itself.

The ingest compares them with the store's to redo only what is new or changed, and
everything after an upgrade of newsmap (``pipeline_version``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from types import ModuleType

from geo import paths
from geo.articles import Article
from geo.gazetteer import package_versions


def file_sha256(path) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read (``read_file`` then says why)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def article_hash(article: Article, path: str) -> str:
    """SHA-256 of an article as read (id, title, text, date, url) and of the file it came from."""
    record = [article.article_id, article.title, article.text, article.published, article.date_source,
              article.url, path]
    return hashlib.sha256(json.dumps(record, ensure_ascii=False).encode("utf-8")).hexdigest()


def _pipeline_modules() -> list[ModuleType]:
    """``geo.pipeline`` and every ``geo`` module it draws on, found through their globals."""
    import geo.pipeline

    found: dict[str, ModuleType] = {}
    waiting = [geo.pipeline]
    while waiting:
        module = waiting.pop()
        if module.__name__ in found:
            continue
        found[module.__name__] = module
        for value in vars(module).values():
            name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
            if isinstance(name, str) and name.startswith("geo.") and name not in found and name in sys.modules:
                waiting.append(sys.modules[name])
    return [found[name] for name in sorted(found)]


@functools.lru_cache(maxsize=8)
def pipeline_version(known_country: str | None = None, geocoder: str = "offline") -> str:
    """A digest of everything that decides an article's rows, other than the article.

    That is the code of the pipeline's modules, the files shipped in ``geo/resources``,
    the versions of the packages the gazetteer is built from, and the options. It is taken
    once per process: the code that runs is the one imported, whatever its files become later.
    """
    digest = hashlib.sha256()
    for module in _pipeline_modules():
        digest.update(module.__name__.encode() + b"\0" + Path(module.__file__).read_bytes())
    # Every shipped resource (weights, word lists, regions): the gazetteer index is built from
    # these and the packages' versions, so hashing its 30 MB would add nothing.
    resources = paths.resource("")
    for path in sorted(p for p in resources.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        digest.update(path.relative_to(resources).as_posix().encode() + b"\0" + path.read_bytes())
    options = {"packages": package_versions(), "known_country": known_country}
    if geocoder != "offline":  # offline runs keep the digest they had before online geocoding existed
        options["geocoder"] = geocoder
    digest.update(json.dumps(options, sort_keys=True).encode())
    return digest.hexdigest()[:16]
